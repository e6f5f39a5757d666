/**
 * `node dist/worker.cjs bench-allreduce-rank --rank R --world N --master-port P [--master-addr A]
 * [--sizes-mb 1,16,64] [--reps 10] [--segment-bytes B]`, run secret in SHARDSCOPE_RUN_SECRET: one rank of
 * the all-reduce benchmark (SHARDSCOPE_COLLECTIVE_* tuning variables: collective-env.ts), measured like ../shared/peers/torch_allreduce.py (2 warm-up calls, barrier,
 * reps, barrier). Rank 0 prints one JSON line per size: {engine, world, bytes, ms, algbwGBps, busbwGBps, readPath}
 * (readPath: how rank 0's connections read their sockets, see readPathOf). With
 * SHARDSCOPE_BENCH_CPU=1 every rank also prints {rank, mb, ms, cpuMsPerOp, sysMsPerOp} on stderr (process.cpuUsage).
 */
import { parseArgs } from 'node:util';
import { initCollective, type TransportStats } from '../collective/index.js';
import { collectiveTuningFromEnv } from './collective-env.js';
import { ShardScopeError } from '../../src-shared/errors.js';

/** Runs the benchmark rank; exit 0 ok, 1 the collective failed, 2 bad flags. */
export async function benchAllreduceRankCommand(args: string[]): Promise<number> {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args, strict: true, options: {
      rank: { type: 'string' }, world: { type: 'string' }, 'master-addr': { type: 'string' }, 'master-port': { type: 'string' },
      'sizes-mb': { type: 'string' }, reps: { type: 'string' }, 'segment-bytes': { type: 'string' },
    } }).values as Record<string, string | undefined>;
  } catch (error) {
    process.stderr.write(`shardscope-worker bench-allreduce-rank: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  const rank = Number(values.rank);
  const world = Number(values.world);
  const reps = Number(values.reps ?? 10);
  const sizesMb = (values['sizes-mb'] ?? '1,16,64').split(',').map(Number);
  try {
    const comm = await initCollective({
      ...collectiveTuningFromEnv(process.env), rank, worldSize: world, masterAddr: values['master-addr'] ?? '127.0.0.1', masterPort: Number(values['master-port']),
      secret: process.env.SHARDSCOPE_RUN_SECRET ?? '', segmentBytes: values['segment-bytes'] ? Number(values['segment-bytes']) : undefined,
    });
    for (const mb of sizesMb) {
      const n = Math.floor((mb * 1024 * 1024) / 4);
      const buf = new Float32Array(n).map((_, i) => (i % 7) - 3);
      for (let i = 0; i < 2; i++) await comm.world.allReduce(buf);
      await comm.world.barrier();
      const startMs = performance.now();
      const cpuStart = process.cpuUsage();
      for (let i = 0; i < reps; i++) await comm.world.allReduce(buf);
      await comm.world.barrier();
      const seconds = (performance.now() - startMs) / 1000 / reps;
      const cpu = process.cpuUsage(cpuStart);
      if (process.env.SHARDSCOPE_BENCH_CPU) {
        process.stderr.write(`${JSON.stringify({ rank, mb, ms: round(seconds * 1e3), cpuMsPerOp: round((cpu.user + cpu.system) / 1e3 / reps), sysMsPerOp: round(cpu.system / 1e3 / reps) })}\n`);
      }
      const algbw = (n * 4) / seconds / 1e9;
      if (rank === 0) {
        process.stdout.write(`${JSON.stringify({ engine: 'shardscope', world, bytes: n * 4, ms: round(seconds * 1e3),
          algbwGBps: round(algbw), busbwGBps: round((algbw * 2 * (world - 1)) / world), readPath: readPathOf(comm.transportStats()) })}\n`);
      }
    }
    await comm.close();
    return 0;
  } catch (error) {
    if (!(error instanceof ShardScopeError)) throw error;
    process.stderr.write(`shardscope-worker bench-allreduce-rank ${rank}: ${error.kind}: ${error.message}\n`);
    return error.kind === 'bad-input' ? 2 : 1;
  }
}

/** `zero-copy` when every connection reads straight into posted buffers, `copying` when none does, else `mixed`; `none` without peers. */
export function readPathOf({ connections, zeroCopyConnections }: TransportStats): 'zero-copy' | 'copying' | 'mixed' | 'none' {
  if (connections === 0) return 'none';
  return zeroCopyConnections === connections ? 'zero-copy' : zeroCopyConnections === 0 ? 'copying' : 'mixed';
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
