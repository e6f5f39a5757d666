/** End to end: the Planner view in Chromium — choose a preset, compare two strategies, watch verdicts and charts change. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';

let app: AppProcess;
let browser: Browser;

before(async () => {
  app = await startWebApp(['--web']);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const verdict = (page: Page, label: string) => page.locator(`.verdict[data-strategy="${label}"]`);

/** Waits until the view has re-planned after the last change. */
async function nextPlan(page: Page, change: () => Promise<void>): Promise<void> {
  const before = Number((await page.locator('#view').getAttribute('data-planned')) ?? 0);
  await change();
  await page.waitForFunction((n) => Number(document.getElementById('view')?.dataset.planned ?? 0) > n, before);
}

test('opt-66b on 16 A100s: plain DP does not fit and says why; TP x PP fits; a smaller preset changes the verdict', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Planner' }).click();
  await verdict(page, 'B').waitFor();
  await page.waitForFunction(() => Number(document.getElementById('view')?.dataset.planned ?? 0) >= 1);

  assert.equal(await verdict(page, 'A').getAttribute('data-fits'), 'false');
  assert.match((await verdict(page, 'A').textContent()) ?? '', /optimizer states/);
  assert.equal(await verdict(page, 'B').getAttribute('data-fits'), 'true');
  for (const chart of ['memory', 'step-time', 'communication', 'energy']) {
    assert.equal(await page.locator(`[data-chart="${chart}"]`).getAttribute('data-series'), 'A,B', `${chart} chart compares A and B`);
    assert.equal(await page.locator(`[data-chart="${chart}"] canvas`).count(), 1);
  }
  await page.screenshot({ path: join(testOutputDir('e2e'), 'planner-opt66b.png'), fullPage: true });

  // A 124M-parameter model fits with plain DP.
  await nextPlan(page, () => page.selectOption('select[name="model"]', 'gpt2-small').then(() => undefined));
  assert.equal(await verdict(page, 'A').getAttribute('data-fits'), 'true');

  // A tensor-parallel size that does not divide the heads is refused with a reason.
  await nextPlan(page, () => page.locator('[data-strategy="B"] input[name="tp"]').fill('5').then(() => page.locator('[data-strategy="B"] input[name="tp"]').dispatchEvent('change')));
  assert.equal(await verdict(page, 'B').getAttribute('data-fits'), 'invalid');
  assert.equal(await page.locator('[data-chart="memory"]').getAttribute('data-series'), 'A');
  await page.close();
});

test('search fills strategy B with the best strategy that fits', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Planner' }).click();
  await page.waitForFunction(() => Number(document.getElementById('view')?.dataset.planned ?? 0) >= 1);
  // Start B from a strategy that does not fit, so the search has something to fix.
  await page.locator('[data-strategy="B"] input[name="dp"]').fill('16');
  await page.locator('[data-strategy="B"] input[name="tp"]').fill('1');
  await page.locator('[data-strategy="B"] input[name="pp"]').fill('1');
  await page.locator('[data-strategy="B"] input[name="sequenceParallel"]').uncheck();
  await page.locator('.verdict[data-strategy="B"][data-fits="false"]').waitFor();
  await nextPlan(page, async () => {
    await page.getByRole('button', { name: 'Search best into B' }).click();
    await page.locator('.note', { hasText: 'best of' }).waitFor();
  });
  assert.equal(await verdict(page, 'B').getAttribute('data-fits'), 'true');
  assert.match((await page.locator('.note', { hasText: 'best of' }).textContent()) ?? '', /best of \d+ fitting \/ \d+ strategies/);
  const tp = Number(await page.locator('[data-strategy="B"] input[name="tp"]').inputValue());
  const pp = Number(await page.locator('[data-strategy="B"] input[name="pp"]').inputValue());
  const dp = Number(await page.locator('[data-strategy="B"] input[name="dp"]').inputValue());
  assert.equal(dp * tp * pp, 16, 'the found strategy uses all 16 GPUs');
  // The top-N list and the Pareto chart of the search.
  const rows = Number(await page.locator('.search-results table').getAttribute('data-rows'));
  assert.ok(rows > 1, `${rows} rows`);
  assert.equal(Number(await page.locator('[data-chart="pareto"]').getAttribute('data-points')), rows);
  assert.ok(Number(await page.locator('[data-chart="pareto"]').getAttribute('data-front')) >= 1);
  assert.equal(await page.locator('[data-chart="pareto"] canvas').count(), 1);
  // "use as A" copies the second-ranked strategy into column A.
  await nextPlan(page, () => page.locator('.search-results tr').nth(2).getByRole('button', { name: 'use as A' }).click());
  assert.equal(await verdict(page, 'A').getAttribute('data-fits'), 'true');
  await page.screenshot({ path: join(testOutputDir('e2e'), 'planner-search.png'), fullPage: true });
  await page.close();
});

test('workload fields reach the plan: sequence length, precision, attention, cp, and a GPU spec file', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Planner' }).click();
  await page.waitForFunction(() => Number(document.getElementById('view')?.dataset.planned ?? 0) >= 1);
  await nextPlan(page, () => page.selectOption('select[name="model"]', 'llama2-7b').then(() => undefined));
  await nextPlan(page, () => page.selectOption('select[name="attention"]', 'standard').then(() => undefined));
  assert.match((await verdict(page, 'A').textContent()) ?? '', /standard attention/);
  await nextPlan(page, () => page.selectOption('select[name="attention"]', 'flash').then(() => undefined));
  assert.match((await verdict(page, 'A').textContent()) ?? '', /flash attention/);
  // FP8 on an A100 is refused with the reason; on an H100 spec file it plans.
  await nextPlan(page, () => page.selectOption('select[name="dtype"]', 'fp8').then(() => undefined));
  assert.match((await verdict(page, 'A').textContent()) ?? '', /no FP8 tensor units/);
  await nextPlan(page, () => page.locator('input[name="gpuFile"]').setInputFiles({ name: 'h100-capped.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify({ base: 'h100-sxm', tdpWatts: 500 })) }));
  assert.equal(await page.locator('select[name="gpu"]').inputValue(), 'file: h100-capped.json');
  assert.notEqual(await verdict(page, 'A').getAttribute('data-fits'), 'invalid');
  assert.match((await verdict(page, 'A').textContent()) ?? '', /fp8/);
  // Context parallelism in column B with a long sequence.
  await nextPlan(page, () => page.locator('input[name="seqLen"]').fill('32768').then(() => page.locator('input[name="seqLen"]').dispatchEvent('change')));
  for (const [name, value] of [['dp', '1'], ['tp', '4'], ['pp', '1'], ['cp', '4']] as const) await page.locator(`[data-strategy="B"] input[name="${name}"]`).fill(value);
  await nextPlan(page, () => page.locator('[data-strategy="B"] input[name="cp"]').dispatchEvent('change'));
  assert.match((await verdict(page, 'B').textContent()) ?? '', /cp=4/);
  // Explicit uneven pipeline stages in column A.
  for (const [name, value] of [['dp', '4'], ['tp', '1'], ['pp', '4'], ['layersPerStage', '7,9,9,7']] as const) await page.locator(`[data-strategy="A"] input[name="${name}"]`).fill(value);
  await nextPlan(page, () => page.locator('[data-strategy="A"] input[name="layersPerStage"]').dispatchEvent('change'));
  assert.match((await verdict(page, 'A').textContent()) ?? '', /layers per stage 7,9,9,7/);
  // A Hugging Face config.json as the model: planned, and what is not understood is said on the cards.
  const config = { model_type: 'mixtral', hidden_size: 4096, intermediate_size: 14336, num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, vocab_size: 32000, max_position_embeddings: 4096, num_local_experts: 8, num_experts_per_tok: 2, brand_new_key: true };
  await nextPlan(page, () => page.locator('input[name="modelFile"]').setInputFiles({ name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(config)) }));
  assert.equal(await page.locator('select[name="model"]').inputValue(), 'file: config.json');
  assert.match((await verdict(page, 'B').textContent()) ?? '', /not understood \(ignored\): brand_new_key/);
  await page.screenshot({ path: join(testOutputDir('e2e'), 'planner-workload.png'), fullPage: true });
  await page.close();
});
