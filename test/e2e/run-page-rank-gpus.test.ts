/**
 * End to end, real workers, real Chromium, stand-in GPUs (a recorded H100 under load at 100 % and
 * ~632 W, shown as two GPUs): when the driver lists both ranks' processes on GPU 1, the run's page
 * shows per rank its processes' GPU memory and the GPU's utilisation and power, marked device-level
 * and shared by the 2 ranks.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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
const home = mkdtempSync(join(tmpdir(), 'shardscope-home-'));
const appsFile = join(home, 'compute-apps.csv');
const GPU1_UUID = 'GPU-00000000-0000-0000-0000-000000000001';

before(async () => {
  writeFileSync(appsFile, 'gpu_uuid, pid, process_name, used_gpu_memory [MiB]\n');
  app = await startWebApp(['--web', '--interval-ms', '250'], {
    SHARDSCOPE_HOME: home, SHARDSCOPE_NVIDIA_SMI: fakeNvidiaSmiPath,
    FAKE_SMI_XML: fixture('xml', 'telegraf_2x-rtx-2080_590.44.01_v13.xml'),
    FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv'), FAKE_SMI_REPLICATE_GPUS: '2',
    FAKE_SMI_COMPUTE_APPS: appsFile,
  });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
});

async function openAt(page: Page, route: string): Promise<void> {
  await page.goto(app.url);
  await page.locator('#nav button').first().waitFor();
  await page.evaluate((hash) => { location.hash = hash; }, route);
}

/** Worker processes descended from the app (other sessions' workers on this machine are not ours). */
function workerPidsOf(appPid: number): number[] {
  const parentOf = (pid: string) => { try { const stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]); } catch { return 0; } };
  const isOurs = (pid: string) => { for (let p = Number(pid), hops = 0; p > 1 && hops < 10; p = parentOf(String(p)), hops += 1) if (p === appPid) return true; return false; };
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((pid) => {
    try { return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('worker') && isOurs(pid); } catch { return false; }
  }).map(Number);
}

test('the run page shows each rank\'s GPU memory, and its GPU\'s utilisation and power as device-level, shared by 2 ranks', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
  await openAt(page, '#/run');
  const form = page.locator('form[data-form="launch"]');
  await form.locator('[name="steps"]').fill('3000');
  await form.locator('[name="microBatches"]').fill('1');
  await page.waitForFunction(() => document.querySelector('[data-placement="preview"]')?.getAttribute('data-state') === 'ready');
  await form.getByRole('button', { name: 'Launch' }).click();
  const panel = page.locator('.run-panel').first();
  await panel.waitFor();
  const runId = (await panel.getAttribute('data-run-id')) ?? '';
  await page.waitForFunction((id) => Number(document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-loss-points') ?? 0) >= 3, runId, { timeout: 90_000 });

  // The driver now lists both ranks' processes on GPU 1 (the stand-in re-reads the file at every call).
  const pids = workerPidsOf(app.child.pid!);
  assert.equal(pids.length, 2, `two ranks of this app: ${pids.join(', ')}`);
  writeFileSync(appsFile, `gpu_uuid, pid, process_name, used_gpu_memory [MiB]\n${GPU1_UUID}, ${pids[0]}, worker, 812 MiB\n${GPU1_UUID}, ${pids[1]}, worker, 300 MiB\n`);
  // Seen by the app's sampler once the Cluster view lists them (its snapshots go to the run as well).
  const cluster = await browser.newPage();
  await openAt(cluster, '#/cluster');
  await cluster.waitForFunction((pid) => new RegExp(`pid ${pid}\\b`).test(document.querySelector('tr[data-gpu="local/1"] .processes')?.textContent ?? ''), pids[1], { timeout: 30_000 });
  await cluster.close();

  await panel.getByRole('button', { name: 'Stop', exact: true }).click();
  await panel.getByRole('button', { name: 'Stop this run' }).click();
  await page.waitForFunction((id) => document.querySelector(`.run-panel[data-run-id="${id}"]`)?.getAttribute('data-status') === 'cancelled', runId, { timeout: 30_000 });

  await openAt(page, `#/runs/${runId}`);
  await page.waitForFunction(() => document.querySelector('.run-page')?.getAttribute('data-state') === 'ready', undefined, { timeout: 30_000 });
  const ranks = page.locator('table[data-table="run-ranks"]');
  const header = (await ranks.locator('tr').first().textContent()) ?? '';
  assert.match(header, /GPU memory \(peak of its processes\).*GPU utilisation \(mean\).*GPU power \(mean\)/);
  const rows = await ranks.locator('tr:has(td)').allTextContents();
  assert.equal(rows.length, 2);
  assert.match(rows.join('\n'), /812 MiB100 % \(device-level, shared by 2 ranks\)632 W \(device-level, shared by 2 ranks\)/);
  assert.match(rows.join('\n'), /300 MiB100 % \(device-level, shared by 2 ranks\)632 W \(device-level, shared by 2 ranks\)/);
  assert.match((await page.locator('.run-page').textContent()) ?? '', /nvidia-smi --query-compute-apps/);
  await page.screenshot({ path: join(testOutputDir('e2e'), 'run-page-rank-gpus.png'), fullPage: true });
  await page.close();
});
