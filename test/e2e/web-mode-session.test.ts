/**
 * End to end, in Chromium: the web-mode session survives other servers on 127.0.0.1. Cookies are not
 * scoped by port, so whatever a browser sends to another local server must not open the API, and two
 * ShardScope instances must not log each other out.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import WebSocket from 'ws';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';

let first: AppProcess;
let second: AppProcess;
let browser: Browser;
let stranger: Server;
const strangerCookies: string[] = [];

before(async () => {
  [first, second] = await Promise.all([startWebApp(['--web', '--interval-ms', '1000']), startWebApp(['--web', '--interval-ms', '1000'])]);
  browser = await launchChromium();
  // Someone else's local dev server: it records every cookie the browser hands it.
  stranger = createServer((req, res) => {
    strangerCookies.push(req.headers.cookie ?? '');
    res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body><img src="/pixel.png"><p id="done">hello</p></body></html>');
  });
  stranger.listen(0, '127.0.0.1');
  await once(stranger, 'listening');
});

after(async () => {
  await browser?.close();
  stranger?.close();
  for (const app of [first, second]) {
    const code = await app?.stop();
    assert.equal(code, 0, `app did not stop cleanly:\n${app?.output()}`);
  }
});

async function waitLive(page: Page): Promise<void> {
  await page.locator('#status[data-state="live"]').waitFor({ timeout: 20_000 });
}

/** Tries the API of an app with a cookie header and a forged Origin, as a script on the other server could. */
function socketStatus(app: AppProcess, cookie: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`${app.origin.replace('http', 'ws')}/api`, { origin: app.origin, headers: { cookie } });
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
}

test('nothing another 127.0.0.1 server receives from the browser opens the API', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(first.url);
  await waitLive(page);
  assert.equal(new URL(page.url()).search + new URL(page.url()).hash, '', 'the token is dropped from the address bar');

  const strangerUrl = `http://127.0.0.1:${(stranger.address() as AddressInfo).port}/`;
  await page.goto(strangerUrl);
  await page.locator('#done').waitFor();
  const leaked = strangerCookies.filter(Boolean);
  assert.ok(leaked.length > 0, 'the browser does send this origin\'s cookies to the other port (the reason for the scheme)');
  assert.ok(leaked.every((c) => !c.includes(first.token)), `the token itself never reaches the other server: ${leaked.join(' | ')}`);
  for (const cookie of leaked) assert.equal(await socketStatus(first, cookie), 403, `cookie "${cookie}" with a forged Origin must not open the API`);
  await context.close();
});

test('two instances in one browser keep their own sessions, and a reload keeps the session', async () => {
  const context = await browser.newContext();
  const pageA = await context.newPage();
  await pageA.goto(first.url);
  await waitLive(pageA);
  const pageB = await context.newPage();
  await pageB.goto(second.url);
  await waitLive(pageB);
  await pageA.reload();
  await waitLive(pageA);
  await pageB.reload();
  await waitLive(pageB);
  await context.close();
});
