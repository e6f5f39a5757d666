/**
 * The desktop app's IPC calls (ipc-calls.ts) over the real app services, as Electron's main process
 * registers them: searches run in the planner thread, each window's calls are bounded, stopRun is
 * never queued, untrusted senders are refused. Electron's binary cannot be installed here, so the
 * registry is a plain channel -> listener table (what ipcMain.handle keeps); everything behind it is real.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ipcChannel, type ApiMethodName } from '../../../src-shared/api/contract.js';
import { startAppServices, type AppServices } from '../../../src-main/core/api/app-services.js';
import type { CallAnswer } from '../../../src-main/core/api/dispatch.js';
import { isOwnPageUrl, registerIpcCalls, type IpcCallEvent } from '../../../src-main/core/api/ipc-calls.js';
import { PlannerThread } from '../../../src-main/core/planner/planner-thread.js';
import { REPO_ROOT, WORKER_PATH } from '../../support/paths.js';

const ownPage = 'file:///app/renderer/index.html';
const home = mkdtempSync(join(tmpdir(), 'shardscope-ipc-'));
let services: AppServices;
const listeners = new Map<string, (event: IpcCallEvent, ...args: unknown[]) => Promise<CallAnswer>>();
let forgetSender: (senderId: number) => void;

before(async () => {
  services = await startAppServices({
    mode: 'desktop', version: 'test', sampleIntervalMs: 1000, storePath: join(home, 'store.db'), workerPath: WORKER_PATH,
    plannerThreadPath: join(REPO_ROOT, 'dist', 'planner-thread.cjs'), nvidiaSmiPath: join(home, 'no-nvidia-smi'),
  });
  ({ forgetSender } = registerIpcCalls({ handle: (channel, listener) => { listeners.set(channel, listener); } }, {
    handlers: services.handlers, log: services.log, isTrustedSender: (event) => isOwnPageUrl(event.senderFrame?.url, ownPage), // as main.ts checks it
  }));
});

after(async () => {
  await services?.close();
  rmSync(home, { recursive: true, force: true });
});

/** What a window's `ipcRenderer.invoke(channel, ...args)` gets back. */
function invoke(senderId: number, method: ApiMethodName, ...args: unknown[]): Promise<CallAnswer> {
  const listener = listeners.get(ipcChannel(method));
  assert.ok(listener, `a handler is registered for ${method}`);
  // The Planner's route, as the frame's URL reads while its view is shown.
  return listener({ sender: { id: senderId }, senderFrame: { url: `${ownPage}#/planner` } }, ...args);
}

const search = { model: 'llama2-7b', cluster: { gpu: 'rtx-4090', gpus: 8 }, limit: 3 };

test('every API method has an IPC handler', () => {
  assert.ok(listeners.has(ipcChannel('searchPlans')) && listeners.has(ipcChannel('stopRun')) && listeners.has(ipcChannel('getAppInfo')));
});

test('a flood of searches from one window is bounded and runs off the main thread: stopRun and timers are not held behind it', async () => {
  const order: string[] = [];
  const flood = Array.from({ length: 400 }, () => invoke(1, 'searchPlans', search).then((answer) => {
    if (answer.ok) order.push('search');
    return answer;
  }));
  // A timer of the main process: with searches on this thread it would fire only after all the served ones.
  const timer = new Promise<void>((resolve) => setTimeout(() => { order.push('timer'); resolve(); }, 0));
  const stop = await invoke(1, 'stopRun', { runId: 'no-such-run' });
  order.push('stop');
  assert.deepEqual(stop, { ok: true, result: { stopped: false } });
  await timer;
  const answers = await Promise.all(flood);
  const served = answers.filter((a) => a.ok);
  const refused = answers.filter((a): a is Extract<CallAnswer, { ok: false }> => !a.ok);
  assert.equal(served.length, 68, 'four in flight and 64 queued are served');
  assert.equal(refused.length, 332);
  assert.ok(refused.every((a) => a.error.kind === 'unavailable' && /too many calls in flight/.test(a.error.message)), 'the rest are refused as unavailable');
  assert.ok((served[0] as { result: { candidates: unknown[] } }).result.candidates.length > 0, 'the searches really ran');
  assert.ok(order.indexOf('stop') < served.length / 2, `stopRun answered after ${order.indexOf('stop')} of ${served.length} searches`);
  assert.ok(order.indexOf('timer') < served.length / 2, `a 0 ms timer fired after ${order.indexOf('timer')} of ${served.length} searches: the searches held the main thread`);
});

test('the bound is per window: a second window is served while the first one\'s queue is full', async () => {
  const first = Array.from({ length: 100 }, () => invoke(1, 'searchPlans', search));
  const second = await invoke(2, 'searchPlans', search);
  assert.equal(second.ok, true, 'the other window is not refused');
  const answers = await Promise.all(first);
  assert.ok(answers.some((a) => !a.ok && a.error.kind === 'unavailable'), 'the first window is bounded');
});

test('a closed window\'s queue is dropped: a new sender with that id starts with a fresh bound', async () => {
  // Queued calls of a closed window are never answered (nobody is left to read them), so they are not awaited.
  const full = Array.from({ length: 100 }, () => invoke(4, 'searchPlans', search));
  const refused = await Promise.race(full.slice(68));
  assert.equal(refused.ok, false, 'the queue is full');
  forgetSender(4);
  assert.equal((await invoke(4, 'searchPlans', search)).ok, true);
});

test('our page is trusted on every route (the fragment changes with the view), nothing else is', () => {
  const page = 'file:///opt/ShardScope/resources/app.asar/dist/renderer/index.html';
  assert.equal(isOwnPageUrl(page, page), true);
  assert.equal(isOwnPageUrl(`${page}#/runs/run-20260105-abc`, page), true);
  assert.equal(isOwnPageUrl(`${page}#/planner`, page), true);
  assert.equal(isOwnPageUrl(`${page}?x=1`, page), false);
  assert.equal(isOwnPageUrl('file:///tmp/evil/index.html#/runs/x', page), false);
  assert.equal(isOwnPageUrl(`https://example.org/#${page}`, page), false);
  assert.equal(isOwnPageUrl(undefined, page), false);
});

test('a call from a page that is not ours is refused before any work', async () => {
  const answer = await listeners.get(ipcChannel('searchPlans'))!({ sender: { id: 3 }, senderFrame: { url: 'https://example.org/' } }, search);
  assert.deepEqual(answer, { ok: false, error: { kind: 'auth', message: 'untrusted sender' } });
});

test('the packaged app can start the planner thread: its file is unpacked from the archive and needs nothing from node_modules', async () => {
  const builder = readFileSync(join(REPO_ROOT, 'electron-builder.yml'), 'utf8');
  assert.match(builder.split('asarUnpack:')[1].split(/\n(?=\S)/)[0], /^\s+- dist\/planner-thread\.cjs\b/m, 'electron-builder.yml unpacks dist/planner-thread.cjs');
  // app.asar.unpacked/dist has no node_modules beside it: a copy in an empty folder must run on its own.
  const alone = mkdtempSync(join(tmpdir(), 'shardscope-unpacked-'));
  copyFileSync(join(REPO_ROOT, 'dist', 'planner-thread.cjs'), join(alone, 'planner-thread.cjs'));
  const thread = new PlannerThread(join(alone, 'planner-thread.cjs'));
  try {
    const result = await thread.search({ model: 'llama2-7b', cluster: { gpu: 'rtx-4090', gpus: 8 }, limit: 3, objective: 'throughput' });
    assert.ok(result.candidates.length > 0);
  } finally {
    await thread.close();
    rmSync(alone, { recursive: true, force: true });
  }
});
