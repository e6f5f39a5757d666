/**
 * End to end: the Planner's "this cluster" in Chromium. The app discovers an A100 (a recorded nvidia-smi
 * output through the stand-in): the Planner then plans for it by default, dp from the GPU count, and
 * lists what the cluster is derived from; a catalogue GPU can still be picked instead.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { fakeNvidiaSmiPath, fixture } from '../support/fake-nvidia-smi/fixtures.js';
import { testOutputDir } from '../support/paths.js';

let app: AppProcess;
let browser: Browser;

before(async () => {
  app = await startWebApp(['--web'], {
    SHARDSCOPE_HOME: mkdtempSync(join(tmpdir(), 'shardscope-this-cluster-')), SHARDSCOPE_NVIDIA_SMI: fakeNvidiaSmiPath,
    FAKE_SMI_XML: fixture('xml', 'telegraf_a100-sxm4-80gb_535.54.03_v12.xml'),
    FAKE_SMI_TOPO: fixture('topo', 'nvgpuexp_h100_590.48.01_topo-m_single-gpu.txt'),
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

const verdict = (page: Page, label: string) => page.locator(`.verdict[data-strategy="${label}"]`);

test('the Planner plans for this cluster by default (an A100, dp from the GPUs), says what it is derived from, and a catalogue GPU can be chosen instead', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Planner' }).click();
  const section = page.locator('[data-part="this-cluster"][data-available="true"]');
  await section.waitFor();
  assert.match((await page.locator('select[name="clusterChoice"] option:checked').textContent()) ?? '', /this cluster: 1 x NVIDIA A100-SXM4-80GB/);
  const derived = (await section.locator('li').allTextContents()).join('\n');
  assert.match(derived, /host local: 1 x NVIDIA A100-SXM4-80GB, from this machine/);
  assert.match(derived, /GPU: catalogue a100-80gb \(matched "NVIDIA A100-SXM4-80GB" by name and memory\)/);
  assert.match(derived, /GPU compute: no GPU calibration/);

  // the cluster inputs follow the hosts, and strategy A is plain DP over their GPUs
  await page.locator('.verdict[data-strategy="A"]', { hasText: 'dp=1 tp=1 pp=1' }).waitFor();
  assert.match(await page.locator('select[name="gpu"]').inputValue(), /^this cluster: NVIDIA A100-SXM4-80GB/);
  assert.equal(await page.locator('input[name="gpus"]').inputValue(), '1');
  assert.equal(await page.locator('input[name="gpus"]').isDisabled(), true);
  assert.match((await verdict(page, 'B').textContent()) ?? '', /dp=1 tp=1 pp=1/);
  await page.screenshot({ path: join(testOutputDir('e2e'), 'planner-this-cluster.png'), fullPage: true });

  // a catalogue GPU instead: the hand-picked inputs come back
  await page.selectOption('select[name="clusterChoice"]', 'catalogue');
  await page.locator('.verdict[data-strategy="A"]', { hasText: 'dp=16 tp=1 pp=1' }).waitFor();
  assert.equal(await page.locator('select[name="gpu"]').inputValue(), 'a100-80gb');
  assert.equal(await page.locator('input[name="gpus"]').isDisabled(), false);
  assert.equal(await page.locator('select[name="gpu"] option', { hasText: 'this cluster' }).count(), 0);
  await page.close();
});
