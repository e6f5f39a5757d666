/**
 * `node dist/worker.cjs calibrate-collective-rank --rank R --world N --master-port P [--master-addr A]
 *  [--sizes-bytes 4,65536,...] [--reps N] [--lockstep-ms MS] [--probe-model JSON --probe-batch B]` (run secret in
 *  SHARDSCOPE_RUN_SECRET): one rank of the
 * collective calibration. Times, per payload size, the calls a training step makes: all-reduce,
 * reduce-scatter, all-gather and one send to the next rank (received by it), each after a barrier,
 * median of reps. Rank 0 prints one JSON line per op and size: {op, groupSize, bytes, seconds}. With
 * --lockstep-ms, also {lockstep: {groupSize, segmentSeconds, waitFraction}}: ranks computing the same work
 * (about MS each) between 4-byte all-reduces wait there for each other this fraction of their compute. With
 * --probe-model, also {contention: {processes, slowdown, aloneSeconds}} (the model's fused step, ranks alone then
 * together) and, where the model splits over the group, {tpLockstep: TpLockstep} (lockstep-probes.ts).
 */
import { parseArgs } from 'node:util';
import { chunkBounds } from '../../src-shared/chunk-bounds.js';
import { initCollective } from '../collective/index.js';
import { processPeakMemoryBytes } from '../engine/process-peak-memory.js';
import { collectiveTuningFromEnv } from './collective-env.js';
import type { CollectiveOp } from '../../src-shared/calibration/calibration-record.js';
import { ShardScopeError } from '../../src-shared/errors.js';
import type { ModelConfig } from '../../src-shared/engine-config.js';
import { fusedContentionProbe, tpLayerProbe } from '../calibrate/lockstep-probes.js';
import { initBackend } from '../engine/backend/index.js';

/** Default payloads: the loss (4 B) up to a 16 MiB gradient bucket. */
export const defaultCollectiveSizesBytes = [4, 65536, 262144, 1048576, 4194304, 16777216];

/** Runs the rank; exit 0 ok, 1 failed, 2 bad flags. */
export async function calibrateCollectiveRankCommand(args: string[]): Promise<number> {
  let values: Record<string, string | undefined>;
  try {
    values = parseArgs({ args, strict: true, options: {
      rank: { type: 'string' }, world: { type: 'string' }, 'master-addr': { type: 'string' }, 'master-port': { type: 'string' },
      'sizes-bytes': { type: 'string' }, reps: { type: 'string' }, 'lockstep-ms': { type: 'string' }, 'memory-op': { type: 'string' },
      'probe-model': { type: 'string' }, 'probe-batch': { type: 'string' },
    } }).values as Record<string, string | undefined>;
  } catch (error) {
    process.stderr.write(`shardscope-worker calibrate-collective-rank: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
  const rank = Number(values.rank);
  const world = Number(values.world);
  const reps = Number(values.reps ?? 5);
  const lockstepMs = Number(values['lockstep-ms'] ?? 0);
  const memoryOp = values['memory-op'] as 'allReduce' | 'reduceScatter' | 'allGather' | undefined;
  if (memoryOp !== undefined && !['allReduce', 'reduceScatter', 'allGather'].includes(memoryOp)) {
    process.stderr.write(`shardscope-worker calibrate-collective-rank: --memory-op must be allReduce, reduceScatter or allGather\n`);
    return 2;
  }
  let probeModel: ModelConfig | null = null;
  try {
    probeModel = values['probe-model'] ? JSON.parse(values['probe-model']) as ModelConfig : null;
  } catch {
    process.stderr.write('shardscope-worker calibrate-collective-rank: --probe-model is not JSON\n');
    return 2;
  }
  const probeBatch = Math.max(1, Number(values['probe-batch'] ?? 1));
  const sizes = values['sizes-bytes'] ? values['sizes-bytes'].split(',').map(Number) : defaultCollectiveSizesBytes;
  try {
    const comm = await initCollective({
      ...collectiveTuningFromEnv(process.env), rank, worldSize: world, masterAddr: values['master-addr'] ?? '127.0.0.1', masterPort: Number(values['master-port']),
      secret: process.env.SHARDSCOPE_RUN_SECRET ?? '',
    });
    const g = comm.world;
    if (memoryOp) return await memoryProbe(g, memoryOp, sizes[sizes.length - 1], rank, world, () => comm.close());
    const next = (rank + 1) % world;
    const prev = (rank + world - 1) % world;
    for (const bytes of sizes) {
      const n = Math.max(1, Math.floor(bytes / 4));
      const buf = new Float32Array(n).fill(1);
      const ops: Array<[CollectiveOp, () => Promise<unknown>]> = [
        ['allReduce', () => g.allReduce(buf)],
        ['reduceScatter', () => g.reduceScatter(buf)],
        ['allGather', () => g.allGather(buf.subarray(...chunkBounds(n, world, rank)), n)],
        // a pipeline hand-over: every rank sends to the next and waits for its own input
        ['send', () => Promise.all([g.send(buf, next, 9), g.recv(prev, 9)])],
      ];
      for (const [op, call] of ops) {
        await call();
        const times: number[] = [];
        for (let i = 0; i < reps; i += 1) {
          await g.barrier();
          const t0 = performance.now();
          await call();
          times.push((performance.now() - t0) / 1000);
        }
        times.sort((a, b) => a - b);
        if (rank === 0) process.stdout.write(`${JSON.stringify({ op, groupSize: world, bytes: n * 4, seconds: times[Math.floor(times.length / 2)] })}\n`);
      }
    }
    if (lockstepMs > 0) {
      // Lockstep: each rank computes the same fixed work, then all-reduces 4 bytes, as TP/DP ranks sync between
      // segments. The time a rank waits there beyond the call itself is the jitter of ranks sharing a host.
      const work = new Float32Array(1 << 16).fill(1.0001);
      const spin = (rounds: number) => { let acc = 0; for (let r = 0; r < rounds; r += 1) for (let i = 0; i < work.length; i += 1) acc += work[i] * work[(i * 7) & (work.length - 1)]; return acc; };
      let sink = spin(20); // warm up the JIT before sizing the work
      let rounds = 1;
      for (let took = 0; took < lockstepMs && rounds < 1 << 20; rounds *= 2) {
        const t0 = performance.now();
        sink += spin(rounds);
        took = performance.now() - t0;
      }
      const agreed = new Float32Array([rounds]);
      await g.allReduce(agreed); // in place: the sum
      rounds = Math.max(1, Math.round(agreed[0] / world));
      const tiny = new Float32Array(1);
      const call: number[] = [];
      for (let i = 0; i < 5; i += 1) { await g.barrier(); const t0 = performance.now(); await g.allReduce(tiny); call.push(performance.now() - t0); }
      call.sort((a, b) => a - b);
      let computeMs = 0;
      let waitMs = 0;
      await g.barrier();
      const iterations = Math.max(10, reps * 4);
      for (let i = 0; i < iterations; i += 1) {
        const t0 = performance.now();
        sink += spin(rounds);
        const t1 = performance.now();
        await g.allReduce(tiny);
        computeMs += t1 - t0;
        waitMs += Math.max(0, performance.now() - t1 - call[2]);
      }
      const sums = new Float32Array([computeMs, waitMs]);
      await g.allReduce(sums);
      const [sumCompute, sumWait] = sums;
      if (rank === 0) process.stdout.write(`${JSON.stringify({ lockstep: { groupSize: world, segmentSeconds: sumCompute / world / iterations / 1000, waitFraction: sumWait / sumCompute } })}\n`);
      if (!Number.isFinite(sink)) process.stderr.write('lockstep: work overflowed\n'); // keeps the work observable
    }
    if (probeModel) {
      await initBackend();
      const contention = await fusedContentionProbe(g, probeModel, probeBatch, 2);
      if (rank === 0) process.stdout.write(`${JSON.stringify({ contention })}\n`);
      if (probeModel.heads % world === 0 && (4 * probeModel.hidden) % world === 0) {
        const tpLockstep = await tpLayerProbe(g, probeModel, probeBatch, reps);
        if (rank === 0) process.stdout.write(`${JSON.stringify({ tpLockstep })}\n`);
      }
    }
    await g.barrier();
    await comm.close();
    return 0;
  } catch (error) {
    if (!(error instanceof ShardScopeError)) throw error;
    process.stderr.write(`shardscope-worker calibrate-collective-rank ${rank}: ${error.kind}: ${error.message}\n`);
    return error.kind === 'bad-input' ? 2 : 1;
  }
}

/**
 * `--memory-op OP` (in a fresh process): how much resident memory the collective itself takes beyond its
 * payload, as the peak (VmHWM) grows over two calls on the largest size. Rank 0 prints
 * {memory: {op, bytes, growthBytes}} with the larger growth of the ranks.
 */
async function memoryProbe(g: Awaited<ReturnType<typeof initCollective>>['world'], op: 'allReduce' | 'reduceScatter' | 'allGather', bytes: number, rank: number, world: number, close: () => Promise<void>): Promise<number> {
  const n = Math.max(1, Math.floor(bytes / 4));
  const buf = new Float32Array(n).fill(1);
  const tiny = new Float32Array(1);
  await g.allReduce(tiny);
  await g.barrier();
  const before = processPeakMemoryBytes() ?? 0;
  for (let i = 0; i < 2; i += 1) {
    if (op === 'allReduce') await g.allReduce(buf);
    else if (op === 'reduceScatter') await g.reduceScatter(buf);
    else await g.allGather(buf.subarray(...chunkBounds(n, world, rank)), n);
  }
  const growth = new Float32Array([Math.max(0, (processPeakMemoryBytes() ?? 0) - before)]);
  await g.allReduce(growth, 'max');
  if (rank === 0) process.stdout.write(`${JSON.stringify({ memory: { op, bytes: n * 4, growthBytes: growth[0] } })}\n`);
  await g.barrier();
  await close();
  return 0;
}
