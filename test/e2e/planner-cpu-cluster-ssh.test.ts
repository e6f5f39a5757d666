/**
 * End to end: "this cluster" of this machine and an SSH host without GPU (real sshd in a network
 * namespace, no nvidia-smi there), in Chromium. This machine is calibrated, the SSH host is not: the
 * Planner's candidates that spread over both hosts say so (its ranks at this machine's figures, a gap),
 * and "Run this" carries the hosts into the Run view, whose placement puts the ranks on both.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';
import { calibrateTiny, cpuOnlyEnv } from '../support/cpu-only.js';
import { startSshCluster, type SshCluster } from '../support/ssh-cluster/index.js';

let cluster: SshCluster;
let app: AppProcess;
let browser: Browser;
const home = mkdtempSync(join(tmpdir(), 'shardscope-cpu-ssh-'));
const env = cpuOnlyEnv(home, { SSH_AUTH_SOCK: '' });

before(async () => {
  cluster = await startSshCluster([{ name: 'cpu-only', smi: { kind: 'missing' } }]);
  const calibrated = await calibrateTiny(env);
  assert.equal(calibrated.code, 0, calibrated.stderr);
  app = await startWebApp(['--web'], env);
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await cluster?.stop();
  rmSync(home, { recursive: true, force: true });
});

test('candidates over this machine and an uncalibrated SSH host say the gap, and Run this places ranks on both hosts', { timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
  await page.goto(app.url);
  // the SSH host, saved and discovered (its host key accepted) in the Hosts view
  await page.getByRole('button', { name: 'Hosts' }).click();
  const address = cluster.host('cpu-only').address;
  const add = page.locator('form[data-form="add-host"]');
  await add.locator('[name="host"]').fill(address);
  await add.locator('[name="user"]').fill(cluster.user);
  await add.locator('[name="identityFile"]').fill(cluster.clientKeyFile);
  await add.getByRole('button', { name: 'Add host' }).click();
  const hostRow = page.locator(`.host-row[data-host-id="${address}"]`);
  await hostRow.waitFor();
  await page.getByRole('button', { name: 'Discover' }).click();
  await page.waitForFunction((id) => document.querySelector(`.host-row[data-host-id="${id}"]`)?.getAttribute('data-state') === 'host-key', address, { timeout: 30_000 });
  await hostRow.getByRole('button', { name: 'Accept' }).click();
  await page.waitForFunction((id) => document.querySelector(`.host-row[data-host-id="${id}"]`)?.getAttribute('data-state') === 'ok', address, { timeout: 60_000 });

  await page.getByRole('button', { name: 'Planner' }).click();
  const section = page.locator('[data-part="this-cluster"][data-available="true"][data-kind="cpu"]');
  await section.waitFor();
  const derived = (await section.locator('li').allTextContents()).join('\n');
  assert.match(derived, new RegExp(`host ${address.replace(/\./g, '\\.')}: no GPU, \\d+ cores, from saved SSH host`));
  assert.match(derived, new RegExp(`figures of ${address.replace(/\./g, '\\.')}: no calibration \\(run shardscope calibrate --hosts FILE\\)`));
  const table = section.locator('[data-part="cpu-candidates"][data-model="tiny"]');
  await table.waitFor();
  // the candidate using every slot spreads over both hosts
  const spread = table.locator('tr[data-kind="engine-calibrated"]', { hasText: `${address} x` }).first();
  await spread.waitFor();
  const text = (await spread.textContent()) ?? '';
  assert.match(text, /local x\d+/);
  assert.match(text, new RegExp(`${address.replace(/\./g, '\\.')}: no calibration`));
  assert.match(text, /gaps? in the calibration/);
  assert.match(text, /predicted from calibration #1 of local/);
  await page.screenshot({ path: join(testOutputDir('e2e'), 'planner-cpu-cluster-ssh.png'), fullPage: true });

  await spread.getByRole('button', { name: 'Run this' }).click();
  await page.waitForURL(/#\/run$/);
  assert.match((await page.locator('p[data-carried]').getAttribute('data-carried')) ?? '', new RegExp(`^on local x\\d+, ${address.replace(/\./g, '\\.')} x\\d+, global batch 8$`));
  await page.waitForFunction((id) => Array.from(document.querySelectorAll('[data-placement="preview"] tr[data-rank] td:nth-child(2)'), (td) => td.textContent).includes(id), address, { timeout: 60_000 });
  const hosts = await page.locator('[data-placement="preview"] tr[data-rank] td:nth-child(2)').allTextContents();
  assert.ok(hosts.includes('local') && hosts.includes(address), hosts.join(', '));
  await page.close();
});
