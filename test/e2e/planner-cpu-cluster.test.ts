/**
 * End to end: "this cluster" without a GPU, in Chromium. This machine is calibrated for real first
 * (`shardscope calibrate --model tiny`, worker processes), then the Planner lists the built-in engine's
 * candidate strategies on its cores, fastest predicted first, each naming the calibration it came from;
 * "Run this" fills the Run view's form, and the run launched from it keeps that very prediction to
 * compare against what it measures.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';
import { calibrateTiny, cpuOnlyEnv } from '../support/cpu-only.js';

let app: AppProcess;
let browser: Browser;
// no GPU here, whatever the machine has: no nvidia-smi on the PATH
const env = cpuOnlyEnv(mkdtempSync(join(tmpdir(), 'shardscope-cpu-cluster-')));

before(async () => {
  const calibrated = await calibrateTiny(env);
  assert.equal(calibrated.code, 0, calibrated.stderr);
  app = await startWebApp(['--web'], env);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

test('the Planner predicts the built-in engine\'s strategies on this CPU-only machine from its calibration, and "Run this" runs one against that prediction', { timeout: 300_000 }, async (t) => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Planner' }).click();
  const section = page.locator('[data-part="this-cluster"][data-available="true"][data-kind="cpu"]');
  await section.waitFor();
  assert.match((await page.locator('select[name="clusterChoice"] option:checked').textContent()) ?? '', /this cluster: \d+ CPU rank slot\(s\), built-in engine/);
  const derived = (await section.locator('li').allTextContents()).join('\n');
  assert.match(derived, /host local: no GPU, \d+ cores, from this machine/);
  assert.match(derived, /figures of local: calibration #1 of local \(shardscope calibrate, measured .* ago\)/);
  // the form's model (opt-66b) is for planning only: the calibrated model is predicted, and that is said
  assert.match(derived, /opt-66b is for planning only .*: candidates for tiny/);

  // the form's model and batch: tiny, 8 sequences
  await page.selectOption('[data-form="cluster"] select[name="model"]', 'tiny');
  await page.locator('[data-form="cluster"] input[name="globalBatch"]').fill('8');
  await page.locator('[data-form="cluster"] input[name="globalBatch"]').dispatchEvent('change');
  const table = section.locator('[data-part="cpu-candidates"][data-model="tiny"]');
  await table.locator('p', { hasText: 'global batch 8' }).waitFor();
  const rows = table.locator('tr[data-candidate]');
  const labels = await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.candidate ?? ''));
  for (const label of ['dp=1 tp=1 pp=1', 'dp=2 tp=1 pp=1', 'dp=2 tp=1 pp=1 · ZeRO-1', 'dp=1 tp=2 pp=1', 'dp=1 tp=1 pp=2 · 4 micro-batches']) assert.ok(labels.includes(label), `${label} in ${labels.join(' | ')}`);
  for (const kind of await rows.evaluateAll((trs) => trs.map((tr) => (tr as HTMLElement).dataset.kind))) assert.equal(kind, 'engine-calibrated');
  const pp = table.locator('tr[data-candidate="dp=1 tp=1 pp=2 · 4 micro-batches"]');
  const ppText = (await pp.textContent()) ?? '';
  assert.match(ppText, /local x2/);
  assert.match(ppText, /process peak resident memory \(VmHWM\)/);
  assert.match(ppText, /pp \d/);
  assert.match(ppText, /predicted from calibration #1 of local/);
  const predictedStep = (await pp.locator('td').nth(2).textContent()) ?? '';
  await page.screenshot({ path: join(testOutputDir('e2e'), 'planner-cpu-cluster.png'), fullPage: true });

  // a header sorts: by peak memory, the smallest first
  await table.locator('th[data-sort="memory"]').click();
  await table.locator('table[data-sorted-by="memory"]').waitFor();

  await pp.getByRole('button', { name: 'Run this' }).click();
  await page.waitForURL(/#\/run$/);
  const form = page.locator('form[data-form="launch"]');
  await form.waitFor();
  assert.deepEqual(await Promise.all(['model', 'dp', 'tp', 'pp', 'microBatches', 'zero'].map((n) => form.locator(`[name="${n}"]`).inputValue())), ['tiny', '1', '1', '2', '4', '0']);
  assert.equal(await page.locator('p[data-carried]').getAttribute('data-carried'), 'global batch 8');
  await page.waitForFunction(() => document.querySelectorAll('[data-placement="preview"] tr[data-rank]').length === 2);
  await form.locator('[name="steps"]').fill('4');
  await form.getByRole('button', { name: 'Launch' }).click();
  const panel = page.locator('.run-panel').first();
  await panel.waitFor();
  await page.waitForFunction(() => document.querySelector('.run-panel')?.getAttribute('data-status') === 'finished', undefined, { timeout: 180_000 });
  assert.match((await panel.locator('[data-role="prediction-basis"]').textContent()) ?? '', /Prediction: predicted from calibration #1 of local/);
  // the run kept the prediction the Planner showed
  const stepRow = panel.locator('[data-table="predicted-vs-measured"] tr', { hasText: 'step time' });
  assert.equal((await stepRow.locator('td').first().textContent())?.trim(), predictedStep.trim());
  t.diagnostic(`predicted vs measured: ${(await panel.locator('[data-table="predicted-vs-measured"] tr').allTextContents()).join(' | ')}`);
  await page.screenshot({ path: join(testOutputDir('e2e'), 'planner-cpu-cluster-run.png'), fullPage: true });
  await page.close();
});
