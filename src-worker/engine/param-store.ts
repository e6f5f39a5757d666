/** The parameters one rank owns: a flat Float32Array (what the optimizer and collectives see) plus tf views. */
import * as tf from '@tensorflow/tfjs-core';
import type { ModelConfig } from '../../src-shared/engine-config.js';
import { hashString, normalArray } from './prng.js';
import { extractShard, paramSpecs, shardShape, sizeOf, type ParamSpec } from './param-specs.js';

/** Which part of the model this rank holds. */
export interface ShardPlacement {
  /** Blocks [firstLayer, endLayer) of this pipeline stage. */
  firstLayer: number;
  endLayer: number;
  hasEmbedding: boolean;
  hasHead: boolean;
  tpSize: number;
  tpIndex: number;
}

/** Standard deviation of the normal init of weight matrices (GPT-2's 0.02). */
export const initStd = 0.02;

/** Builds the full value of one parameter from the seed: identical on every rank and strategy. */
export function initialValue(spec: ParamSpec, seed: number): Float32Array {
  const n = sizeOf(spec.shape);
  if (spec.init === 'normal') return normalArray(n, initStd, hashString(`${seed}:${spec.name}`));
  return new Float32Array(n).fill(spec.init === 'ones' ? 1 : 0);
}

/** One owned parameter: name, shard shape and where it lives in the flat buffer. */
export interface OwnedParam {
  spec: ParamSpec;
  shape: number[];
  offset: number;
  length: number;
}

/** This rank's parameters, flat, with a tf tensor per parameter rebuilt after each update. */
export class ParamStore {
  readonly params: OwnedParam[] = [];
  readonly values: Float32Array;
  private readonly byName = new Map<string, OwnedParam>();
  private tensors = new Map<string, tf.Tensor>();

  constructor(model: ModelConfig, placement: ShardPlacement, seed: number) {
    let offset = 0;
    const chunks: Float32Array[] = [];
    for (const spec of paramSpecs(model)) {
      if (!ownsParam(spec, placement)) continue;
      const shape = shardShape(spec, placement.tpSize);
      const value = extractShard(spec, initialValue(spec, seed), placement.tpSize, placement.tpIndex);
      const owned = { spec, shape, offset, length: value.length };
      this.params.push(owned);
      this.byName.set(spec.name, owned);
      chunks.push(value);
      offset += value.length;
    }
    this.values = new Float32Array(offset);
    chunks.forEach((chunk, i) => this.values.set(chunk, this.params[i].offset));
    this.refresh();
  }

  /** Number of parameter elements on this rank. */
  get size(): number {
    return this.values.length;
  }

  /** The owned parameter entry for a name (throws on a bug: asking for a parameter this rank does not hold). */
  entry(name: string): OwnedParam {
    const owned = this.byName.get(name);
    if (!owned) throw new Error(`parameter ${name} is not on this rank`);
    return owned;
  }

  /** The current tf tensor of a parameter. */
  tensor(name: string): tf.Tensor {
    const t = this.tensors.get(name);
    if (!t) throw new Error(`parameter ${name} is not on this rank`);
    return t;
  }

  /** Rebuilds the tf tensors from the flat values (after an optimizer step). */
  refresh(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors = new Map(this.params.map((p) => [p.spec.name, tf.tensor(this.values.subarray(p.offset, p.offset + p.length), p.shape)]));
  }

  /** Frees the tf tensors. */
  dispose(): void {
    for (const t of this.tensors.values()) t.dispose();
    this.tensors.clear();
  }
}

/** True when a parameter lives on the rank with this placement. */
export function ownsParam(spec: ParamSpec, placement: ShardPlacement): boolean {
  if (spec.owner === 'embed') return placement.hasEmbedding;
  if (spec.owner === 'head') return placement.hasHead;
  return spec.owner >= placement.firstLayer && spec.owner < placement.endLayer;
}
