/**
 * End to end, in Chromium: deep links to a run page in web mode. The token URL with a route
 * (`/?token=T#/runs/<id>`) opens that run and keeps the route; a deep link pasted into a new tab gets
 * its session from an open tab of the same origin (BroadcastChannel), never from anything another
 * 127.0.0.1 server can reach; with no open tab it says how to connect, route kept.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { RunStore } from '../../src-main/core/store/run-store.js';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { writeSampleRun } from '../core/store/support/sample-run.js';
import { CLI_PATH } from '../support/paths.js';

const runId = 'run-deep-link';
const home = mkdtempSync(join(tmpdir(), 'shardscope-home-'));
let app: AppProcess;
let browser: Browser;
let stranger: Server;

before(async () => {
  const store = RunStore.open(join(home, 'shardscope.db'));
  writeSampleRun(store, runId, Date.UTC(2026, 0, 5, 9), 12);
  store.close();
  app = await startWebApp(['--web', '--interval-ms', '1000'], { SHARDSCOPE_HOME: home });
  browser = await launchChromium();
  // Someone else's local server: its page listens on the channel our tabs answer on and asks for a session.
  stranger = createServer((_req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/html' }).end(`<html><body><p id="result">waiting</p><script>
      const channel = new BroadcastChannel('shardscope.session');
      const heard = [];
      channel.onmessage = (e) => heard.push(JSON.stringify(e.data));
      channel.postMessage({ type: 'ask', nonce: 'stranger' });
      setTimeout(() => { document.getElementById('result').textContent = heard.length ? 'heard: ' + heard.join(' ') : 'nothing'; }, 2500);
    </script></body></html>`);
  });
  stranger.listen(0, '127.0.0.1');
  await once(stranger, 'listening');
});

after(async () => {
  await browser?.close();
  stranger?.close();
  await app?.stop();
  rmSync(home, { recursive: true, force: true });
});

const waitLive = (page: Page) => page.locator('#status[data-state="live"]').waitFor({ timeout: 20_000 });
const waitRunPage = (page: Page) => page.locator(`.run-page[data-run-id="${runId}"][data-state="ready"]`).waitFor({ timeout: 20_000 });

test('the token URL with a route opens that run, a new tab with the bare deep link gets the session from the open tab, another local server gets nothing', async () => {
  const context = await browser.newContext();
  const first = await context.newPage();
  await first.goto(`${app.url}#/runs/${runId}`);
  await waitLive(first);
  await waitRunPage(first);
  assert.equal(first.url(), `${app.origin}/#/runs/${runId}`, 'the token left the address bar, the route stayed');
  assert.match((await first.locator('.run-page').textContent()) ?? '', /Configuration/);

  // The deep link pasted into a new tab: no token in it, the session comes from the first tab.
  const second = await context.newPage();
  await second.goto(`${app.origin}/#/runs/${runId}`);
  await waitLive(second);
  await waitRunPage(second);
  assert.equal(second.url(), `${app.origin}/#/runs/${runId}`);
  // The handed-over session is the tab's own now: a reload keeps it without asking again.
  await first.close();
  await second.reload();
  await waitLive(second);
  await waitRunPage(second);

  // A page of another 127.0.0.1 port, in the same browser, while a connected tab is open: its channel hears nothing.
  const other = await context.newPage();
  await other.goto(`http://127.0.0.1:${(stranger.address() as AddressInfo).port}/`);
  await other.waitForFunction(() => document.getElementById('result')?.textContent !== 'waiting', undefined, { timeout: 10_000 });
  assert.equal(await other.locator('#result').textContent(), 'nothing', 'another origin neither hears nor gets the session');
  await context.close();
});

test('with no connected tab open, a deep link in a new tab says how to connect and keeps its route', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(app.url); // sets this instance's page cookie in the browser
  await waitLive(page);
  await page.close();
  const fresh = await context.newPage();
  await fresh.goto(`${app.origin}/#/runs/${runId}`);
  await fresh.locator('#status[data-state="error"]').waitFor({ timeout: 20_000 });
  assert.match((await fresh.locator('.error-box').textContent()) ?? '', /no session token and no open ShardScope tab of this address answered\. Reopen the URL printed by `shardscope app` \(add #\/runs\/<id> to it to open a run\)/);
  assert.equal(fresh.url(), `${app.origin}/#/runs/${runId}`);
  await context.close();
});

test('`shardscope app --web --run latest` prints (and would open) the token URL of that run\'s page; an unknown run is one line, exit 2', async () => {
  const other = await startWebApp(['--web', '--interval-ms', '1000', '--run', 'latest'], { SHARDSCOPE_HOME: home });
  try {
    assert.match(other.url, new RegExp(`^http://127\\.0\\.0\\.1:\\d+/\\?token=[^#]+#/runs/${runId}$`));
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(other.url);
    await waitLive(page);
    await waitRunPage(page);
    await context.close();
  } finally {
    assert.equal(await other.stop(), 0);
  }
  const bad = spawnSync(process.execPath, [CLI_PATH, 'app', '--web', '--no-open', '--run', 'run-nope'], { env: { ...process.env, SHARDSCOPE_HOME: home, DISPLAY: '' }, encoding: 'utf8', timeout: 30_000 });
  assert.equal(bad.status, 2);
  assert.equal(bad.stdout, '');
  assert.match(bad.stderr, /^shardscope[^\n]*no run "run-nope" in the store \(see shardscope runs\)\n$/);
});
