/**
 * `node dist/worker.cjs backend [--backend NAME] [--threads N]`: starts the training backend the way a rank
 * does, checks it computes (a matmul and the gradient of gather) and prints the report as one JSON line.
 * Used to see which backend a host gets before a run, and by the bundle tests.
 */
import * as tf from '@tensorflow/tfjs-core';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { ShardScopeError } from '../../src-shared/errors.js';
import { activeBackendName, initBackend, parseBackendName } from '../engine/backend/index.js';

/** Runs the check and prints `{name, device, threads, fallbacks, active, checkPassed, host: {cpuModel, cores, node}}`. */
export async function backendCommand(args: string[]): Promise<number> {
  let values: { backend?: string; threads?: string };
  try {
    values = parseArgs({ args, options: { backend: { type: 'string' }, threads: { type: 'string' } }, strict: true }).values;
  } catch (error) {
    process.stderr.write(`shardscope-worker backend: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  try {
    const preferred = values.backend === undefined ? undefined : parseBackendName(values.backend);
    const threads = values.threads === undefined ? undefined : Number(values.threads);
    const report = await initBackend(preferred, { threads });
    const table = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const gradient = tf.grad((t: tf.Tensor) => tf.sum(tf.matMul(tf.gather(t, [0, 2, 2]), t, false, true)))(table);
    const checkPassed = Array.from(gradient.dataSync()).every(Number.isFinite);
    // the host it runs on, as calibrate needs it before it measures (cores decide the shards and contention probes)
    const host = { cpuModel: cpus()[0]?.model ?? 'unknown', cores: Math.max(1, cpus().length), node: process.versions.node };
    process.stdout.write(`${JSON.stringify({ ...report, active: activeBackendName(), checkPassed, host })}\n`);
    return checkPassed ? 0 : 1;
  } catch (error) {
    if (!(error instanceof ShardScopeError)) throw error;
    process.stderr.write(`shardscope-worker backend: ${error.message}\n`);
    return error.kind === 'bad-input' ? 2 : 1;
  }
}
