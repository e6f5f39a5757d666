/** End to end: `shardscope app` in web mode, driven by headless Chromium, and its access checks. */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import WebSocket from 'ws';
import { apiProtocols } from '../support/api-client.js';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';

let app: AppProcess;
let browser: Browser;

before(async () => {
  app = await startWebApp(['--web', '--interval-ms', '300']);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  const code = await app?.stop();
  assert.equal(code, 0, `app did not stop cleanly:\n${app?.output()}`);
});

test('the page loads through the token URL, shows this machine with its CPU device, and the live charts gain points', async () => {
  const page = await browser.newPage();
  const failedRequests: string[] = [];
  page.on('requestfailed', (r) => failedRequests.push(r.url()));
  await page.goto(app.url);
  assert.equal(new URL(page.url()).search, '', 'the token is dropped from the address bar');
  await page.locator('[data-host-id] .device-card').first().waitFor({ timeout: 20_000 });
  const cpuWords = cpus()[0].model.replace(/\((R|TM)\)|®|™/g, ' ').split(/\s+/).filter((w) => w.length > 3);
  const deviceCard = page.locator('.device-card', { hasText: 'cpu' }).first();
  assert.match((await deviceCard.textContent()) ?? '', /cpu/i);
  const hostText = (await page.locator('[data-host-id]').first().textContent()) ?? '';
  assert.ok(cpuWords.some((w) => hostText.includes(w)), `host card names the CPU (${cpuWords.join(' ')}): ${hostText}`);
  assert.ok(hostText.includes(`${cpus().length} threads`), 'host card gives the thread count');

  const cpuPanel = page.locator('[data-chart="cpuPercent"]');
  await page.waitForFunction(() => Number(document.querySelector('[data-chart="cpuPercent"]')?.getAttribute('data-points') ?? 0) >= 2, undefined, { timeout: 20_000 });
  const first = Number(await cpuPanel.getAttribute('data-points'));
  await page.waitForFunction((n) => Number(document.querySelector('[data-chart="cpuPercent"]')?.getAttribute('data-points') ?? 0) > n, first, { timeout: 20_000 });
  const later = Number(await cpuPanel.getAttribute('data-points'));
  assert.ok(later > first, `chart gained points (${first} -> ${later})`);
  // The canvas really has drawn pixels for the line, not only the axes.
  const canvasCount = await page.locator('[data-chart="cpuPercent"] canvas').count();
  assert.ok(canvasCount >= 1);
  assert.equal(await page.locator('[data-chart="gpuMemoryGiB"] .chart-empty').isVisible(), true, 'no-GPU state is shown on this machine');
  await page.screenshot({ path: join(testOutputDir('e2e'), 'web-mode-cluster.png'), fullPage: true });
  assert.deepEqual(failedRequests, []);
  await page.close();
});

test('requests without the token are refused', async () => {
  const root = await fetch(`${app.origin}/`, { redirect: 'manual' });
  assert.equal(root.status, 401);
  const script = await fetch(`${app.origin}/app.js`, { redirect: 'manual' });
  assert.equal(script.status, 401);
  const wrongToken = await fetch(`${app.origin}/?token=not-the-token`, { redirect: 'manual' });
  assert.equal(wrongToken.status, 401);
  // The token URL is answered by the page itself (no redirect, so a route in its fragment survives), with the page cookie.
  const good = await fetch(app.url, { redirect: 'manual' });
  assert.equal(good.status, 200);
  assert.match(good.headers.get('set-cookie') ?? '', /^shardscope_page_\d+=[^;]+; HttpOnly; SameSite=Strict/);
  assert.equal(good.headers.get('referrer-policy'), 'no-referrer');
  assert.equal(good.headers.get('cache-control'), 'no-store');
  assert.equal(good.headers.get('access-control-allow-origin'), null, 'no CORS headers');
});

test('a wrong Host or Origin is refused, the right ones are served', async () => {
  const cookie = `shardscope_page_${new URL(app.origin).port}=x`;
  const port = new URL(app.origin).port;
  const rebindingStatus = await new Promise<number>((resolve, reject) => {
    request(`${app.origin}/`, { headers: { cookie, host: `attacker.example:${port}` } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); })
      .on('error', reject).end();
  });
  assert.equal(rebindingStatus, 403, 'a DNS-rebinding Host header is refused');

  const openSocket = (origin: string, withToken = true) => new Promise<number>((resolve) => {
    const ws = new WebSocket(`${app.origin.replace('http', 'ws')}/api`, withToken ? apiProtocols(app.token) : [], { origin, headers: { cookie: `shardscope_token=${app.token}` } });
    ws.on('open', () => { ws.close(); resolve(101); });
    ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    ws.on('error', () => resolve(-1));
  });
  assert.equal(await openSocket('http://evil.example'), 403);
  assert.equal(await openSocket(app.origin, false), 403);
  assert.equal(await openSocket(app.origin), 101);
});

test('a call with bad arguments gets a bad-input error, not a crash', async () => {
  const ws = new WebSocket(`${app.origin.replace('http', 'ws')}/api`, apiProtocols(app.token), { origin: app.origin });
  await new Promise((resolve) => ws.once('open', resolve));
  const reply = new Promise<Record<string, unknown>>((resolve) => {
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString());
      if (message.id === 7) resolve(message);
    });
  });
  ws.send(JSON.stringify({ id: 7, method: 'getRecentTelemetry', args: [{ windowMs: -5 }] }));
  const message = await reply;
  assert.equal(message.ok, false);
  assert.equal((message.error as { kind: string }).kind, 'bad-input');
  ws.close();
});
