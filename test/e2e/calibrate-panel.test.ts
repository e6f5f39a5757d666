/**
 * End to end: the Planner's Calibrate panel in Chromium against the real web-mode app and real sshd hosts.
 * It lists this machine and the saved SSH hosts (one that answered can be ticked, one whose key is not
 * trusted says why and cannot), the button counts the ticked hosts, and calibrating this machine shows
 * the progress lines, then its figures with their age; the host never calibrated says so. An SSH host that
 * stops answering fails the calibration with one line naming it, and the panel stays usable.
 * (Calibrating an SSH host with this machine is test/core/api/calibration-handlers-hosts.test.ts.)
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';
import { startSshCluster, type SshCluster } from '../support/ssh-cluster/index.js';

let cluster: SshCluster;
let app: AppProcess;
let browser: Browser;
const home = mkdtempSync(join(tmpdir(), 'shardscope-calibrate-panel-'));

before(async () => {
  cluster = await startSshCluster([{ name: 'cpu-host', smi: { kind: 'missing' } }, { name: 'stranger', smi: { kind: 'missing' } }]);
  const saved = (name: string) => ({ id: name, host: cluster.host(name).address, port: 22, user: cluster.user, identityFiles: [cluster.clientKeyFile], source: 'manual', addedAtMs: Date.now() });
  writeFileSync(join(home, 'hosts.json'), JSON.stringify({ version: 1, hosts: [saved('cpu-host'), saved('stranger')], links: [] }));
  const strangerAddress = cluster.host('stranger').address;
  writeFileSync(join(home, 'known_hosts'), readFileSync(cluster.knownHostsFile, 'utf8').split('\n').filter((l) => !l.split(/[\s,]/).includes(strangerAddress)).join('\n'));
  app = await startWebApp(['--web', '--interval-ms', '1000'], { SHARDSCOPE_HOME: home, SSH_AUTH_SOCK: '' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await cluster?.stop();
  rmSync(home, { recursive: true, force: true });
});

const hostRow = (page: Page, id: string) => page.locator(`[data-panel="calibrate"] li.calibrate-host[data-host-id="${id}"]`);

test('the Calibrate panel lists this machine and the saved SSH hosts, calibrates the ticked ones with progress, then shows each host\'s figures and age', { timeout: 300_000 }, async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1600 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Hosts' }).click();
  await page.getByRole('button', { name: 'Discover' }).click();
  await page.waitForFunction(() => ['ok', 'host-key'].every((s, i) => document.querySelector(`.host-row[data-host-id="${['cpu-host', 'stranger'][i]}"]`)?.getAttribute('data-state') === s), undefined, { timeout: 60_000 });

  await page.getByRole('button', { name: 'Planner' }).click();
  const panel = page.locator('[data-panel="calibrate"]');
  await hostRow(page, 'stranger').and(page.locator('[data-reachable="error"]')).waitFor();
  assert.deepEqual(await panel.locator('li.calibrate-host').evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.hostId)), ['local', 'cpu-host', 'stranger']);
  assert.match((await hostRow(page, 'local').textContent()) ?? '', /local \(this machine\) — never calibrated/);
  assert.equal(await hostRow(page, 'local').locator('input').isChecked(), true, 'this machine is ticked');
  assert.equal(await hostRow(page, 'cpu-host').locator('input').isDisabled(), false, 'a host that answered can be ticked');
  assert.equal(await hostRow(page, 'stranger').locator('input').isDisabled(), true);
  assert.match((await hostRow(page, 'stranger').textContent()) ?? '', /never calibrated; did not answer: host-key/);
  assert.match((await panel.locator('p.note').first().textContent()) ?? '', /never calibrated: local, cpu-host, stranger/);

  const button = panel.getByRole('button', { name: /^Calibrate \d+ hosts?$/ });
  assert.equal(await button.textContent(), 'Calibrate 1 host');
  await hostRow(page, 'cpu-host').locator('input').check();
  assert.equal(await button.textContent(), 'Calibrate 2 hosts');
  await hostRow(page, 'cpu-host').locator('input').uncheck();
  assert.equal(await button.textContent(), 'Calibrate 1 host');

  await panel.locator('select[name="calibrateModel"]').selectOption('tiny');
  await button.click();
  await panel.locator('[data-part="calibrate-progress"]', { hasText: 'local: contention between ranks' }).waitFor({ timeout: 240_000 });
  const figures = panel.locator('[data-part="calibrate-figures"] pre[data-host-id="local"]');
  await figures.waitFor({ timeout: 240_000 });
  const text = (await figures.textContent()) ?? '';
  assert.match(text, /host local: calibration #1 measured .* \(\d+ s ago\) by shardscope calibrate/);
  assert.match(text, /engine tfjs .* model tiny/);
  assert.match(text, /matrix products at the model's GEMM shapes: .* GFLOP\/s fp32 \(measured\)/);
  assert.match(text, /allReduce, 2 ranks \(host\)/);
  assert.match(text, /missing: CPU power: not readable on local/);
  assert.match((await hostRow(page, 'local').textContent()) ?? '', /calibration #1 \d+ s ago \(shardscope calibrate\)/);
  assert.match((await hostRow(page, 'cpu-host').textContent()) ?? '', /never calibrated/);
  assert.equal(await panel.locator('[data-part="calibrate-figures"] pre').count(), 1, 'no figures shown for hosts never calibrated');
  assert.equal(await panel.locator('[data-part="calibrate-error"]').isHidden(), true);
  assert.equal(await button.isEnabled(), true, 'the panel is usable again');
  await page.screenshot({ path: join(testOutputDir('e2e'), 'calibrate-panel.png'), fullPage: true });

  // the SSH host stops answering: one line naming it, nothing stored, the panel usable again
  await hostRow(page, 'cpu-host').locator('input').check();
  cluster.dropLink('cpu-host');
  try {
    await button.click();
    const failure = panel.locator('[data-part="calibrate-error"]');
    await failure.waitFor({ state: 'visible', timeout: 60_000 });
    const line = (await failure.textContent()) ?? '';
    assert.match(line, /^Calibration of local, cpu-host failed: .*cpu-host/);
    assert.ok(!line.includes('\n'), line);
    await page.waitForFunction(() => !(document.querySelector('[data-panel="calibrate"] button.primary') as HTMLButtonElement | null)?.disabled);
    assert.equal(await button.textContent(), 'Calibrate 2 hosts');
    assert.match((await hostRow(page, 'cpu-host').textContent()) ?? '', /never calibrated/);
    assert.match((await hostRow(page, 'local').textContent()) ?? '', /calibration #1 /, 'nothing of the failed attempt stored');
    await page.screenshot({ path: join(testOutputDir('e2e'), 'calibrate-panel-error.png'), fullPage: true });
  } finally {
    cluster.restoreLink('cpu-host');
  }
  await page.close();
});
