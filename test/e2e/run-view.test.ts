/**
 * End to end: launch a dp2 run of the tiny model from the UI, watch its charts fill, stop it, find it
 * in History and compare it with a pp2 run — real workers, a fresh data folder, headless Chromium.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';

let app: AppProcess;
let browser: Browser;
const home = mkdtempSync(join(tmpdir(), 'shardscope-home-'));

before(async () => {
  app = await startWebApp(['--web', '--interval-ms', '500'], { SHARDSCOPE_HOME: home });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

async function launch(page: Page, fields: Record<string, string>): Promise<string> {
  const form = page.locator('form[data-form="launch"]');
  for (const [name, value] of Object.entries(fields)) await form.locator(`[name="${name}"]`).fill(value);
  const before = await page.locator('.run-panel').count();
  await form.getByRole('button', { name: 'Launch' }).click();
  await page.waitForFunction((n) => document.querySelectorAll('.run-panel').length > n, before);
  return (await page.locator('.run-panel').first().getAttribute('data-run-id')) ?? '';
}

test('a dp2 run launched from the UI fills its charts, stops on Stop, and compares with a pp2 run in History', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Run' }).click();

  const dpRun = await launch(page, { dp: '2', tp: '1', pp: '1', steps: '2000', microBatches: '1' });
  const panel = page.locator(`.run-panel[data-run-id="${dpRun}"]`);
  await page.waitForFunction((id) => Number(document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-loss-points') ?? 0) >= 40, dpRun, { timeout: 60_000 });
  const firstLoss = Number(await panel.getAttribute('data-first-loss'));
  const lastLoss = Number(await panel.getAttribute('data-last-loss'));
  assert.ok(lastLoss < firstLoss - 0.5, `loss falls (${firstLoss} -> ${lastLoss})`);
  assert.ok(Number(await panel.getAttribute('data-bytes-moved')) > 0, 'bytes move between the ranks');
  assert.ok(Number(await panel.getAttribute('data-memory-points')) > 0, 'framework memory is shown');
  await page.waitForFunction((id) => Number(document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-energy-joules') ?? 0) > 0, dpRun, { timeout: 20_000 });
  const comparison = (await panel.locator('[data-table="predicted-vs-measured"]').textContent()) ?? '';
  for (const row of ['step time', 'memory', 'DP bytes']) assert.ok(comparison.toLowerCase().includes(row.toLowerCase()), `predicted vs measured has ${row}: ${comparison}`);
  await page.screenshot({ path: join(testOutputDir('e2e'), 'run-live.png'), fullPage: true });

  await panel.getByRole('button', { name: 'Stop', exact: true }).click();
  await panel.getByRole('button', { name: 'Stop this run' }).click();
  await page.waitForFunction((id) => document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-status') === 'cancelled', dpRun, { timeout: 20_000 });
  const stoppedAt = Number(await panel.getAttribute('data-steps-done'));
  assert.ok(stoppedAt < 2000, 'the run stopped before its last step');

  const ppRun = await launch(page, { dp: '1', tp: '1', pp: '2', steps: '15', microBatches: '4' });
  await page.waitForFunction((id) => document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-status') === 'finished', ppRun, { timeout: 60_000 });

  await page.getByRole('button', { name: 'History' }).click();
  await page.locator(`tr[data-run-id="${dpRun}"]`).waitFor();
  assert.match((await page.locator(`tr[data-run-id="${dpRun}"]`).textContent()) ?? '', /cancelled/);
  assert.match((await page.locator(`tr[data-run-id="${ppRun}"]`).textContent()) ?? '', /finished/);
  await page.locator(`tr[data-run-id="${dpRun}"] input[type="checkbox"]`).check();
  await page.locator(`tr[data-run-id="${ppRun}"] input[type="checkbox"]`).check();
  await page.getByRole('button', { name: 'Compare selected' }).click();
  await page.locator('[data-chart="compare-loss"] canvas').waitFor();
  assert.deepEqual(((await page.locator('#comparison').getAttribute('data-runs')) ?? '').split(',').sort(), [dpRun, ppRun].sort());
  await page.screenshot({ path: join(testOutputDir('e2e'), 'history-compare.png'), fullPage: true });

  // Export the comparison: a self-contained HTML report with both runs and server-rendered charts.
  await page.selectOption('select[name="report-format"]', 'html');
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export report' }).click()]);
  const saved = join(testOutputDir('e2e'), download.suggestedFilename());
  await download.saveAs(saved);
  const html = readFileSync(saved, 'utf8');
  assert.ok(html.includes(dpRun) && html.includes(ppRun), 'the report covers both runs');
  assert.ok(html.includes('<svg'), 'charts are rendered into the file');
  assert.ok(!/<script[^>]+src=/.test(html), 'no external scripts');
  await page.close();
});
