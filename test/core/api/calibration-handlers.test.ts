/** The app's Calibrate call: what is not a built-in engine preset is refused before any worker starts (prototype names included); closing the app aborts it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { dispatchCall } from '../../../src-main/core/api/dispatch.js';
import { calibrationHandlers } from '../../../src-main/core/api/calibration-handlers.js';
import { RunStore } from '../../../src-main/core/store/run-store.js';
import { WORKER_PATH } from '../../support/paths.js';

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

test('the app closing aborts a calibration in flight: its workers stop, nothing is stored, and a second call meanwhile is refused', { timeout: 120_000 }, async () => {
  const store = RunStore.open(join(mkdtempSync(join(tmpdir(), 'shardscope-calh-')), 'runs.db'));
  try {
    const closing = new AbortController();
    let firstLine: () => void = () => {};
    const started = new Promise<void>((resolve) => { firstLine = resolve; });
    const handlers = calibrationHandlers({ db: store.db, workerPath: WORKER_PATH, hostId: 'local', version: 'test', emit: () => firstLine(), signal: closing.signal }) as unknown as ApiHandlers;
    const work = dispatchCall(handlers, 'calibrate', [{ model: 'tiny', hosts: ['local'] }]);
    await started;
    await assert.rejects(dispatchCall(handlers, 'calibrate', [{ model: 'tiny' }]), (e: unknown) => e instanceof ShardScopeError && e.kind === 'unavailable' && /already running/.test(e.message));
    assert.ok(workerChildren().length > 0, 'a worker was measuring');
    closing.abort();
    await assert.rejects(work);
    for (let i = 0; i < 100 && workerChildren().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.deepEqual(workerChildren(), [], 'no worker left running');
    const shown = (await dispatchCall(handlers, 'getCalibrations', [])) as { hosts: Array<{ hostId: string; latest: unknown }> };
    assert.deepEqual(shown.hosts.map((h) => [h.hostId, h.latest]), [['local', null]], 'nothing stored; without saved hosts only this machine is listed');
  } finally {
    store.close();
  }
});

/** This process's worker children (pid list), read from /proc. */
function workerChildren(): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === process.pid && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(WORKER_PATH) ? [Number(pid)] : [];
    } catch {
      return [];
    }
  });
}
