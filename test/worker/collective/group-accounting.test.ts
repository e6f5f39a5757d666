/** Per-group accounting: every group's traffic is counted under its label, and the labels add up to the totals. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { initCollective, type CollectiveStats, type OpKind } from '../../../src-worker/collective/index.js';
import { freePort, runWorld, TEST_SECRET } from './support/spawn-ranks.js';

type Stats = Record<string, { calls: number; bytesSent: number; bytesReceived: number; seconds: number }>;

test('a 2 x 2 grid counts tp, dp, world and unlabelled traffic apart, and the labels sum to the totals', async () => {
  const n = 1001;
  const outcomes = await runWorld('labels', 4, [n]);
  outcomes.forEach((o, rank) => {
    assert.equal(o.code, 0, `rank ${rank} exited ${o.code}: ${o.stderr}`);
    const report = o.lines.find((l) => 'byLabel' in l)!;
    const byLabel = report.byLabel as Record<string, Stats>;
    const groups = report.groups as Record<string, Stats>;
    const totals = o.lines.find((l) => 'stats' in l)!.stats as Stats;
    const bytes = 4 * n;
    // 2 members: an all-reduce sends the half it does not own and then its reduced half, n elements in all.
    assert.deepEqual([byLabel.tp.allReduce.calls, byLabel.tp.allReduce.bytesSent, byLabel.tp.allReduce.bytesReceived], [1, bytes, bytes], `rank ${rank} tp`);
    assert.deepEqual([byLabel.dp.allReduce.calls, byLabel.dp.allReduce.bytesSent, byLabel.dp.allReduce.bytesReceived], [2, 2 * bytes, 2 * bytes], `rank ${rank} dp`);
    // 4 members, direct: send the 3 chunks I do not own, then mine to 3 peers: n - c + 3c elements, c = floor((r+1)n/4) - floor(rn/4).
    const own = Math.floor(((rank + 1) * n) / 4) - Math.floor((rank * n) / 4);
    assert.equal(byLabel.world.allReduce.bytesSent, 4 * (n + 2 * own), `rank ${rank} world all-reduce`);
    assert.deepEqual([byLabel.unlabelled.send.bytesSent, byLabel.unlabelled.recv.bytesReceived], [bytes, bytes], `rank ${rank} unlabelled pair`);
    assert.equal(byLabel.tp.send.calls + byLabel.dp.send.calls, 0, `rank ${rank}: sends are not counted under tp or dp`);
    // Each rank is in one group per label, so a group's own stats equal its label's.
    for (const label of ['tp', 'dp', 'unlabelled']) assert.deepEqual(withoutSeconds(groups[label]), withoutSeconds(byLabel[label]), `rank ${rank} ${label} group`);
    for (const kind of Object.keys(totals)) {
      for (const field of ['calls', 'bytesSent', 'bytesReceived'] as const) {
        const sum = Object.values(byLabel).reduce((s, stats) => s + stats[kind][field], 0);
        assert.equal(sum, totals[kind][field], `rank ${rank}: ${kind}.${field} summed over labels`);
      }
    }
  });
});

test('groups carry their label; the world is "world", unlabelled groups "unlabelled", an empty label is bad input', async () => {
  const comm = await initCollective({ rank: 0, worldSize: 1, masterAddr: '127.0.0.1', masterPort: await freePort(), secret: TEST_SECRET });
  try {
    assert.equal(comm.world.label, 'world');
    assert.equal(comm.newGroup([0])!.label, 'unlabelled');
    const dp = comm.newGroup([0], { label: 'dp' })!;
    assert.equal(dp.label, 'dp');
    await dp.allReduce(new Float32Array(8));
    assert.equal(dp.stats().allReduce.calls, 1);
    assert.equal(comm.statsByLabel().dp.allReduce.calls, 1);
    assert.deepEqual(Object.keys(comm.statsByLabel()), ['dp'], 'only labels that ran something appear');
    assert.throws(() => comm.newGroup([0], { label: '' }), (e: unknown) => e instanceof ShardScopeError && e.kind === 'bad-input');
  } finally {
    await comm.close();
  }
});

function withoutSeconds(stats: Stats | CollectiveStats): Record<string, unknown> {
  return Object.fromEntries(Object.entries(stats).map(([k, v]) => [k as OpKind, { calls: v.calls, bytesSent: v.bytesSent, bytesReceived: v.bytesReceived }]));
}
