/**
 * End to end, real workers, real Chromium: History's "Compare selected" looks disabled until 2-4
 * runs are ticked, "Export report" with nothing ticked says so (replacing an old note), and the
 * comparison of a finished run with a run stopped after a few steps (same strategy) gives distinct
 * labels, status and steps, the configuration difference, and never calls the stopped run fastest.
 * The report of the finished run: its first PDF page holds more than the title, readers see no
 * internal metric keys, and no "No samples" note sits above a chart that has samples.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import type { RunUpdate } from '../../src-shared/run-live.js';
import { connectApi, type ApiClient } from '../support/api-client.js';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';

let app: AppProcess;
let browser: Browser;
let api: ApiClient;
const home = mkdtempSync(join(tmpdir(), 'shardscope-home-'));
const updates = new Map<string, RunUpdate[]>();
let finishedId = '';
let cancelledId = '';

const base = { model: 'tiny', dp: 1, tp: 1, pp: 1, microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: false };

/** Resolves with the first update of `runId` that `predicate` accepts. */
function waitForUpdate(runId: string, predicate: (u: RunUpdate) => boolean, timeoutMs = 120_000): Promise<RunUpdate> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`run ${runId}: no such update in ${timeoutMs} ms`)), timeoutMs);
    const check = () => {
      const hit = (updates.get(runId) ?? []).find(predicate);
      if (hit) { clearTimeout(timer); clearInterval(poll); resolve(hit); }
    };
    const poll = setInterval(check, 50);
    check();
  });
}

async function openAt(page: Page, route: string): Promise<void> {
  await page.goto(app.url);
  await page.locator('#nav button').first().waitFor();
  await page.evaluate((hash) => { location.hash = hash; }, route);
}

before(async () => {
  app = await startWebApp(['--web', '--interval-ms', '500'], { SHARDSCOPE_HOME: home });
  browser = await launchChromium();
  api = await connectApi(app);
  api.on('run', (u) => updates.set(u.runId, [...(updates.get(u.runId) ?? []), u]));
  // A run that finishes, and one of the same strategy stopped after a few of its 3000 steps.
  finishedId = (await api.call('startRun', { ...base, steps: 6 })).runId;
  await waitForUpdate(finishedId, (u) => u.status === 'finished');
  cancelledId = (await api.call('startRun', { ...base, steps: 3000 })).runId;
  await waitForUpdate(cancelledId, (u) => u.stepsDone >= 2);
  await api.call('stopRun', { runId: cancelledId });
  await waitForUpdate(cancelledId, (u) => u.status === 'cancelled');
});

after(async () => {
  api?.close();
  await browser?.close();
  await app?.stop();
  rmSync(home, { recursive: true, force: true });
});

test('Compare selected looks and is disabled until 2 runs are ticked; Export with nothing ticked says so', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  await openAt(page, '#/history');
  await page.locator(`tr[data-run-id="${finishedId}"]`).waitFor();
  const compare = page.getByRole('button', { name: 'Compare selected' });
  const looks = () => compare.evaluate((b: HTMLButtonElement) => ({ disabled: b.disabled, opacity: Number(getComputedStyle(b).opacity), cursor: getComputedStyle(b).cursor, title: b.title }));
  const off = await looks();
  assert.equal(off.disabled, true);
  assert.ok(off.opacity < 0.6, `a disabled button is dimmed (opacity ${off.opacity})`);
  assert.equal(off.cursor, 'not-allowed');
  assert.match(off.title, /tick 2 to 4 runs/);

  // Export with nothing ticked: a message, not silence.
  const status = page.locator('[data-role="export-status"]');
  await page.getByRole('button', { name: 'Export report' }).click();
  assert.match((await status.textContent()) ?? '', /select at least one run/);
  // Tick one, export (a note "saved …"), untick, export again: the old note is replaced.
  await page.locator(`tr[data-run-id="${finishedId}"] input[type="checkbox"]`).check();
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export report' }).click();
  await download;
  await page.waitForFunction(() => /saved /.test(document.querySelector('[data-role="export-status"]')?.textContent ?? ''));
  await page.locator(`tr[data-run-id="${finishedId}"] input[type="checkbox"]`).uncheck();
  await page.getByRole('button', { name: 'Export report' }).click();
  assert.match((await status.textContent()) ?? '', /select at least one run/);

  await page.locator(`tr[data-run-id="${finishedId}"] input[type="checkbox"]`).check();
  await page.locator(`tr[data-run-id="${cancelledId}"] input[type="checkbox"]`).check();
  const on = await looks();
  assert.equal(on.disabled, false);
  assert.equal(on.opacity, 1);
  await page.close();
});

test('the comparison flags the stopped run, ranks only the finished one, labels them apart and shows what differs', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
  await openAt(page, '#/history');
  await page.locator(`tr[data-run-id="${cancelledId}"]`).waitFor();
  assert.match((await page.locator(`tr[data-run-id="${cancelledId}"] .run-status`).getAttribute('class')) ?? '', /flag/, 'the cancelled row is flagged');
  await page.locator(`tr[data-run-id="${finishedId}"] input[type="checkbox"]`).check();
  await page.locator(`tr[data-run-id="${cancelledId}"] input[type="checkbox"]`).check();
  await page.getByRole('button', { name: 'Compare selected' }).click();
  await page.locator('[data-role="compare-headline"]').waitFor();
  const comparison = page.locator('#comparison');
  assert.equal(await comparison.getAttribute('data-fastest'), finishedId, 'only the finished run can be fastest');
  assert.equal(await comparison.getAttribute('data-unranked'), cancelledId);
  const headline = (await page.locator('[data-role="compare-headline"]').textContent()) ?? '';
  assert.match(headline, new RegExp(`^Fastest: dp=1 tp=1 pp=1 · ${finishedId.slice(-6)} \\(run ${finishedId}\\)`));
  assert.match(headline, new RegExp(`Not ranked: dp=1 tp=1 pp=1 · ${cancelledId.slice(-6)} \\(cancelled\\), cancelled after \\d+ of 3000 steps`));
  assert.match(headline, /Differs: steps asked (6 vs 3000|3000 vs 6)\./);
  const table = page.locator('[data-table="compare-runs"]');
  const labels = await table.locator('tr').first().locator('th').allTextContents();
  assert.equal(new Set(labels.slice(1)).size, 2, `two distinct labels: ${labels.join(' | ')}`);
  const statusCells = await table.locator('tr[data-row="status"] td').allTextContents();
  assert.equal(statusCells.length, 2);
  assert.ok(statusCells.includes('finished 6 steps') && statusCells.some((c) => /^cancelled after \d+ of 3000 steps$/.test(c)), statusCells.join(' | '));
  // The charts use the same distinct labels.
  await page.locator('[data-chart="compare-tokens-per-second"] canvas').first().waitFor();
  await page.screenshot({ path: join(testOutputDir('e2e'), 'history-compare.png'), fullPage: true });
  await page.close();
});

test('the report of a run: page 1 holds more than the title, no internal names, no "No samples" above a chart', async () => {
  const pdf = await api.call('exportReport', { runIds: [finishedId], format: 'pdf' });
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-pdf-'));
  try {
    const path = join(dir, 'report.pdf');
    writeFileSync(path, Buffer.from(pdf.base64, 'base64'));
    const first = execFileSync('pdftotext', ['-f', '1', '-l', '1', path, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    assert.match(first, /ShardScope report: run/);
    assert.match(first, /Cluster inventory/, 'the run starts on the first page, under the title');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  const html = await api.call('exportReport', { runIds: [finishedId], format: 'html' });
  const page = await browser.newPage();
  await page.setContent(Buffer.from(html.base64, 'base64').toString('utf8'));
  const checks = await page.locator('table.checks').innerText();
  assert.doesNotMatch(checks, /commBytesPerStepPerGpu|stepTimeSeconds|peakMemoryPerGpuBytes|joulesPerToken/, 'readers see names, not keys');
  assert.match(checks, /DP bytes sent per rank per step/);
  const measured = await page.locator('section.part[data-section="measured"]').innerText();
  assert.doesNotMatch(measured, /process-peak-vmhwm|process-rss|framework-memory|gpu-memory/, 'the memory source is named for readers');
  assert.match(measured, /peak memory per device.*\((process peak resident memory|process resident memory|memory the training framework)/);
  // Every section: a "No samples" note only where the section has no chart.
  const sections = await page.locator('section.part').evaluateAll((els) => els.map((s) => ({
    key: s.getAttribute('data-section'), charts: s.querySelectorAll('figure.chart').length, noSamples: /No samples of this kind/.test(s.textContent ?? ''),
  })));
  const memory = sections.find((s) => s.key === 'memory');
  assert.ok(memory && memory.charts >= 1, 'the memory section charts the ranks\' framework memory');
  for (const s of sections) assert.ok(!(s.noSamples && s.charts > 0), `section ${s.key}: "No samples" above ${s.charts} chart(s)`);
  await page.close();
});
