/** Web mode logs what a user cannot see: an internal error of a call (with its stack) and every refused request, never the token. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { ApiHandlers } from '../../src-shared/api/contract.js';
import { ApiEventBus } from '../../src-main/core/api/event-bus.js';
import { createLogger } from '../../src-main/core/log/logger.js';
import { startWebServer } from '../../src-main/server/web-server.js';
import { apiProtocols } from '../support/api-client.js';

function status(url: string): Promise<number> {
  return new Promise((resolve, reject) => get(url, (res) => { res.resume(); resolve(res.statusCode ?? 0); }).on('error', reject));
}

test('a handler bug comes back as internal and is in the log with its stack; refused requests are logged without the token', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-web-log-'));
  const filePath = join(dir, 'shardscope.log');
  const log = createLogger({ filePath, level: 'info' });
  const handlers = { listRuns: async () => { throw new TypeError('runs is not iterable'); } } as unknown as ApiHandlers;
  const token = 'test-token-0123456789';
  const server = await startWebServer({ handlers, events: new ApiEventBus(log), log, rendererDir: dir, port: 0, token });
  try {
    const origin = `http://127.0.0.1:${server.port}`;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/api`, apiProtocols(token), { origin });
    await new Promise((resolve, reject) => { ws.once('open', resolve); ws.once('error', reject); });
    const answer = new Promise<unknown>((resolve) => ws.once('message', (data) => resolve(JSON.parse(data.toString()))));
    ws.send(JSON.stringify({ id: 7, method: 'listRuns', args: [] }));
    assert.deepEqual(await answer, { id: 7, ok: false, error: { kind: 'internal', message: 'runs is not iterable' } });
    ws.close();
    assert.match(readFileSync(filePath, 'utf8'), /ERROR internal error in API call "listRuns"\n {2}TypeError: runs is not iterable\n\s+at /);

    assert.equal(await status(`${origin}/?token=wrong-token-secret`), 401);
    const refusedSocket = new WebSocket(`ws://127.0.0.1:${server.port}/api`, { origin: 'http://evil.example' });
    await new Promise((resolve) => refusedSocket.once('error', resolve));
    const text = readFileSync(filePath, 'utf8');
    assert.match(text, /WARN web server refused GET \/: 401/);
    assert.match(text, /WARN web server refused a WebSocket on \/api \(host 127\.0\.0\.1:\d+, origin http:\/\/evil\.example\)/);
    assert.doesNotMatch(text, /wrong-token-secret|test-token/, 'tokens never reach the log');
  } finally {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
