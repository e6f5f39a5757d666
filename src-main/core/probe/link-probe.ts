/**
 * Link probe: measured latency and bandwidth between every pair of a run's hosts, rank to rank over
 * TCP with the worker's `link-probe` command (the same authenticated collectives a run uses), one
 * pair at a time so the measurements do not share the links. The slowest pair is what the planner
 * should assume between nodes (`overrides.interNodeBytesPerSecond`).
 */
import { randomBytes } from 'node:crypto';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { PreparedRun } from '../launch/remote-launch.js';
import { localSpawner, type RankExit, type Spawner } from '../launch/spawner.js';
import { currentWorkerRuntime, type WorkerRuntime } from '../launch/worker-runtime.js';

/** One measured link (both directions share it; bandwidth is measured from `to` to `from`). */
export interface LinkMeasurement {
  from: string;
  to: string;
  latencyMs: number;
  bytesPerSecond: number;
  measuredAtMs: number;
}

/** How long to stream per pair (default 2 s) and the local worker bundle path. */
export interface ProbeOptions {
  workerPath: string;
  /** The Node.js that runs a local end (default: this process's; the desktop app passes its own). */
  workerRuntime?: WorkerRuntime;
  seconds?: number;
  signal?: AbortSignal;
}

/** Probes every pair of `prepared`'s hosts, in order; a pair that fails rejects naming both hosts. */
export async function probeLinks(prepared: Pick<PreparedRun, 'hostIds' | 'addresses' | 'freePort' | 'spawners'>, options: ProbeOptions): Promise<LinkMeasurement[]> {
  const ids = prepared.hostIds;
  const results: LinkMeasurement[] = [];
  for (let i = 0; i < ids.length; i++) {
    for (let j = i + 1; j < ids.length; j++) {
      options.signal?.throwIfAborted();
      results.push(await probePair(prepared, ids[i], ids[j], options));
    }
  }
  return results;
}

/** The planner's inter-node bandwidth: the slowest measured pair (null with no pairs). */
export function interNodeBytesPerSecondOf(links: readonly LinkMeasurement[]): number | null {
  return links.length === 0 ? null : Math.min(...links.map((l) => l.bytesPerSecond));
}

async function probePair(prepared: Pick<PreparedRun, 'addresses' | 'freePort' | 'spawners'>, from: string, to: string, options: ProbeOptions): Promise<LinkMeasurement> {
  const seconds = options.seconds ?? 2;
  const port = await prepared.freePort(from, options.signal);
  const master = `${prepared.addresses[from]}:${port}`;
  const secret = randomBytes(32).toString('hex');
  const spawnerOf = (id: string): Spawner => prepared.spawners[id] ?? localSpawner;
  const runtime = options.workerRuntime ?? currentWorkerRuntime();
  const ranks = [from, to].map((id, rank) => spawnerOf(id)({
    rank, command: runtime.command, isWorker: true,
    args: [options.workerPath, 'link-probe', '--rank', String(rank), '--master', master, '--seconds', String(seconds)],
    env: { ...runtime.env, SHARDSCOPE_RUN_SECRET: secret },
  }));
  let stdout = '';
  const stderr = ['', ''];
  ranks[0].stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  ranks.forEach((r, i) => r.stderr.setEncoding('utf8').on('data', (d: string) => { stderr[i] = (stderr[i] + d).slice(-500); }));
  const limitMs = (seconds + 30) * 1000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => { timer = setTimeout(() => resolve('timeout'), limitMs); });
  const onAbort = (): void => ranks.forEach((r) => r.kill('SIGKILL'));
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const outcome = await Promise.race([Promise.all(ranks.map((r) => r.exited)), timedOut]);
    if (outcome === 'timeout') {
      ranks.forEach((r) => r.kill('SIGKILL'));
      await Promise.all(ranks.map((r) => r.exited));
      throw new ShardScopeError('timeout', `link probe ${from} <-> ${to}: no result within ${limitMs / 1000} s`);
    }
    const failed = (outcome as RankExit[]).findIndex((e) => e.code !== 0);
    if (failed >= 0) {
      const exit = (outcome as RankExit[])[failed];
      const why = exit.reason ?? stderr[failed].trim().split('\n').pop() ?? `exit ${exit.code}`;
      throw new ShardScopeError('worker-exit', `link probe ${from} <-> ${to}: the end on ${[from, to][failed]} failed: ${why}`);
    }
    const line = stdout.trim().split('\n').pop() ?? '';
    const parsed = JSON.parse(line) as { latencyMs: number; bytesPerSecond: number };
    return { from, to, latencyMs: parsed.latencyMs, bytesPerSecond: parsed.bytesPerSecond, measuredAtMs: Date.now() };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
