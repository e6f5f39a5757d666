/**
 * The run controller (local part): places ranks, starts one worker per rank with the rendezvous
 * address and a fresh run secret (env only), streams their events, and stops every rank when the
 * run ends, is cancelled (AbortSignal) or loses a rank. No worker outlives a run.
 */
import { randomBytes } from 'node:crypto';
import { EngineEventParser, RANK_HEARTBEAT_TIMEOUT_MS, type EngineEvent, type ErrorEvent, type LogLine, type WorkerOutput } from '../../../src-shared/engine-events.js';
import { worldSizeOf, type TrainConfig } from '../../../src-shared/engine-config.js';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { findFreePort } from './free-port.js';
import { RankLiveness } from './rank-liveness.js';
import { deviceEnv, placeRanks, type RankPlacement } from './placement.js';
import { RunAggregator, type TrainingSummary, type StepProgress } from './run-summary.js';
import { localSpawner, type RankExit, type RankProcess, type Spawner } from './spawner.js';
import { currentWorkerRuntime, type WorkerRuntime } from './worker-runtime.js';

/** What to run and how to report. */
export interface RunOptions {
  config: TrainConfig;
  /** Id to use (e.g. the one already recorded in the store); a fresh one when absent. */
  runId?: string;
  /** Path of dist/worker.cjs. */
  workerPath: string;
  spawner?: Spawner;
  signal?: AbortSignal;
  onProgress?: (progress: StepProgress) => void;
  onEvent?: (event: EngineEvent) => void;
  /** Ranks' non-event output lines (stderr and stray stdout). */
  onLog?: (rank: number, line: string, stream: 'stdout' | 'stderr') => void;
  /** Called once every rank is started (tests use it to find the pids). */
  onStarted?: (ranks: Array<{ rank: number; pid: number }>) => void;
  /** Called once every rank is spawned, with its process (a remote rank's pid is known only later: read `process.pid` when needed). */
  onSpawned?: (ranks: Array<{ rank: number; host: string; process: RankProcess }>) => void;
  /** Devices to place ranks on, round-robin (default: this host's CPU cores). */
  devices?: string[];
  /** Address the ranks use to reach rank 0's rendezvous (default 127.0.0.1: a local run). */
  masterAddr?: string;
  /** Time a rank gets after SIGTERM before SIGKILL. */
  killGraceMs?: number;
  /** Silence after which a rank that sends heartbeats counts as stopped (default RANK_HEARTBEAT_TIMEOUT_MS). */
  heartbeatTimeoutMs?: number;
  /** Time a rank gets to exit after its run-end event before it is killed (a script hanging in its own shutdown); default 10 s. */
  exitGraceMs?: number;
  /** Where each rank runs (remote/mixed runs, see remote-launch.ts); default: placeRanks over `devices` on this host. */
  placements?: RankPlacement[];
  /** Spawner per placement host id (e.g. an SSH spawner per remote host); other hosts use `spawner`. */
  spawners?: Record<string, Spawner>;
  /** Rendezvous port (e.g. one found free on a remote rank 0's host); default: a free local port. */
  masterPort?: number;
  /** Builds each rank's command instead of the built-in worker's (e.g. the torch engine: torch-rank-command.ts). */
  rankCommand?: (launch: RankLaunch) => RankCommand;
  /** The Node.js that runs local workers (default: this process's, see worker-runtime.ts; the desktop app passes its own). */
  workerRuntime?: WorkerRuntime;
}

/** What an engine knows when it builds a rank's command. */
export interface RankLaunch {
  placement: RankPlacement;
  placements: RankPlacement[];
  worldSize: number;
  runId: string;
  masterAddr: string;
  masterPort: number;
}

/** A rank's command line and its extra environment (merged over the controller's). */
export interface RankCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
}

interface RankState {
  placement: RankPlacement;
  process: RankProcess;
  hasEnded: boolean;
  error: ErrorEvent | null;
  exit: RankExit | null;
  /** True when the rank ended before the controller began stopping ranks. */
  exitedOnItsOwn: boolean;
  /** True once the controller sent SIGKILL (after the SIGTERM grace period). */
  wasForceKilled: boolean;
  /** True when the rank finished every step but hung on exit and was killed after the exit grace period. */
  wasKilledAfterEnd: boolean;
  stderrTail: string;
}

/** A fresh run id: time-ordered and unique (`run-YYYYMMDDhhmmss-xxxxxx`). */
export function newRunId(): string {
  return `run-${new Date().toISOString().replace(/[-:.TZ]/g, '').slice(0, 14)}-${randomBytes(3).toString('hex')}`;
}

/** Starts a run and resolves with its summary; rejects with `worker-exit` naming the failed rank, or `cancelled`. */
export async function runTraining(options: RunOptions): Promise<TrainingSummary> {
  const { config } = options;
  const worldSize = worldSizeOf(config.strategy);
  const runId = options.runId ?? newRunId();
  const secret = randomBytes(32).toString('hex');
  const masterPort = options.masterPort ?? await findFreePort();
  const aggregator = new RunAggregator(worldSize, config.steps);
  const startedMs = Date.now();
  const spawner = options.spawner ?? localSpawner;
  options.signal?.throwIfAborted();

  let isStopping = false;
  let failure: ((reason: string) => void) | null = null;
  const failed = new Promise<string>((resolve) => { failure = resolve; });
  const masterAddr = options.masterAddr ?? '127.0.0.1';
  const placements = options.placements ?? placeRanks(worldSize, options.devices);
  if (placements.length !== worldSize) throw new ShardScopeError('bad-input', `placement has ${placements.length} ranks, the strategy needs ${worldSize}`);
  const runtime = options.rankCommand ? null : options.workerRuntime ?? currentWorkerRuntime();
  const ranks: RankState[] = placements.map((placement) => {
    const own = options.rankCommand?.({ placement, placements, worldSize, runId, masterAddr, masterPort });
    const process = (options.spawners?.[placement.host] ?? spawner)({
      rank: placement.rank,
      command: own?.command ?? runtime!.command,
      isWorker: !own,
      args: own?.args ?? [options.workerPath, 'train', '--config', JSON.stringify(config), '--rank', String(placement.rank), '--world-size', String(worldSize), '--master', `${masterAddr}:${masterPort}`],
      env: { SHARDSCOPE_RUN_SECRET: secret, SHARDSCOPE_RUN_ID: runId, SHARDSCOPE_STDIN_LIFELINE: '1', ...runtime?.env, ...deviceEnv(placement.device), ...own?.env },
    });
    return { placement, process, hasEnded: false, error: null, exit: null, exitedOnItsOwn: false, wasForceKilled: false, wasKilledAfterEnd: false, stderrTail: '' };
  });
  options.onStarted?.(ranks.map((r) => ({ rank: r.placement.rank, pid: r.process.pid })));
  options.onSpawned?.(ranks.map((r) => ({ rank: r.placement.rank, host: r.placement.host, process: r.process })));

  // A rank that stops sending heartbeats (SIGSTOP, hung host) ends the run naming it, within seconds.
  const liveness = new RankLiveness((rank) => failure?.(`rank ${rank} stopped responding`), options.heartbeatTimeoutMs);
  for (const state of ranks) {
    const { rank } = state.placement;
    const parser = new EngineEventParser();
    const handle = (item: WorkerOutput | LogLine) => {
      liveness.saw(rank);
      if (item.type === 'heartbeat') return liveness.beat(rank);
      if (item.type === 'log') return options.onLog?.(rank, item.line, 'stdout');
      options.onEvent?.(item);
      if (item.type === 'run-start') aggregator.addStart(item);
      else if (item.type === 'step') {
        const progress = aggregator.addStep(item);
        if (progress) options.onProgress?.(progress);
      } else if (item.type === 'run-end') {
        state.hasEnded = true;
        liveness.done(rank);
        // A rank that finished must also exit; one that hangs in its own shutdown is ended, not waited for.
        setTimeout(() => {
          if (state.exit !== null) return;
          state.wasKilledAfterEnd = true;
          state.process.kill('SIGKILL');
        }, options.exitGraceMs ?? 10_000).unref();
      }
      else if (item.type === 'error') {
        state.error = item;
        failure?.(`rank ${rank} failed`);
      }
    };
    state.process.stdout.setEncoding('utf8');
    state.process.stdout.on('data', (chunk: string) => parser.feed(chunk).forEach(handle));
    state.process.stdout.on('end', () => parser.end().forEach(handle));
    state.process.stderr.setEncoding('utf8');
    state.process.stderr.on('data', (chunk: string) => {
      state.stderrTail = (state.stderrTail + chunk).slice(-2000);
      for (const line of chunk.split('\n')) if (line.trim()) options.onLog?.(rank, line, 'stderr');
    });
  }

  const exits = ranks.map((state) => state.process.exited.then((exit) => {
    state.exit = exit;
    liveness.done(state.placement.rank);
    state.exitedOnItsOwn = !isStopping;
    if (!state.wasKilledAfterEnd && (exit.code !== 0 || !state.hasEnded)) failure?.(`rank ${state.placement.rank} exited`);
    return exit;
  }));
  const onAbort = () => failure?.('cancelled');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const allDone = Promise.all(exits).then(() => 'done');
  try {
    const outcome = await Promise.race([allDone, failed]);
    if (outcome === 'done' && ranks.every((r) => r.hasEnded && (r.exit?.code === 0 || r.wasKilledAfterEnd))) {
      return aggregator.summary({ runId, model: config.model.name, wallSeconds: (Date.now() - startedMs) / 1000, strategy: { ...config.strategy, microBatches: config.microBatches, schedule: config.schedule, zeroStage: config.zeroStage, recompute: config.recompute } });
    }
    isStopping = true;
    const silent = ranks.find((r) => r.placement.rank === liveness.silent);
    // A stopped process acts on no signal but SIGKILL: do not wait out the grace period for it.
    if (silent) {
      silent.wasForceKilled = true;
      silent.process.kill('SIGKILL');
    }
    await stopAll(ranks, options.killGraceMs ?? 3000);
    if (options.signal?.aborted) throw new ShardScopeError('cancelled', `run ${runId} cancelled; all ${worldSize} ranks stopped`);
    if (silent) throw silentRankFailure(silent, options.heartbeatTimeoutMs ?? RANK_HEARTBEAT_TIMEOUT_MS);
    throw describeFailure(ranks, runId);
  } finally {
    liveness.stop();
    options.signal?.removeEventListener('abort', onAbort);
    isStopping = true;
    await stopAll(ranks, options.killGraceMs ?? 3000);
  }
}

/** SIGTERM every live rank's process group, SIGKILL after the grace period, and wait for all exits. */
async function stopAll(ranks: RankState[], graceMs: number): Promise<void> {
  const live = ranks.filter((r) => r.exit === null);
  for (const r of live) r.process.kill('SIGTERM');
  const timer = setTimeout(() => live.forEach((r) => {
    r.wasForceKilled = true;
    r.process.kill('SIGKILL');
  }), graceMs);
  await Promise.all(live.map((r) => r.process.exited));
  clearTimeout(timer);
  // Anything the workers started lives in their process groups: make sure those are gone too.
  for (const r of ranks) r.process.kill('SIGKILL');
}

/** True when a rank died of something the controller did not do (it only sends SIGTERM, then SIGKILL after a grace period). */
function diedOnItsOwn(r: RankState): boolean {
  if (!r.exit || r.error) return false;
  if (r.exitedOnItsOwn) return r.exit.signal !== null || r.exit.code !== 0;
  return r.exit.signal !== null && r.exit.signal !== 'SIGTERM' && !r.wasForceKilled;
}

/** The failure of a rank that stopped sending heartbeats. */
function silentRankFailure(r: RankState, timeoutMs: number): ShardScopeError {
  const { rank, device, host } = r.placement;
  const where = host === LOCAL_HOST_ID ? device : `host ${host}, ${device}`;
  return new ShardScopeError('worker-exit', `rank ${rank} (${where}, pid ${r.process.pid}) stopped responding: no heartbeat for ${Math.round(timeoutMs / 1000)} s (stopped or hung); all ranks stopped`, { rank, host });
}

/** The root cause: a rank that died without reporting beats ranks that merely lost a peer. */
function describeFailure(ranks: RankState[], runId: string): ShardScopeError {
  const silent = ranks.find(diedOnItsOwn);
  const reported = ranks.find((r) => r.error && r.error.kind !== 'peer-lost' && r.error.kind !== 'timeout') ?? ranks.find((r) => r.error);
  const culprit = silent ?? reported;
  if (!culprit) return new ShardScopeError('worker-exit', `run ${runId} failed: a rank exited before finishing`);
  const { rank, device, host } = culprit.placement;
  const where = host === LOCAL_HOST_ID ? device : `host ${host}, ${device}`;
  if (culprit === silent && culprit.exit) {
    const how = culprit.exit.reason ? `lost: ${culprit.exit.reason}` : culprit.exit.signal ? `was killed by ${culprit.exit.signal}` : `exited with code ${culprit.exit.code}`;
    const tail = culprit.exit.reason ? undefined : culprit.stderrTail.trim().split('\n').pop();
    return new ShardScopeError('worker-exit', `rank ${rank} (${where}, pid ${culprit.process.pid}) ${how}${tail ? `: ${tail}` : ''}; all ranks stopped`, { rank, host });
  }
  const error = culprit.error as ErrorEvent;
  return new ShardScopeError(error.kind === 'bad-input' ? 'bad-input' : 'worker-exit', `rank ${rank} (${where}) failed: ${error.message} [${error.kind}]; all ranks stopped`, { rank, host });
}
