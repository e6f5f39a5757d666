/**
 * End to end in Chromium against the real web-mode app:
 * - switching tabs many times does not grow the live canvases (ECharts instances keep theirs until
 *   disposed) nor the window's resize listeners (read through the DevTools protocol after a GC);
 * - the page and its charts follow the system colour scheme (prefers-color-scheme), live;
 * - when the server goes away a banner says so, History does not wait on "Loading runs…", and the
 *   page reconnects by itself once the server is reachable again (a TCP path cut and restored).
 */
import assert from 'node:assert/strict';
import { createServer, Socket, type Server } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';

let app: AppProcess;
let browser: Browser;

/** A free TCP port with 5 digits (so a proxy can rewrite Host headers without changing lengths). */
async function freePort(): Promise<number> {
  for (;;) {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    await new Promise((resolve) => server.close(resolve));
    if (port >= 10000) return port;
  }
}

/** A TCP proxy 127.0.0.1:from -> 127.0.0.1:to that names `to` in what the browser sends; `cut()` drops every connection and stops listening, `restore()` listens again. */
function hostRewritingProxy(from: number, to: number) {
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const [fromText, toText] = [`127.0.0.1:${from}`, `127.0.0.1:${to}`];
  const listen = () => new Promise<void>((resolve) => {
    server = createServer((client) => {
      const upstream = new Socket();
      upstream.connect(to, '127.0.0.1');
      sockets.add(client).add(upstream);
      client.on('data', (chunk: Buffer) => upstream.write(Buffer.from(chunk.toString('latin1').split(fromText).join(toText), 'latin1')));
      upstream.pipe(client);
      const end = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
      client.on('close', end).on('error', end);
      upstream.on('close', end).on('error', end);
    });
    server.listen(from, '127.0.0.1', resolve);
  });
  return {
    listen,
    cut: async () => {
      const closed = new Promise((resolve) => server?.close(resolve));
      for (const s of sockets) s.destroy();
      sockets.clear();
      await closed;
    },
  };
}

before(async () => {
  app = await startWebApp(['--web', '--interval-ms', '300']);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

async function openAt(page: Page, url: string, route: string): Promise<void> {
  await page.goto(url);
  await page.locator('#nav button').first().waitFor();
  await page.evaluate((hash) => { location.hash = hash; }, route);
}

/** Each tab, waiting until its charts and first data are in. */
const tabs: [string, string][] = [
  ['Cluster', '#live-charts [data-chart="cpuPercent"] canvas'],
  ['Hosts', '#host-list .host-row'],
  ['Planner', '.verdict[data-strategy="B"]'],
  ['Run', '#live-charts [data-chart="cpuPercent"] canvas'],
  ['History', '[data-role="history-note"]'],
];

/** History has listed its runs (or said why not). */
const historyLoaded = () => {
  const text = document.querySelector('[data-role="history-note"]')?.textContent ?? '';
  return text !== '' && !text.startsWith('Loading runs');
};

async function visitEveryTab(page: Page): Promise<void> {
  for (const [name, ready] of tabs) {
    await page.locator('#nav').getByRole('button', { name, exact: true }).click();
    await page.locator(ready).first().waitFor({ timeout: 20_000 });
    if (name === 'History') await page.waitForFunction(historyLoaded, undefined, { timeout: 20_000 });
  }
}

/** Canvases alive in the page's heap (after a GC) and the window's resize listeners. */
async function liveCounts(cdp: CDPSession): Promise<{ canvases: number; resizeListeners: number; windowListeners: number }> {
  // Every handle goes in one object group, released after: a held query result would itself keep canvases alive.
  const objectGroup = 'leak-count';
  await cdp.send('HeapProfiler.collectGarbage');
  try {
    const proto = await cdp.send('Runtime.evaluate', { expression: 'HTMLCanvasElement.prototype', objectGroup });
    const { objects } = await cdp.send('Runtime.queryObjects', { prototypeObjectId: proto.result.objectId!, objectGroup });
    const length = await cdp.send('Runtime.callFunctionOn', { objectId: objects.objectId!, functionDeclaration: 'function () { return this.length; }', returnByValue: true, objectGroup });
    const win = await cdp.send('Runtime.evaluate', { expression: 'window', objectGroup });
    const { listeners } = await cdp.send('DOMDebugger.getEventListeners', { objectId: win.result.objectId! });
    return { canvases: Number(length.result.value), resizeListeners: listeners.filter((l) => l.type === 'resize').length, windowListeners: listeners.length };
  } finally {
    await cdp.send('Runtime.releaseObjectGroup', { objectGroup });
  }
}

test('switching tabs 10 times leaves as many live canvases and window listeners as switching twice', async () => {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 } });
  await openAt(page, app.url, '#/cluster');
  const cdp = await page.context().newCDPSession(page);
  for (let i = 0; i < 2; i++) await visitEveryTab(page);
  const warm = await liveCounts(cdp);
  for (let i = 0; i < 8; i++) await visitEveryTab(page);
  const later = await liveCounts(cdp);
  assert.ok(warm.canvases > 0, 'the counting sees the canvases');
  assert.ok(later.canvases <= warm.canvases, `live canvases grew with tab switches: ${warm.canvases} -> ${later.canvases}`);
  assert.equal(later.resizeListeners, warm.resizeListeners, 'resize listeners grew with tab switches');
  assert.equal(later.windowListeners, warm.windowListeners, 'window listeners grew with tab switches');
  assert.ok(later.resizeListeners <= 1, `one resize listener for the History view at most (${later.resizeListeners})`);
  await page.close();
});

/** Pixels of the CPU chart drawn in `rgb` (axis labels and legend text of one theme). */
function countPixels(page: Page, rgb: [number, number, number]): Promise<number> {
  return page.evaluate(([r, g, b]) => {
    const canvas = document.querySelector('[data-chart="cpuPercent"] canvas') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200 && Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 12) n++;
    return n;
  }, rgb);
}

test('the page and its charts follow the system colour scheme, and switch live', async () => {
  const page = await browser.newPage({ viewport: { width: 1300, height: 1000 }, colorScheme: 'dark' });
  await openAt(page, app.url, '#/cluster');
  await page.waitForFunction(() => Number(document.querySelector('[data-chart="cpuPercent"]')?.getAttribute('data-points') ?? 0) >= 2, undefined, { timeout: 20_000 });
  const darkMuted: [number, number, number] = [0x87, 0x94, 0xa3];
  const lightMuted: [number, number, number] = [0x5a, 0x64, 0x72];
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  assert.equal(await background(), 'rgb(15, 20, 25)');
  assert.ok(await countPixels(page, darkMuted) > 20, 'dark: axis labels in the dark theme\'s muted colour');
  assert.equal(await countPixels(page, lightMuted), 0);

  await page.emulateMedia({ colorScheme: 'light' });
  assert.equal(await background(), 'rgb(246, 247, 249)');
  await page.waitForFunction(() => {
    const canvas = document.querySelector('[data-chart="cpuPercent"] canvas') as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 200 && Math.abs(data[i] - 0x5a) + Math.abs(data[i + 1] - 0x64) + Math.abs(data[i + 2] - 0x72) < 12) n++;
    return n > 20;
  }, undefined, { timeout: 10_000 });
  assert.equal(await countPixels(page, darkMuted), 0, 'light: no dark-theme label left');
  await page.screenshot({ path: join(testOutputDir('e2e'), 'cluster-light.png'), fullPage: true });
  await page.close();
});

test('server gone: a banner, History says it cannot list runs (no endless "Loading runs…"), and the page reconnects when it is back', async () => {
  // The browser reaches the app through a TCP path this test can cut and restore (same server, same session).
  const appPort = Number(new URL(app.origin).port);
  const proxyPort = await freePort();
  assert.equal(String(appPort).length, 5, 'the app listens on a 5-digit port');
  const proxy = hostRewritingProxy(proxyPort, appPort);
  await proxy.listen();
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  try {
    await openAt(page, app.url.replace(`:${appPort}`, `:${proxyPort}`), '#/history');
    await page.waitForFunction(historyLoaded, undefined, { timeout: 20_000 });
    const banner = page.locator('#connection-banner');
    assert.equal(await banner.isVisible(), false);

    await proxy.cut();
    await banner.waitFor({ state: 'visible', timeout: 10_000 });
    assert.match((await banner.textContent()) ?? '', /Connection to ShardScope lost/);
    await page.waitForFunction(() => Number(document.getElementById('connection-banner')?.dataset.attempts ?? 0) >= 1, undefined, { timeout: 10_000 });
    assert.match((await banner.textContent()) ?? '', /cannot be reached: retrying/);
    // A view opened now answers at once instead of waiting on a socket that is gone.
    await page.locator('#nav').getByRole('button', { name: 'Cluster', exact: true }).click();
    await page.locator('#nav').getByRole('button', { name: 'History', exact: true }).click();
    await page.waitForFunction(() => /could not list runs: not connected/.test(document.querySelector('[data-role="history-note"]')?.textContent ?? ''), undefined, { timeout: 5000 });
    await page.screenshot({ path: join(testOutputDir('e2e'), 'connection-lost.png') });

    await proxy.listen();
    await banner.waitFor({ state: 'hidden', timeout: 20_000 });
    assert.equal(await page.locator('#connection-banner').getAttribute('data-state'), 'connected');
    // The view is mounted again and reads the runs.
    await page.waitForFunction(() => /run|No runs yet/.test(document.querySelector('[data-role="history-note"]')?.textContent ?? '') && !/could not list/.test(document.querySelector('[data-role="history-note"]')?.textContent ?? ''), undefined, { timeout: 10_000 });
    assert.equal(await page.locator('#status').getAttribute('data-state'), 'live');
  } finally {
    await page.close();
    await proxy.cut();
  }
});

test('server restarted (a new session token): the banner says to open the new URL instead of retrying silently', async () => {
  const port = await freePort();
  let first: AppProcess | null = await startWebApp(['--web', '--port', String(port), '--interval-ms', '500']);
  let second: AppProcess | null = null;
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  try {
    await openAt(page, first.url, '#/history');
    await page.waitForFunction(historyLoaded, undefined, { timeout: 20_000 });
    await first.stop();
    first = null;
    const banner = page.locator('#connection-banner');
    await banner.waitFor({ state: 'visible', timeout: 10_000 });
    second = await startWebApp(['--web', '--port', String(port), '--interval-ms', '500']);
    await page.waitForFunction(() => document.getElementById('connection-banner')?.dataset.state === 'refused', undefined, { timeout: 20_000 });
    assert.match((await banner.textContent()) ?? '', /refused this tab's session.*Open the URL it printed/);
  } finally {
    await page.close();
    await first?.stop();
    await second?.stop();
  }
});

test('server hung (SIGSTOP, TCP still open): the page notices the silence, shows the banner, and reconnects after SIGCONT', async () => {
  const hung = await startWebApp(['--web', '--interval-ms', '500']);
  const pid = hung.child.pid!;
  const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
  try {
    await openAt(page, hung.url, '#/history');
    await page.waitForFunction(historyLoaded, undefined, { timeout: 20_000 });
    process.kill(pid, 'SIGSTOP');
    const banner = page.locator('#connection-banner');
    await banner.waitFor({ state: 'visible', timeout: 40_000 });
    assert.match((await banner.textContent()) ?? '', /no answer from ShardScope for \d+ s/);
    process.kill(pid, 'SIGCONT');
    await banner.waitFor({ state: 'hidden', timeout: 40_000 });
    await page.waitForFunction(historyLoaded, undefined, { timeout: 10_000 });
    assert.equal(await page.locator('#status').getAttribute('data-state'), 'live');
  } finally {
    try { process.kill(pid, 'SIGCONT'); } catch { /* already gone */ }
    await page.close();
    await hung.stop();
  }
});
