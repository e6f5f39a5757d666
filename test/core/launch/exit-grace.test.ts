/** A rank that finishes every step but then hangs in its own shutdown is ended after the exit grace, and the run succeeds. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runTraining } from '../../../src-main/core/launch/run-controller.js';
import { trainConfigOf } from '../../../src-main/core/runs/train-config.js';
import { modelPresets } from '../../../src-shared/engine-config.js';

// A real process that speaks the event protocol for one step, then never exits (like a script stuck at interpreter exit).
const hangingRank = `
const rank = Number(process.env.RANK);
const now = () => Date.now();
const emit = (e) => process.stdout.write(JSON.stringify({ ...e, rank, timestampMs: now() }) + '\\n');
emit({ type: 'run-start', worldSize: 2, backend: 'test', device: 'cpu', paramsOnRank: 1, optimizerStateOnRank: 2, coords: { dpIndex: rank, tpIndex: 0, ppIndex: 0 }, pid: process.pid });
emit({ type: 'step', step: 0, loss: rank === 0 ? 1 : null, tokens: 8, stepTimeSeconds: { compute: 0.01, communication: 0, bubble: 0, total: 0.01 }, bytes: {}, frameworkMemoryBytes: 0, frameworkMemoryPeakBytes: 0 });
emit({ type: 'run-end', steps: 1 });
setInterval(() => {}, 1000);
`;

test('a rank hanging after run-end is killed after the grace period and the run finishes', async () => {
  const config = trainConfigOf({ model: modelPresets.tiny, dp: 2, tp: 1, pp: 1, steps: 1 });
  const startedMs = Date.now();
  const pids: number[] = [];
  const summary = await runTraining({
    config, workerPath: 'unused', exitGraceMs: 500,
    rankCommand: ({ placement }) => ({ command: process.execPath, args: ['-e', hangingRank], env: { RANK: String(placement.rank) } }),
    onStarted: (ranks) => pids.push(...ranks.map((r) => r.pid)),
  });
  assert.equal(summary.steps, 1);
  assert.deepEqual(summary.losses, [1]);
  assert.ok(Date.now() - startedMs < 8000, 'ended by the grace timer, not a long wait');
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), 'no rank is left running');
});
