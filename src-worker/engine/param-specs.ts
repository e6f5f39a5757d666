/** The GPT's parameters: names, full shapes, initialisation and how tensor parallelism splits each one. */
import type { ModelConfig } from '../../src-shared/engine-config.js';

/**
 * How a parameter is split across the TP group: `none` = replicated; `qkv-col` = the q, k and v
 * column blocks each split by heads; `col` = columns split; `row` = rows split (1-D: replicated).
 */
export type TpSplit = 'none' | 'qkv-col' | 'col' | 'row';

/** One parameter of the full (unsharded) model. */
export interface ParamSpec {
  name: string;
  shape: number[];
  init: 'normal' | 'zeros' | 'ones';
  split: TpSplit;
  /** Block index, or 'embed' (stage 0) / 'head' (last stage). */
  owner: number | 'embed' | 'head';
}

/** Every parameter in model order. The LM head is untied (its own [hidden, vocab] matrix + bias) as in torch_gpt.py. */
export function paramSpecs(model: ModelConfig): ParamSpec[] {
  const { hidden: h, vocab: v, seqLen: s } = model;
  const specs: ParamSpec[] = [
    { name: 'wte', shape: [v, h], init: 'normal', split: 'none', owner: 'embed' },
    { name: 'wpe', shape: [s, h], init: 'normal', split: 'none', owner: 'embed' },
  ];
  for (let l = 0; l < model.layers; l += 1) {
    const p = (name: string, shape: number[], init: ParamSpec['init'], split: TpSplit) => specs.push({ name: `h${l}.${name}`, shape, init, split, owner: l });
    p('ln1.g', [h], 'ones', 'none');
    p('ln1.b', [h], 'zeros', 'none');
    p('qkv.w', [h, 3 * h], 'normal', 'qkv-col');
    p('qkv.b', [3 * h], 'zeros', 'qkv-col');
    p('o.w', [h, h], 'normal', 'row');
    p('o.b', [h], 'zeros', 'none');
    p('ln2.g', [h], 'ones', 'none');
    p('ln2.b', [h], 'zeros', 'none');
    p('fc1.w', [h, 4 * h], 'normal', 'col');
    p('fc1.b', [4 * h], 'zeros', 'col');
    p('fc2.w', [4 * h, h], 'normal', 'row');
    p('fc2.b', [h], 'zeros', 'none');
  }
  specs.push(
    { name: 'lnf.g', shape: [h], init: 'ones', split: 'none', owner: 'head' },
    { name: 'lnf.b', shape: [h], init: 'zeros', split: 'none', owner: 'head' },
    { name: 'head.w', shape: [h, v], init: 'normal', split: 'none', owner: 'head' },
    { name: 'head.b', shape: [v], init: 'zeros', split: 'none', owner: 'head' },
  );
  return specs;
}

/** Number of elements of a shape. */
export function sizeOf(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/** Total parameters of the full model. */
export function countParams(model: ModelConfig): number {
  return paramSpecs(model).reduce((sum, spec) => sum + sizeOf(spec.shape), 0);
}

/** Shape of TP shard `index` of `size` of a parameter. */
export function shardShape(spec: ParamSpec, size: number): number[] {
  const [rows, cols] = spec.shape;
  if (spec.split === 'none' || size === 1) return [...spec.shape];
  if (spec.shape.length === 1) return spec.split === 'row' ? [rows] : [rows / size];
  return spec.split === 'row' ? [rows / size, cols] : [rows, cols / size];
}

/** Column ranges [start, end) of the full last dimension that TP shard `index` keeps (rows for `row`). */
function keptRanges(spec: ParamSpec, size: number, index: number): Array<[number, number]> {
  const last = spec.shape[spec.shape.length - 1];
  if (spec.split === 'qkv-col') {
    const third = last / 3;
    const width = third / size;
    return [0, 1, 2].map((j) => [j * third + index * width, j * third + (index + 1) * width] as [number, number]);
  }
  const width = last / size;
  return [[index * width, (index + 1) * width]];
}

/** Cuts TP shard `index` of `size` out of a full parameter (row-major). */
export function extractShard(spec: ParamSpec, full: Float32Array, size: number, index: number): Float32Array {
  if (spec.split === 'none' || size === 1 || (spec.split === 'row' && spec.shape.length === 1)) return full.slice();
  if (spec.split === 'row') {
    const rowLength = spec.shape[1];
    const rows = spec.shape[0] / size;
    return full.slice(index * rows * rowLength, (index + 1) * rows * rowLength);
  }
  const rows = spec.shape.length === 1 ? 1 : spec.shape[0];
  const last = spec.shape[spec.shape.length - 1];
  const ranges = keptRanges(spec, size, index);
  const width = ranges.reduce((sum, [a, b]) => sum + (b - a), 0);
  const out = new Float32Array(rows * width);
  for (let r = 0; r < rows; r += 1) {
    let at = r * width;
    for (const [a, b] of ranges) {
      out.set(full.subarray(r * last + a, r * last + b), at);
      at += b - a;
    }
  }
  return out;
}
