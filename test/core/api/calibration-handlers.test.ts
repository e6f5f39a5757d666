/** The app's Calibrate call refuses what is not a built-in engine preset before any worker starts (prototype names included). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { dispatchCall } from '../../../src-main/core/api/dispatch.js';
import { calibrationHandlers } from '../../../src-main/core/api/calibration-handlers.js';
import { RunStore } from '../../../src-main/core/store/run-store.js';

test('calibrate with a model that is no engine preset (constructor, toString, a typo) is bad-input naming the presets; nothing is stored', async () => {
  const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'shardscope-calh-')), 'runs.db'));
  try {
    const lines: string[] = [];
    const handlers = calibrationHandlers({ db: store.db, workerPath: '/nonexistent/worker.cjs', hostId: 'local', version: 'test', emit: (l) => lines.push(l) }) as unknown as ApiHandlers;
    for (const model of ['constructor', 'toString', '__proto__', 'benchh']) {
      await assert.rejects(dispatchCall(handlers, 'calibrate', [{ model }]),
        (e: unknown) => e instanceof ShardScopeError && e.kind === 'bad-input' && /unknown model .*engine presets: .*bench/.test(e.message), model);
    }
    assert.deepEqual(lines, [], 'no measurement started');
    const shown = (await dispatchCall(handlers, 'getCalibration', [])) as { latest: unknown };
    assert.equal(shown.latest, null);
  } finally {
    store.close();
  }
});
