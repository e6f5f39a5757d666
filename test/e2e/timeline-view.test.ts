/**
 * End to end: a real pp=2 GPipe run recorded by `shardscope run`, opened from History in the web
 * app (real server, headless Chromium): one lane per rank, a click on a span shows its details,
 * the wheel zooms, a step row zooms to that step.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { CLI_PATH, testOutputDir } from '../support/paths.js';

let app: AppProcess;
let browser: Browser;
const home = mkdtempSync(join(tmpdir(), 'shardscope-home-'));

before(async () => {
  execFileSync(process.execPath, [CLI_PATH, 'run', '--model', 'tiny', '--strategy', 'pp=2', '--schedule', 'gpipe', '--micro-batches', '4', '--steps', '3', '--sample-ms', '0', '--json'],
    { env: { ...process.env, SHARDSCOPE_HOME: home }, stdio: 'pipe', timeout: 120_000 });
  app = await startWebApp(['--web', '--interval-ms', '1000'], { SHARDSCOPE_HOME: home });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('the timeline of a pp=2 run shows a lane per rank, span details on click, zoom, and per-step bubble and slowest rank', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'History' }).click();
  await page.locator('table.history tr[data-run-id]').first().getByRole('button', { name: 'Timeline' }).click();
  const canvas = page.locator('canvas.timeline-canvas');
  await page.waitForFunction(() => Number(document.querySelector('canvas.timeline-canvas')?.getAttribute('data-drawn') ?? 0) > 0);
  assert.equal(await canvas.getAttribute('data-lanes'), '2');
  const spanCount = Number(await canvas.getAttribute('data-spans'));
  assert.ok(spanCount >= 3 * 2 * 8, `at least forward + backward per micro-batch on both ranks for 3 steps (${spanCount} spans)`);

  // Click along rank 1's compute row until a span is hit; its details name rank 1 and its stage.
  const box = (await canvas.boundingBox())!;
  const info = page.locator('.timeline-info');
  let hit = '';
  for (let x = 190; x < box.width && !hit; x += 6) {
    await canvas.click({ position: { x, y: 24 + 40 + 4 + 7 } });
    hit = (await info.getAttribute('data-span')) ?? '';
  }
  assert.match(hit, /^(forward|backward|optimizer|data)/);
  const text = (await info.textContent()) ?? '';
  assert.ok(text.includes('rank1') && text.includes('stage1'), `details of a rank 1 span: ${text}`);

  const before = (await canvas.getAttribute('data-view-ms'))!;
  await canvas.hover({ position: { x: box.width / 2, y: 40 } });
  await page.mouse.wheel(0, -600);
  await page.waitForFunction((prev) => document.querySelector('canvas.timeline-canvas')?.getAttribute('data-view-ms') !== prev, before);
  const [a0, b0] = before.split('-').map(Number);
  const [a1, b1] = (await canvas.getAttribute('data-view-ms'))!.split('-').map(Number);
  assert.ok(b1 - a1 < (b0 - a0) / 2, `the wheel zoomed in (${before} -> ${a1}-${b1})`);

  const rows = page.locator('table.timeline-steps tr[data-step]');
  assert.equal(await rows.count(), 3);
  const firstRow = (await rows.nth(0).locator('td').allTextContents());
  assert.ok(Number(firstRow[3]) > 0, 'stage bubble shown for step 0');
  assert.match(firstRow[4], /%$/);
  assert.ok(['0', '1'].includes(firstRow[5]), 'the slowest rank is one of the two');
  await rows.nth(2).click();
  await page.waitForFunction((prev) => document.querySelector('canvas.timeline-canvas')?.getAttribute('data-view-ms') !== prev, `${a1}-${b1}`);
  await page.screenshot({ path: join(testOutputDir('e2e'), 'timeline.png'), fullPage: true });
});
