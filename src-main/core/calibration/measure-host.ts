/**
 * Calibrates one host: worker processes started like ranks (here, or on an SSH host through its
 * deployed runtime: `spawner`) measure the built-in engine at the model's shapes (calibrate-engine),
 * its contention when ranks share the host (the same workload alone and side by side) and our
 * collectives against message size (calibrate-collective-rank). Progress goes to `onProgress`; an
 * abort kills every child.
 */
import { randomBytes } from 'node:crypto';
import type { CalibrationProbeResult, CollectiveTiming, CollectiveMemory, ConcurrencyPoint, EngineCalibration, HostCalibration, LockstepJitter, TorchCalibration, TpLockstep } from '../../../src-shared/calibration/calibration-record.js';
import type { ModelConfig } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { findFreePort } from '../launch/free-port.js';
import { localSpawner, type Spawner } from '../launch/spawner.js';
import { currentWorkerRuntime, type WorkerRuntime } from '../launch/worker-runtime.js';
import { calibrationSmiPath, measureGpuPower, torchGpuLoad } from './measure-gpu-power.js';
import { measurePower } from './measure-power.js';
import { measureTorch, microBatchSizes } from './measure-torch.js';

/** What to measure, and where. */
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
  /** Extra environment of local workers (the CLI's). Remote workers get only what the measurement needs. */
  env?: NodeJS.ProcessEnv;
  /** Starts the workers (default: here); an SSH host's spawner runs them there with its deployed Node.js. */
  spawner?: Spawner;
  /** The Node.js that runs a local worker (default: this process's). */
  workerRuntime?: WorkerRuntime;
  /** A TCP port free on the host (default: one free here). */
  freePort?: () => Promise<number>;
  /** Calibrates the PyTorch engine there (default: here); a string = why not. */
  measureTorch?: () => Promise<TorchCalibration | string>;
  /** Reads the host's power sensors (default: RAPL read through `spawner`, so on the host measured); a string = why not. */
  readPower?: () => Promise<{ idleWatts: number; loadedWatts: number; source: string } | string>;
  /** nvidia-smi for GPU power (default: here the one runs use, on an SSH host `nvidia-smi` from its PATH). */
  nvidiaSmi?: string;
}

/** Runs one worker command to its end; resolves with its stdout, rejects with its last stderr line. */
export function runWorker(options: Pick<MeasureHostOptions, 'workerPath' | 'spawner' | 'workerRuntime' | 'env' | 'signal' | 'onProgress' | 'hostId'>, args: string[], env: Record<string, string> = {}, rank = 0): Promise<string> {
  const runtime = options.workerRuntime ?? currentWorkerRuntime();
  const isLocal = options.spawner === undefined;
  const child = (options.spawner ?? localSpawner)({
    rank, command: runtime.command, isWorker: true, args: [options.workerPath, ...args],
    env: { ...runtime.env, ...(isLocal ? (options.env as Record<string, string> | undefined) : {}), ...env },
  });
  const onAbort = (): void => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let stdout = '';
  let lastErr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk; });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    for (const line of chunk.split('\n').filter(Boolean)) {
      lastErr = line;
      options.onProgress?.(`  ${isLocal ? '' : `${options.hostId}: `}${line}`);
    }
  });
  return child.exited.then((exit) => {
    options.signal?.removeEventListener('abort', onAbort);
    if (options.signal?.aborted) throw new ShardScopeError('cancelled', 'calibrate: interrupted');
    if (exit.code === 0) return stdout;
    throw new ShardScopeError('worker-exit', `calibrate: worker ${args[0]} on ${options.hostId} exited ${exit.code ?? exit.signal}: ${exit.reason ?? lastErr}`);
  });
}

/** The host a worker runs on, as the worker's `backend` check reports it. */
interface WorkerHost { cpuModel: string; cores: number; node: string }



async function measureContention(options: MeasureHostOptions, modelJson: string, cores: number): Promise<Pick<EngineCalibration, 'concurrency' | 'activationResidentFraction' | 'segmentedOverheadBytes' | 'tpCopyOverheadBytes' | 'probeBatch'>> {
  const probeBatch = Math.max(1, Math.floor(options.globalBatch / 2));
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
  let tpCopyOverheadBytes = 0;
  if (probeTp > 1) {
    const copies = JSON.parse((await runWorker(options, ['calibrate-engine', '--model', modelJson, '--batches', String(probeBatch), '--probe', '5', '--probe-tp', String(probeTp), '--probe-tp-copies'])).trim()) as CalibrationProbeResult;
    tpCopyOverheadBytes = copies.peakResidentBytes !== null && stage.peakResidentBytes !== null ? Math.max(0, copies.peakResidentBytes - stage.peakResidentBytes) : 0;
    options.onProgress?.(`memory: the copies around its TP all-reduces add ${(tpCopyOverheadBytes / 2 ** 20).toFixed(1)} MiB to that stage's peak at micro-batch ${probeBatch}`);
  }
  // 2 ranks: measured in one group of processes with the collectives (measureCollectives); more: separate processes
  const out = [{ processes: 1, slowdown: 1 }];
  for (const n of [cores].filter((n) => n > 2)) {
    const together = await probe(n);
    out.push({ processes: n, slowdown: together.reduce((a, s) => a + s, 0) / together.length / alone });
    const { slowdown } = out[out.length - 1];
    options.onProgress?.(`contention: ${n} ranks computing at once run ${slowdown.toFixed(2)}x slower than one${slowdown < 1 ? ' (below 1: the host\'s load changed between the probes; predictions take it as 1)' : ''}`);
  }
  return { concurrency: out, activationResidentFraction, segmentedOverheadBytes, tpCopyOverheadBytes, probeBatch };
}

/** What the 2-rank group measures besides the collectives: lockstep waits, the fused step's contention, a TP layer in lockstep. */
interface GroupProbes {
  lockstep: LockstepJitter | null;
  contention: ConcurrencyPoint | null;
  tpLockstep: TpLockstep | null;
}

async function measureCollectives(options: MeasureHostOptions, groupSize: number): Promise<{ timings: CollectiveTiming[] } & GroupProbes> {
  const port = await (options.freePort ?? findFreePort)();
  const secret = randomBytes(24).toString('hex');
  const probeBatch = Math.max(1, Math.floor(options.globalBatch / 2));
  const outs = await Promise.all(Array.from({ length: groupSize }, (_, rank) => runWorker(options,
    ['calibrate-collective-rank', '--rank', String(rank), '--world', String(groupSize), '--master-port', String(port), '--reps', String(options.reps ?? 5), '--lockstep-ms', '20',
      '--probe-model', JSON.stringify(options.model), '--probe-batch', String(probeBatch)],
    { SHARDSCOPE_RUN_SECRET: secret }, rank)));
  type Line = Omit<CollectiveTiming, 'scope'> | { lockstep: LockstepJitter } | { contention: ConcurrencyPoint } | { tpLockstep: TpLockstep };
  const lines = outs[0].trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Line);
  const lockstep = lines.find((l): l is { lockstep: LockstepJitter } => 'lockstep' in l)?.lockstep ?? null;
  const found = lines.find((l): l is { contention: ConcurrencyPoint } => 'contention' in l)?.contention;
  const tpLockstep = lines.find((l): l is { tpLockstep: TpLockstep } => 'tpLockstep' in l)?.tpLockstep ?? null;
  return {
    timings: lines.filter((l): l is Omit<CollectiveTiming, 'scope'> => 'op' in l).map((l) => ({ ...l, scope: 'host' as const })),
    lockstep, contention: found ? { processes: found.processes, slowdown: found.slowdown } : null, tpLockstep,
  };
}

/** Peak resident growth of each gradient collective on the largest payload, 2 ranks in fresh processes (one op each). */
async function measureCollectiveMemory(options: MeasureHostOptions): Promise<CollectiveMemory[]> {
  const out: CollectiveMemory[] = [];
  for (const op of ['allReduce', 'reduceScatter', 'allGather'] as const) {
    const port = await (options.freePort ?? findFreePort)();
    const secret = randomBytes(24).toString('hex');
    const outs = await Promise.all([0, 1].map((rank) => runWorker(options,
      ['calibrate-collective-rank', '--rank', String(rank), '--world', '2', '--master-port', String(port), '--memory-op', op, '--sizes-bytes', String(16 * 2 ** 20)],
      { SHARDSCOPE_RUN_SECRET: secret }, rank)));
    out.push((JSON.parse(outs[0].trim().split('\n').pop() as string) as { memory: CollectiveMemory }).memory);
  }
  return out;
}

/** Measures the host; resolves with the calibration (not yet stored). */
export async function measureHost(options: MeasureHostOptions): Promise<HostCalibration> {
  const say = (line: string) => options.onProgress?.(line);
  const checked = JSON.parse((await runWorker(options, ['backend'])).trim().split('\n').pop() as string) as { host: WorkerHost };
  const { cores, cpuModel } = checked.host;
  const modelJson = JSON.stringify(options.model);
  // every TP shard the engine can split the model into (a run may put more ranks on a host, or spread them over hosts, than it has cores)
  const tps = [1, 2, 4].filter((tp) => options.model.heads % tp === 0);
  say(`${options.hostId}: built-in engine at the shapes of ${options.model.name} (micro-batches ${microBatchSizes(options.globalBatch).join(', ')}; TP shards ${tps.map((t) => `1/${t}`).join(', ')})`);
  const engineOut = await runWorker(options, ['calibrate-engine', '--model', modelJson, '--batches', microBatchSizes(options.globalBatch).join(','), '--tp', tps.join(','), '--reps', String(options.reps ?? 5)]);
  const { tfjsVersion, ...engine } = JSON.parse(engineOut.trim()) as Omit<EngineCalibration, 'concurrency' | 'activationResidentFraction' | 'segmentedOverheadBytes'> & { tfjsVersion: string };
  say(`${options.hostId}: contention between ranks on ${cores} cores`);
  const contention = await measureContention(options, modelJson, cores);
  say(`${options.hostId}: collectives (all-reduce, reduce-scatter, all-gather, send) against message size, 2 ranks`);
  const { timings: collectives, lockstep, contention: together, tpLockstep } = await measureCollectives(options, 2);
  if (together) {
    contention.concurrency = [...contention.concurrency, together].sort((a, b) => a.processes - b.processes);
    say(`${options.hostId}: contention: 2 ranks computing the fused step at once run ${together.slowdown.toFixed(2)}x slower than one alone (interleaved in the same processes)${together.slowdown < 1 ? ' (below 1: the host\'s load changed between the probes; predictions take it as 1)' : ''}`);
  }
  if (tpLockstep) say(`${options.hostId}: a TP layer in lockstep (TP ${tpLockstep.tp}, micro-batch ${tpLockstep.batch}): forward x${tpLockstep.forwardSlowdown.toFixed(2)}, backward x${tpLockstep.backwardSlowdown.toFixed(2)} of its compute alone; each all-reduce ${(tpLockstep.syncSeconds * 1e3).toFixed(1)} ms (bare ${(tpLockstep.bareAllReduceSeconds * 1e3).toFixed(1)} ms)`);
  const collectiveMemory = await measureCollectiveMemory(options);
  say(`${options.hostId}: collective buffers beyond the payload: ${collectiveMemory.map((m) => `${m.op} ${(m.growthBytes / m.bytes).toFixed(2)}x`).join(', ')} (peak resident growth at ${(collectiveMemory[0]?.bytes ?? 0) / 2 ** 20} MiB)`);
  if (lockstep) say(`${options.hostId}: ranks in lockstep wait ${(lockstep.waitFraction * 100).toFixed(1)}% of their compute for each other (segments of ${(lockstep.segmentSeconds * 1e3).toFixed(0)} ms)`);
  say(`${options.hostId}: power, idle and loaded`);
  const power = await (options.readPower ?? (() => measurePower({ hostId: options.hostId, spawner: options.spawner, load: () => runWorker(options, ['calibrate-engine', '--model', modelJson, '--batches', String(Math.max(1, Math.floor(options.globalBatch / 2))), '--probe', '5']).then(() => undefined) })))();
  if (typeof power === 'string') say(`${options.hostId}: ${power}`);
  say(`${options.hostId}: PyTorch engine (matmul at the model's GEMM shapes, Gloo all-reduce between 2 ranks) where Python and torch are present`);
  const torchHere = options.measureTorch ?? (() => measureTorch({ hostId: options.hostId, model: options.model, globalBatch: options.globalBatch, reps: options.reps, onProgress: options.onProgress, signal: options.signal }));
  // GPU power: idle before the torch calibration, loaded while it runs on CUDA (measure-gpu-power.ts)
  const smi = calibrationSmiPath(options.spawner === undefined, options.env, options.nvidiaSmi);
  if ('path' in smi && smi.path) say(`${options.hostId}: GPU power (nvidia-smi power.draw) idle, then while the PyTorch calibration runs`);
  const gpu = 'path' in smi && smi.path ? await measureGpuPower({ hostId: options.hostId, smiPath: smi.path, spawner: options.spawner, load: torchHere, gpuLoadOf: torchGpuLoad })
    : { gpuPower: null, result: await torchHere(), missing: 'error' in smi ? [`GPU power: ${smi.error}`] : [] };
  const torch = gpu.result;
  if (typeof torch === 'string') say(`${options.hostId}: PyTorch not calibrated: ${torch}`);
  gpu.missing.forEach((m) => say(`${options.hostId}: ${m}`));
  return {
    hostId: options.hostId,
    measuredAtMs: Date.now(),
    origin: { kind: 'calibrate' },
    software: { node: checked.host.node, shardscope: options.shardscopeVersion, tfjs: tfjsVersion, backend: `${engine.backend} (${engine.device})` },
    cpu: { model: cpuModel, cores },
    engines: [{ ...engine, ...contention }],
    collectives,
    ...(lockstep ? { lockstep } : {}),
    ...(tpLockstep ? { tpLockstep } : {}),
    collectiveMemory,
    power: typeof power === 'string' ? null : power,
    ...(typeof torch === 'string' ? {} : { torch }),
    ...(gpu.gpuPower ? { gpuPower: gpu.gpuPower } : {}),
    missing: [
      ...(typeof power === 'string' ? [power] : []),
      ...gpu.missing,
      ...(typeof torch === 'string' ? [torch] : []),
      'collectives across hosts: measured only by calibrate --hosts FILE, for the hosts of the file',
    ],
  };
}
