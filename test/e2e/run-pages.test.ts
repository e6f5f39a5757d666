/**
 * End to end, real workers, real Chromium, a host whose stand-in GPUs draw ~630 W each: the Run view
 * shows the placement (and why the GPUs stay idle) before launch, disables Launch while its run goes,
 * re-attaches after a reload with the whole loss history, asks before stopping and does not call a
 * stop an error; History opens the run's page (#/runs/<id>) with its charts from the store, the GPUs
 * marked "not used by this run", 0 J of GPU energy, logs and the export control.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { fakeNvidiaSmiPath, fixture } from '../support/fake-nvidia-smi/fixtures.js';
import { testOutputDir } from '../support/paths.js';

let app: AppProcess;

/** Opens the app through its token URL, then goes to a route (the token URL can also carry it: `?token=T#/route`, see web-mode-deep-link.test.ts). */
async function openAt(page: import('playwright-core').Page, route: string): Promise<void> {
  await page.goto(app.url);
  await page.locator('#nav button').first().waitFor();
  await page.evaluate((hash) => { location.hash = hash; }, route);
}
let browser: Browser;
const home = mkdtempSync(join(tmpdir(), 'shardscope-home-'));

before(async () => {
  app = await startWebApp(['--web', '--interval-ms', '250'], {
    SHARDSCOPE_HOME: home, SHARDSCOPE_NVIDIA_SMI: fakeNvidiaSmiPath,
    FAKE_SMI_XML: fixture('xml', 'telegraf_2x-rtx-2080_590.44.01_v13.xml'),
    FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv'), FAKE_SMI_REPLICATE_GPUS: '2',
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

/** Waits until the run's panel charts more than `after` (or at least `atLeast`) loss points. */
async function waitForLossPoints(page: import('playwright-core').Page, runId: string, atLeast: number, timeout = 30_000): Promise<void> {
  await page.waitForFunction(([id, n]) => Number(document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-loss-points') ?? 0) >= Number(n), [runId, atLeast] as const, { timeout });
}

test('placement before launch, re-attach after reload, confirmed stop, and the run page from History', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  await openAt(page, `#/run`);
  const out = testOutputDir('e2e');

  // Placement before launch: two CPU ranks, and why the two GPUs stay idle.
  const form = page.locator('form[data-form="launch"]');
  await form.locator('[name="steps"]').fill('3000');
  await form.locator('[name="microBatches"]').fill('1');
  await page.waitForFunction(() => document.querySelectorAll('[data-placement="preview"] tr[data-rank]').length === 2 && document.querySelector('[data-placement="preview"]')?.getAttribute('data-state') === 'ready');
  const placement = (await page.locator('[data-placement="preview"]').textContent()) ?? '';
  assert.match(placement, /local.*cpu.*(wasm|tfjs-node)/);
  assert.match(placement, /local has 2 GPUs but its 2 ranks will run on the CPU: tfjs-node-gpu is not installed on local — use the PyTorch engine/);
  await form.locator('[name="dp"]').fill('3');
  await page.waitForFunction(() => document.querySelectorAll('[data-placement="preview"] tr[data-rank]').length === 3);
  await form.locator('[name="dp"]').fill('2');
  await page.waitForFunction(() => document.querySelectorAll('[data-placement="preview"] tr[data-rank]').length === 2);
  await page.screenshot({ path: join(out, 'run-placement.png'), fullPage: true });

  // Launch; Launch is disabled while the run goes.
  await form.getByRole('button', { name: 'Launch' }).click();
  await page.locator('.run-panel').first().waitFor();
  const runId = (await page.locator('.run-panel').first().getAttribute('data-run-id')) ?? '';
  await waitForLossPoints(page, runId, 15, 90_000);
  assert.equal(await form.getByRole('button', { name: 'Launch' }).isDisabled(), true, 'Launch is disabled while the run goes');

  // Reload mid-run: the view comes back on #/run with the whole loss history, then keeps going.
  const before = Number(await page.locator(`.run-panel[data-run-id="${runId}"]`).getAttribute('data-loss-points'));
  await page.reload();
  await page.locator(`.run-panel[data-run-id="${runId}"]`).waitFor({ timeout: 30_000 });
  await waitForLossPoints(page, runId, before);
  const panel = page.locator(`.run-panel[data-run-id="${runId}"]`);
  const [charted, stepsDone] = await panel.evaluate((node: HTMLElement) => [Number(node.dataset.lossPoints), Number(node.dataset.stepsDone)]);
  assert.equal(charted, stepsDone, 'every step since the start is charted, not only those after the reload');
  assert.equal(await form.getByRole('button', { name: 'Launch' }).isDisabled(), true, 'still disabled after the reload');
  await waitForLossPoints(page, runId, stepsDone + 1);

  // Stop asks first; the stop is not shown as an error.
  await page.screenshot({ path: join(out, 'run-reattached.png'), fullPage: true });
  await panel.getByRole('button', { name: 'Stop', exact: true }).click();
  await panel.getByRole('button', { name: 'Keep running' }).click();
  assert.equal(await panel.getAttribute('data-status'), 'running');
  await panel.getByRole('button', { name: 'Stop', exact: true }).click();
  await panel.getByRole('button', { name: 'Stop this run' }).click();
  await page.waitForFunction((id) => document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-status') === 'cancelled', runId, { timeout: 30_000 });
  assert.equal(await panel.locator('.error-box').isVisible(), false, 'no error box for a stop asked for');
  assert.match((await panel.locator('.stopped-note').textContent()) ?? '', /Stopped on request after \d+ of 3000 steps/);
  await page.waitForFunction(() => document.querySelector('form[data-form="launch"]')?.getAttribute('data-launchable') === 'true');
  await page.screenshot({ path: join(out, 'run-stopped.png'), fullPage: true });

  // History -> the run's page.
  await page.getByRole('button', { name: 'History' }).click();
  await page.locator(`tr[data-run-id="${runId}"] a.run-link`).click();
  await page.waitForURL(new RegExp(`#/runs/${runId}$`));
  await page.waitForFunction(() => document.querySelector('.run-page')?.getAttribute('data-state') === 'ready', undefined, { timeout: 30_000 });
  const runPage = page.locator('.run-page');
  const storedPanel = runPage.locator(`.run-panel[data-run-id="${runId}"]`);
  const storedSteps = Number(await storedPanel.getAttribute('data-steps-done'));
  assert.ok(storedSteps > stepsDone, 'the page has every stored step');
  assert.equal(Number(await storedPanel.getAttribute('data-loss-points')), storedSteps);
  assert.equal(await runPage.locator('[data-table="run-gpus"] td', { hasText: 'not used by this run' }).count(), 2);
  assert.match((await runPage.locator('[data-table="run-energy-hosts"]').textContent()) ?? '', /local0 J\d/);
  assert.ok(Number(await runPage.locator('[data-chart="stored-host-cpuUtilisationPercent"]').getAttribute('data-lines')) >= 1, 'host CPU series from the store');
  assert.equal(await runPage.locator('[data-chart="stored-gpu-powerWatts"]').getAttribute('data-lines'), '0', 'no GPU power charged to the run');
  await runPage.locator('[data-chart="stored-host-cpuUtilisationPercent"] canvas').waitFor();
  assert.equal(await runPage.locator('[data-panel="logs"]').count(), 1);
  assert.equal(await runPage.locator('[data-mount="timeline"]').count(), 1);
  assert.equal(await runPage.locator('select[name="report-format"]').count(), 1, 'export control on the page');
  await page.screenshot({ path: join(out, 'run-page.png'), fullPage: true });

  // A deep link opens the same page directly.
  const deep = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await openAt(deep, `#/runs/${runId}`);
  await deep.waitForFunction(() => document.querySelector('.run-page')?.getAttribute('data-state') === 'ready', undefined, { timeout: 30_000 });
  await deep.close();
  await page.close();
});

test('Planner -> "Launch plan B" carries dp x pp and micro-batches into the Run view, and that strategy runs', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  await openAt(page, `#/planner`);
  await page.waitForFunction(() => Number(document.getElementById('view')?.dataset.planned ?? 0) >= 1);
  // opt-66b is for planning only: the launch button says so
  assert.equal(await page.locator('[data-launch-plan="B"]').isDisabled(), true);
  assert.match((await page.locator('[data-part="launch-plans"]').textContent()) ?? '', /opt-66b is for planning only/);
  const planned = Number(await page.locator('#view').getAttribute('data-planned'));
  await page.selectOption('[data-form="cluster"] select[name="model"]', 'tiny');
  await page.locator('[data-form="cluster"] input[name="gpus"]').fill('4');
  await page.locator('[data-form="cluster"] input[name="gpus"]').dispatchEvent('change');
  for (const [name, value] of [['dp', '2'], ['tp', '1'], ['pp', '2'], ['microBatch', '1']]) {
    await page.locator(`[data-strategy="B"] input[name="${name}"]`).fill(value);
    await page.locator(`[data-strategy="B"] input[name="${name}"]`).dispatchEvent('change');
  }
  await page.locator('[data-strategy="B"] input[name="sequenceParallel"]').uncheck();
  await page.selectOption('[data-strategy="B"] select[name="zero"]', '1');
  await page.waitForFunction((n) => Number(document.getElementById('view')?.dataset.planned ?? 0) > n, planned);
  await page.waitForFunction(() => (document.querySelector('[data-launch-plan="B"]') as HTMLButtonElement | null)?.disabled === false, undefined, { timeout: 10_000 })
    .catch(async (error: Error) => { throw new Error(`${error.message}: ${await page.locator('[data-part="launch-plans"]').textContent()} | ${await page.locator('.verdict[data-strategy="B"]').textContent()}`); });
  await page.screenshot({ path: join(testOutputDir('e2e'), 'planner-launch.png'), fullPage: true });
  await page.locator('[data-launch-plan="B"]').click();
  await page.waitForURL(/#\/run$/);
  const form = page.locator('form[data-form="launch"]');
  await form.waitFor();
  assert.deepEqual(await Promise.all(['dp', 'tp', 'pp', 'zero'].map((n) => form.locator(`[name="${n}"]`).inputValue())), ['2', '1', '2', '1']);
  const micro = Number(await form.locator('[name="microBatches"]').inputValue());
  assert.ok(micro >= 2, `the planned micro-batches are carried (${micro})`);
  await page.waitForFunction(() => document.querySelectorAll('[data-placement="preview"] tr[data-rank]').length === 4);
  await form.locator('[name="steps"]').fill('6');
  await form.getByRole('button', { name: 'Launch' }).click();
  await page.locator('.run-panel').first().waitFor();
  const runId = (await page.locator('.run-panel').first().getAttribute('data-run-id')) ?? '';
  await page.waitForFunction((id) => document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-status') === 'finished', runId, { timeout: 120_000 });
  await openAt(page, `#/runs/${runId}`);
  await page.waitForFunction(() => document.querySelector('.run-page')?.getAttribute('data-state') === 'ready', undefined, { timeout: 30_000 });
  const config = (await page.locator('[data-table="run-config"]').textContent()) ?? '';
  assert.match(config, new RegExp(`dp=2, tp=1, pp=2, microBatches=${micro}.*zeroStage=1`));
  await page.close();
});
