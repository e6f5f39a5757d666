/**
 * One rank of a multi-process collectives test, run as its own OS process:
 * `node --import tsx ops-rank.ts <scenario> <rank> <world> <masterPort> [lengths]`, secret in SHARDSCOPE_TEST_SECRET,
 * CollectiveTuning as JSON in SHARDSCOPE_TEST_TUNING (optional). Fills buffers with integers (exact in float32),
 * computes the expected results itself and prints one JSON line {rank, checks: [{op, length, mismatches}], stats,
 * transport} — or {rank, error: {kind, message}} and exits 1.
 */
import { initCollective, chunkBounds, type CollectiveTuning, type ProcessGroup } from '../../../../src-worker/collective/index.js';
import { ShardScopeError } from '../../../../src-shared/errors.js';

const [scenario, rankText, worldText, portText, lengthsText = '0,1,7'] = process.argv.slice(2);
const rank = Number(rankText);
const world = Number(worldText);
const lengths = lengthsText.split(',').map(Number);
const checks: Array<{ op: string; length: number; mismatches: number; group?: string }> = [];

/** A rank's integer input at element i (distinct per rank, exact in float32 when summed over 8 ranks). */
const valueOf = (r: number, i: number) => ((i * 7 + r * 13) % 1000) - 500;
const maxInputOf = (r: number, i: number) => ((i * 31 + r * 17) % 1001) - 300;

function fill(r: number, n: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i++) a[i] = valueOf(r, i);
  return a;
}

function countMismatches(actual: ArrayLike<number>, expected: (i: number) => number, offset = 0): number {
  let bad = 0;
  for (let i = 0; i < actual.length; i++) if (actual[i] !== expected(i + offset)) bad += 1;
  return bad;
}

async function checkAllOps(group: ProcessGroup, label: string, n: number): Promise<void> {
  const members = group.ranks;
  const sumAt = (i: number) => members.reduce((s, r) => s + valueOf(r, i), 0);
  const me = group.ranks[group.rank];

  const summed = fill(me, n);
  await group.allReduce(summed);
  checks.push({ op: 'allReduce-sum-f32', length: n, mismatches: countMismatches(summed, sumAt), group: label });

  const maxed = new Int32Array(n).map((_, i) => maxInputOf(me, i));
  await group.allReduce(maxed, 'max');
  checks.push({ op: 'allReduce-max-i32', length: n, mismatches: countMismatches(maxed, (i) => Math.max(...members.map((r) => maxInputOf(r, i)))), group: label });

  const input = fill(me, n);
  const chunk = await group.reduceScatter(input);
  const [start, end] = chunkBounds(n, group.size, group.rank);
  const chunkBad = countMismatches(chunk, sumAt, start) + Math.abs(chunk.length - (end - start)) + countMismatches(input, (i) => valueOf(me, i));
  checks.push({ op: 'reduceScatter', length: n, mismatches: chunkBad, group: label });

  const mine = fill(me, n).slice(start, end);
  const gathered = await group.allGather(mine, n);
  const ownerOf = (i: number) => members[[...members.keys()].find((k) => { const [a, b] = chunkBounds(n, group.size, k); return i >= a && i < b; })!];
  checks.push({ op: 'allGather', length: n, mismatches: countMismatches(gathered, (i) => valueOf(ownerOf(i), i)) + Math.abs(gathered.length - n), group: label });

  const root = n % group.size;
  const cast = group.rank === root ? fill(me, n) : new Float32Array(n);
  await group.broadcast(cast, root);
  checks.push({ op: 'broadcast', length: n, mismatches: countMismatches(cast, (i) => valueOf(members[root], i)), group: label });

  if (group.size > 1) {
    const next = (group.rank + 1) % group.size;
    const prev = (group.rank + group.size - 1) % group.size;
    const sent = group.send(fill(me, n), next, 5);
    const got = await group.recv(prev, 5);
    await sent;
    checks.push({ op: 'send-recv', length: n, mismatches: countMismatches(got, (i) => valueOf(members[prev], i)) + Math.abs(got.length - n), group: label });
  }
  await group.barrier();
}

async function main(): Promise<void> {
  const tuning = JSON.parse(process.env.SHARDSCOPE_TEST_TUNING ?? '{}') as CollectiveTuning;
  const comm = await initCollective({
    ...tuning,
    rank, worldSize: world, masterAddr: '127.0.0.1', masterPort: Number(portText),
    secret: process.env.SHARDSCOPE_TEST_SECRET ?? '', hostLabel: `test-host-${rank}`,
    timeoutMs: Number(process.env.SHARDSCOPE_TEST_TIMEOUT_MS ?? 20000),
  });
  if (scenario === 'ops') {
    for (const n of lengths) await checkAllOps(comm.world, 'world', n);
  } else if (scenario === 'grid') {
    // dp x tp grid: tp groups are consecutive ranks, dp groups strided; both used at the same time.
    const tp = Number(process.env.SHARDSCOPE_TEST_TP ?? 2);
    const dp = world / tp;
    const tpGroups = Array.from({ length: dp }, (_, d) => comm.newGroup(Array.from({ length: tp }, (_, t) => d * tp + t)));
    const dpGroups = Array.from({ length: tp }, (_, t) => comm.newGroup(Array.from({ length: dp }, (_, d) => d * tp + t)));
    const tpGroup = tpGroups.find((g) => g)!;
    const dpGroup = dpGroups.find((g) => g)!;
    for (const n of lengths) {
      await Promise.all([checkAllOps(tpGroup, 'tp', n), checkAllOps(dpGroup, 'dp', n), checkAllOps(comm.world, 'world', n)]);
    }
  } else if (scenario === 'labels') {
    // 2 x 2 grid with labelled groups and one unlabelled ring pair, all busy at once; prints per-label and per-group accounting.
    const n = lengths[0];
    const tpGroup = [[0, 1], [2, 3]].map((r) => comm.newGroup(r, { label: 'tp' })).find((g) => g)!;
    const dpGroup = [[0, 2], [1, 3]].map((r) => comm.newGroup(r, { label: 'dp' })).find((g) => g)!;
    const pair = [[0, 3], [1, 2]].map((r) => comm.newGroup(r)).find((g) => g)!;
    const peer = 1 - pair.rank;
    await Promise.all([
      tpGroup.allReduce(fill(rank, n)),
      dpGroup.allReduce(fill(rank, n)).then(() => dpGroup.allReduce(fill(rank, n))),
      comm.world.allReduce(fill(rank, n)),
      pair.send(fill(rank, n), peer), pair.recv(peer),
    ]);
    const groups = Object.fromEntries([tpGroup, dpGroup, pair, comm.world].map((g) => [g.label, g.stats()]));
    process.stdout.write(`${JSON.stringify({ rank, byLabel: comm.statsByLabel(), groups })}\n`);
  } else if (scenario === 'kill') {
    const buf = new Float32Array(lengths[0]);
    for (let iteration = 0; ; iteration++) {
      await comm.world.allReduce(buf);
      if (iteration === 1) process.stdout.write(`${JSON.stringify({ rank, event: 'all-reducing' })}\n`);
    }
  }
  process.stdout.write(`${JSON.stringify({ rank, checks, stats: comm.stats(), transport: comm.transportStats() })}\n`);
  await comm.close();
}

main().catch((error: unknown) => {
  const kind = error instanceof ShardScopeError ? error.kind : 'internal';
  process.stdout.write(`${JSON.stringify({ rank, error: { kind, message: error instanceof Error ? error.message : String(error) } })}\n`);
  process.exitCode = 1;
});
