/** API calls: a bug in a handler goes back as `internal` and is logged with its stack; expected failures are not logged as errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { answerCall } from '../../../src-main/core/api/dispatch.js';
import { createLogger } from '../../../src-main/core/log/logger.js';

const handlers = {
  getAppInfo: async () => { throw new TypeError("Cannot read properties of undefined (reading 'version')"); },
  listRuns: async () => { throw new ShardScopeError('not-found', 'no runs'); },
  listHosts: async () => ({ hosts: [] }),
} as unknown as ApiHandlers;

test('an internal error is answered as kind internal and logged with its stack; expected ones are answered as they are', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-dispatch-'));
  const filePath = join(dir, 'shardscope.log');
  const log = createLogger({ filePath, level: 'info' });
  try {
    assert.deepEqual(await answerCall(handlers, 'listHosts', [], log), { ok: true, result: { hosts: [] } });
    assert.equal(existsSync(filePath), false);
    assert.deepEqual(await answerCall(handlers, 'listRuns', [], log), { ok: false, error: { kind: 'not-found', message: 'no runs' } });
    assert.deepEqual(await answerCall(handlers, 'getRun', [{ runId: '../x' }], log).then((a) => !a.ok && a.error.kind), 'bad-input');
    assert.equal(existsSync(filePath), false, 'expected failures are not logged as errors');
    const answer = await answerCall(handlers, 'getAppInfo', [], log);
    assert.deepEqual(answer, { ok: false, error: { kind: 'internal', message: "Cannot read properties of undefined (reading 'version')" } });
    const text = readFileSync(filePath, 'utf8');
    assert.match(text, /ERROR internal error in API call "getAppInfo"\n {2}TypeError: Cannot read properties/);
    assert.match(text, /dispatch\.test\.ts/, 'the stack points at the throwing handler');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
