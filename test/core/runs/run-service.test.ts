/** RunService.start: a run that cannot be recorded is the call's error, not a run id that was never stored. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunService } from '../../../src-main/core/runs/run-service.js';
import { RunStore, StoreWriter } from '../../../src-main/core/store/index.js';

const root = join(__dirname, '..', '..', '..');

test('start rejects when the store cannot record the run, and the service is free for the next start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-service-'));
  const dbPath = join(dir, 'runs.db');
  RunStore.open(dbPath).close();
  const store = RunStore.open(dbPath, { readonly: true }); // a real store that refuses writes
  const writer = new StoreWriter(store);
  const updates: unknown[] = [];
  const service = new RunService({
    store, writer, workerPath: join(root, 'dist', 'worker.cjs'), hostId: 'local', sampleIntervalMs: 500,
    getInventory: async () => ({ hosts: [] }), emit: (update) => updates.push(update),
  });
  try {
    await assert.rejects(service.start({ model: 'tiny', dp: 1, tp: 1, pp: 1, steps: 2 }), /readonly/);
    assert.equal(service.activeRunId, null, 'nothing is left marked as running');
    assert.deepEqual(service.list(), [], 'no run was stored');
    assert.deepEqual(updates, [], 'no update announced a run');
    await assert.rejects(service.start({ model: 'tiny', dp: 1, tp: 1, pp: 1, steps: 2 }), /readonly/, 'a second try is refused for the same reason, not "still going"');
  } finally {
    writer.close();
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
