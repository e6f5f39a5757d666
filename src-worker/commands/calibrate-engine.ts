/**
 * `node dist/worker.cjs calibrate-engine --model JSON --batches 1,2,4,8 --tp 1,2 [--reps N] [--backend NAME]`
 * measures, in a process started like a rank, what predictions of the built-in engine need: the
 * runtime's peak memory before any model (VmHWM), matrix-product FLOP/s at the model's GEMM shapes,
 * the engine's segments per micro-batch size and TP shard, Adam and the parameter refresh per element,
 * memory bandwidth. Progress lines on stderr; the result as one JSON line on stdout.
 * `--probe N [--probe-tp T]` instead times N repetitions of the whole-model tape (or, with --probe-tp, a segmented
 * first stage on a TP shard of T: calibrate/memory-probes.ts) at the first batch size and prints
 * {seconds, runtimeBaselineBytes, peakResidentBytes, heldBytes, frameworkPeakBytes} (run alone and side by side by the
 * caller to measure contention between ranks; alone, its peak resident memory against the framework's peak says how much of
 * the framework's peak becomes resident memory).
 */
import * as tf from '@tensorflow/tfjs-core';
import { parseArgs } from 'node:util';
import type { EngineCalibration, MatmulThroughput } from '../../src-shared/calibration/calibration-record.js';
import { validateModel, type ModelConfig } from '../../src-shared/engine-config.js';
import { ShardScopeError } from '../../src-shared/errors.js';
import { Adam } from '../engine/adam.js';
import { initBackend, parseBackendName } from '../engine/backend/index.js';
import { processPeakMemoryBytes } from '../engine/process-peak-memory.js';
import { meanSeconds, medianSeconds, shardStore, timeSegments } from '../calibrate/segment-timer.js';
import { probeFused, probeStage } from '../calibrate/memory-probes.js';

function list(text: string | undefined, fallback: number[], what: string): number[] {
  if (text === undefined) return fallback;
  const values = text.split(',').map(Number);
  if (!values.every((v) => Number.isInteger(v) && v > 0)) throw new ShardScopeError('bad-input', `--${what} must be comma-separated positive integers, got "${text}"`);
  return values;
}

/** GEMMs of one block, the head, for `rows` tokens on a TP shard of `tp`. */
function gemmShapes(model: ModelConfig, rows: number, tp: number): Array<[number, number, number]> {
  const h = model.hidden;
  return [[rows, h, (3 * h) / tp], [rows, h / tp, h], [rows, h, (4 * h) / tp], [rows, (4 * h) / tp, h], [rows, h, model.vocab]];
}

async function matmulThroughput(m: number, k: number, n: number, reps: number): Promise<MatmulThroughput> {
  const a = tf.randomNormal([m, k]) as tf.Tensor2D;
  const b = tf.randomNormal([k, n]) as tf.Tensor2D;
  const seconds = await medianSeconds(reps, () => { tf.matMul(a, b).dispose(); });
  a.dispose();
  b.dispose();
  return { m, k, n, flopsPerSecond: (2 * m * k * n) / seconds };
}

function perElementSeconds(model: ModelConfig, reps: number): Promise<{ adam: number; refresh: number; bandwidth: number }> {
  return (async () => {
    const store = shardStore(model, 1, true);
    const n = store.size;
    const adam = new Adam(n, { learningRate: 1e-4 });
    const grads = new Float32Array(n).fill(1e-3);
    const adamSeconds = await meanSeconds(reps, () => adam.step(store.values, grads));
    const refreshSeconds = await meanSeconds(reps, () => store.refresh());
    store.dispose();
    const big = new Float32Array(16 * 1024 * 1024);
    const copy = new Float32Array(big.length);
    const copySeconds = await medianSeconds(reps, () => copy.set(big));
    return { adam: adamSeconds / n, refresh: refreshSeconds / n, bandwidth: (2 * big.byteLength) / copySeconds };
  })();
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ShardScopeError('bad-input', 'calibrate-engine: --model is not valid JSON');
  }
}

/** The command. */
export async function calibrateEngineCommand(args: string[]): Promise<number> {
  try {
    const { values } = parseArgs({ args, strict: true, options: {
      model: { type: 'string' }, batches: { type: 'string' }, tp: { type: 'string' }, reps: { type: 'string' }, backend: { type: 'string' }, probe: { type: 'string' }, 'probe-tp': { type: 'string' }, 'probe-tp-copies': { type: 'boolean' },
    } });
    if (!values.model) throw new ShardScopeError('bad-input', 'calibrate-engine: --model JSON is required');
    const model = validateModel(parseJson(values.model));
    const batches = list(values.batches, [1, 2, 4, 8], 'batches');
    const tps = list(values.tp, [1], 'tp').filter((tp) => model.heads % tp === 0);
    const reps = list(values.reps, [3], 'reps')[0];
    const backend = await initBackend(values.backend === undefined ? undefined : parseBackendName(values.backend));
    tf.matMul(tf.ones([8, 8]) as tf.Tensor2D, tf.ones([8, 8]) as tf.Tensor2D).dataSync();
    const runtimeBaselineBytes = processPeakMemoryBytes();
    if (values.probe !== undefined) {
      const probeReps = list(values.probe, [5], 'probe')[0];
      const result = values['probe-tp'] === undefined ? await probeFused(model, batches[0], probeReps)
        : await probeStage(model, batches[0], list(values['probe-tp'], [2], 'probe-tp')[0], probeReps, values['probe-tp-copies'] === true);
      process.stdout.write(`${JSON.stringify({ ...result, runtimeBaselineBytes })}\n`);
      return 0;
    }
    const say = (line: string) => process.stderr.write(`${line}\n`);
    const matmul: MatmulThroughput[] = [];
    for (const tp of tps) for (const [m, k, n] of gemmShapes(model, batches[batches.length - 1] * model.seqLen, tp)) matmul.push(await matmulThroughput(m, k, n, reps));
    say(`matmul: ${matmul.map((t) => `${t.m}x${t.k}x${t.n} ${(t.flopsPerSecond / 1e9).toFixed(2)} GFLOP/s`).join(', ')}`);
    const segments = [];
    for (const tp of tps) {
      for (const batch of batches) {
        segments.push(...await timeSegments(model, tp, batch, reps));
        say(`segments: tp shard 1/${tp}, micro-batch ${batch} measured`);
      }
    }
    const perElement = await perElementSeconds(model, reps);
    say(`adam ${(perElement.adam * 1e9).toFixed(2)} ns/element, memory bandwidth ${(perElement.bandwidth / 1e9).toFixed(2)} GB/s`);
    const result: Omit<EngineCalibration, 'concurrency' | 'activationResidentFraction' | 'segmentedOverheadBytes'> = {
      engine: 'tfjs', backend: backend.name, device: backend.device, model, segments, matmul,
      adamSecondsPerElement: perElement.adam, refreshSecondsPerElement: perElement.refresh,
      memoryBandwidthBytesPerSecond: perElement.bandwidth, runtimeBaselineBytes: runtimeBaselineBytes ?? 0,
    };
    process.stdout.write(`${JSON.stringify({ ...result, tfjsVersion: tf.version_core })}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    process.stderr.write(`shardscope-worker calibrate-engine: ${message}\n`);
    return error instanceof ShardScopeError && error.kind === 'bad-input' ? 2 : 1;
  }
}
