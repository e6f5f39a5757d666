/**
 * Calibrates this host: worker processes started like ranks measure the built-in engine at the
 * model's shapes (calibrate-engine), its contention when ranks share the host (the same workload
 * alone and side by side) and our collectives against message size (calibrate-collective-rank).
 * Progress goes to `onProgress`; an abort kills every child.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus } from 'node:os';
import type { CalibrationProbeResult, CollectiveTiming, EngineCalibration, HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import type { ModelConfig } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { findFreePort } from '../launch/free-port.js';

/** What to measure. */
export interface MeasureHostOptions {
  workerPath: string;
  hostId: string;
  model: ModelConfig;
  globalBatch: number;
  /** Version of ShardScope doing the measuring. */
  shardscopeVersion: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
  /** Repetitions per figure (median); default 5. */
  reps?: number;
  env?: NodeJS.ProcessEnv;
}

function runWorker(options: MeasureHostOptions, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [options.workerPath, ...args], { env: { ...process.env, ...options.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], signal: options.signal, killSignal: 'SIGKILL' });
    let stdout = '';
    let lastErr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n').filter(Boolean)) {
        lastErr = line;
        options.onProgress?.(`  ${line}`);
      }
    });
    child.on('error', (error) => reject(options.signal?.aborted ? new ShardScopeError('cancelled', 'calibrate: interrupted') : error));
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new ShardScopeError('worker-exit', `calibrate: worker ${args[0]} exited ${code}: ${lastErr}`))));
  });
}

/** Sequences per micro-batch the strategies of this global batch can give a rank (divisors). */
function batchSizes(globalBatch: number): number[] {
  return Array.from({ length: globalBatch }, (_, i) => i + 1).filter((b) => globalBatch % b === 0);
}


async function measureContention(options: MeasureHostOptions, modelJson: string, cores: number): Promise<Pick<EngineCalibration, 'concurrency' | 'activationResidentFraction' | 'segmentedOverheadBytes'>> {
  const runProbe = (n: number) => Promise.all(Array.from({ length: n }, () => runWorker(options, ['calibrate-engine', '--model', modelJson, '--batches', String(Math.max(1, Math.floor(options.globalBatch / 2))), '--probe', '5'])))
    .then((outs) => outs.map((o) => JSON.parse(o.trim()) as CalibrationProbeResult));
  const probe = (n: number) => runProbe(n).then((results) => results.map((r) => r.seconds));
  const [first] = await runProbe(1);
  const alone = first.seconds;
  const activationResidentFraction = first.peakResidentBytes !== null && first.runtimeBaselineBytes !== null && first.frameworkPeakBytes > 0
    ? Math.max(0, (first.peakResidentBytes - first.runtimeBaselineBytes - first.heldBytes) / first.frameworkPeakBytes) : 1;
  options.onProgress?.(`memory: ${(activationResidentFraction * 100).toFixed(0)}% of the framework's activation peak became resident (VmHWM) at micro-batch ${Math.max(1, Math.floor(options.globalBatch / 2))}`);
  const probeTp = options.model.heads % 2 === 0 ? 2 : 1;
  const stage = JSON.parse((await runWorker(options, ['calibrate-engine', '--model', modelJson, '--batches', String(Math.max(1, Math.floor(options.globalBatch / 2))), '--probe', '5', '--probe-tp', String(probeTp)])).trim()) as CalibrationProbeResult;
  const segmentedOverheadBytes = stage.peakResidentBytes !== null && stage.runtimeBaselineBytes !== null
    ? Math.max(0, stage.peakResidentBytes - stage.runtimeBaselineBytes - stage.heldBytes - activationResidentFraction * stage.frameworkPeakBytes) : 0;
  options.onProgress?.(`memory: a segmented stage (TP shard 1/${probeTp}) holds ${(segmentedOverheadBytes / 2 ** 20).toFixed(1)} MiB more than its tensors (copies between segments)`);
  const out = [{ processes: 1, slowdown: 1 }];
  for (const n of [...new Set([2, cores])].filter((n) => n >= 2)) {
    const together = await probe(n);
    out.push({ processes: n, slowdown: together.reduce((a, s) => a + s, 0) / together.length / alone });
    options.onProgress?.(`contention: ${n} ranks computing at once run ${out[out.length - 1].slowdown.toFixed(2)}x slower than one`);
  }
  return { concurrency: out, activationResidentFraction, segmentedOverheadBytes };
}

async function measureCollectives(options: MeasureHostOptions, groupSize: number): Promise<CollectiveTiming[]> {
  const port = await findFreePort();
  const secret = randomBytes(24).toString('hex');
  const outs = await Promise.all(Array.from({ length: groupSize }, (_, rank) => runWorker(options,
    ['calibrate-collective-rank', '--rank', String(rank), '--world', String(groupSize), '--master-port', String(port), '--reps', String(options.reps ?? 5)],
    { SHARDSCOPE_RUN_SECRET: secret })));
  return outs[0].trim().split('\n').filter(Boolean).map((line) => ({ ...(JSON.parse(line) as Omit<CollectiveTiming, 'scope'>), scope: 'host' as const }));
}

/** Measures this host; resolves with the calibration (not yet stored). */
export async function measureHost(options: MeasureHostOptions): Promise<HostCalibration> {
  const say = (line: string) => options.onProgress?.(line);
  const cores = Math.max(1, cpus().length);
  const modelJson = JSON.stringify(options.model);
  const tps = [1, 2, 4].filter((tp) => options.model.heads % tp === 0 && tp <= Math.max(2, cores));
  say(`${options.hostId}: built-in engine at the shapes of ${options.model.name} (micro-batches ${batchSizes(options.globalBatch).join(', ')}; TP shards ${tps.map((t) => `1/${t}`).join(', ')})`);
  const engineOut = await runWorker(options, ['calibrate-engine', '--model', modelJson, '--batches', batchSizes(options.globalBatch).join(','), '--tp', tps.join(','), '--reps', String(options.reps ?? 5)]);
  const { tfjsVersion, ...engine } = JSON.parse(engineOut.trim()) as Omit<EngineCalibration, 'concurrency' | 'activationResidentFraction' | 'segmentedOverheadBytes'> & { tfjsVersion: string };
  say(`${options.hostId}: contention between ranks on ${cores} cores`);
  const contention = await measureContention(options, modelJson, cores);
  say(`${options.hostId}: collectives (all-reduce, reduce-scatter, all-gather, send) against message size, 2 ranks`);
  const collectives = await measureCollectives(options, 2);
  return {
    hostId: options.hostId,
    measuredAtMs: Date.now(),
    origin: { kind: 'calibrate' },
    software: { node: process.versions.node, shardscope: options.shardscopeVersion, tfjs: tfjsVersion, backend: `${engine.backend} (${engine.device})` },
    cpu: { model: cpus()[0]?.model ?? 'unknown', cores },
    engines: [{ ...engine, ...contention }],
    collectives,
    power: null,
    missing: [
      'power: idle/loaded power is not measured by calibrate yet (runs still integrate measured or estimated power)',
      'torch engine: PyTorch GEMM and Gloo collectives are not calibrated yet (predictions cover the built-in engine)',
      'collectives across hosts: calibrate measures this host only (--hosts not implemented yet)',
    ],
  };
}
