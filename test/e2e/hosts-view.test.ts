/**
 * End to end: the Hosts view in headless Chromium against the real web-mode app and the SSH test
 * cluster — add hosts, Discover, the host-key prompt with the host's real fingerprint, Accept, GPUs of
 * the fixture; a wrong key fails that host only; then a dp2 run on two cluster hosts from the view.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';
import { fixturesDir, keygenFingerprint, startSshCluster, type SshCluster } from '../support/ssh-cluster/index.js';

let cluster: SshCluster;
let app: AppProcess;
let browser: Browser;
const home = mkdtempSync(join(tmpdir(), 'shardscope-home-'));

before(async () => {
  cluster = await startSshCluster();
  app = await startWebApp(['--web', '--interval-ms', '1000'], { SHARDSCOPE_HOME: home, SSH_AUTH_SOCK: '' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  await cluster?.stop();
  rmSync(home, { recursive: true, force: true });
});

function fixtureGpuNames(name: string): string[] {
  const { xmlFile } = cluster.host(name).smi as { xmlFile: string };
  return [...readFileSync(join(fixturesDir, xmlFile), 'utf8').matchAll(/<product_name>([^<]+)<\/product_name>/g)].map((m) => m[1].trim());
}

async function addHost(page: Page, name: string, identityFile: string): Promise<string> {
  const address = cluster.host(name).address;
  const form = page.locator('form[data-form="add-host"]');
  await form.locator('[name="host"]').fill(address);
  await form.locator('[name="user"]').fill(cluster.user);
  await form.locator('[name="identityFile"]').fill(identityFile);
  await form.getByRole('button', { name: 'Add host' }).click();
  await page.locator(`.host-row[data-host-id="${address}"]`).waitFor();
  return address;
}

const row = (page: Page, id: string) => page.locator(`.host-row[data-host-id="${id}"]`);
const waitForState = (page: Page, id: string, state: string, timeout = 30_000) =>
  page.waitForFunction(([i, s]) => document.querySelector(`.host-row[data-host-id="${i}"]`)?.getAttribute('data-state') === s, [id, state] as const, { timeout });

test('Hosts view: a new host key asks with its real fingerprint, Accept leads to its GPUs; a wrong key fails that host only', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Hosts' }).click();
  const a100 = await addHost(page, 'gpu-a100', cluster.clientKeyFile);
  const stranger = await addHost(page, 'gpu-4090', cluster.strangerKeyFile);

  await page.getByRole('button', { name: 'Discover' }).click();
  await waitForState(page, a100, 'host-key');
  await waitForState(page, stranger, 'host-key');
  const prompt = row(page, a100).locator('.host-key-prompt');
  assert.equal(await prompt.getAttribute('data-fingerprint'), keygenFingerprint(cluster.host('gpu-a100').hostPublicKeyFile));
  assert.match((await prompt.textContent()) ?? '', /ssh-ed25519 SHA256:/);
  await page.screenshot({ path: join(testOutputDir('e2e'), 'hosts-key-prompt.png'), fullPage: true });

  await row(page, a100).getByRole('button', { name: 'Accept' }).click();
  await waitForState(page, a100, 'ok');
  const names = await row(page, a100).locator('li.gpu').evaluateAll((items) => items.map((i) => i.getAttribute('data-gpu-name')));
  assert.deepEqual(names, fixtureGpuNames('gpu-a100'));

  // Its runtimes as discovered; a node setting saved from the row is what the next discovery checks (cleared again).
  const runtimeText = () => row(page, a100).locator('.runtime').textContent().then((t) => t ?? '');
  assert.match(await runtimeText(), new RegExp(`^Node\\.js ${process.version.replace(/\./g, '\\.')}; Python `));
  const nodeShipped = (value: string) => page.waitForFunction(([id, v]) => document.querySelector(`.host-row[data-host-id="${id}"] .runtime`)?.getAttribute('data-node-shipped') === v, [a100, value] as const, { timeout: 30_000 });
  await row(page, a100).locator('form.runtime-settings [name="node"]').fill('/opt/none/node');
  await row(page, a100).getByRole('button', { name: 'Save runtimes' }).click();
  await nodeShipped('cannot-ship');
  assert.match(await runtimeText(), /node setting \/opt\/none\/node is not runnable/);
  assert.equal((JSON.parse(readFileSync(join(home, 'hosts.json'), 'utf8')) as { hosts: Array<{ id: string; node?: string }> }).hosts.find((h) => h.id === a100)?.node, '/opt/none/node');
  await row(page, a100).locator('form.runtime-settings [name="node"]').fill('');
  await row(page, a100).getByRole('button', { name: 'Save runtimes' }).click();
  await nodeShipped('not-needed');

  // The stranger key's host: Reject trusts nothing; Accept then shows the auth failure of that host alone.
  await row(page, stranger).getByRole('button', { name: 'Reject' }).click();
  assert.equal(await row(page, stranger).locator('.error-box').getAttribute('data-error-kind'), 'host-key-rejected');
  await page.getByRole('button', { name: 'Discover' }).click();
  await waitForState(page, stranger, 'host-key');
  await row(page, stranger).getByRole('button', { name: 'Accept' }).click();
  await page.waitForFunction((id) => document.querySelector(`.host-row[data-host-id="${id}"] .error-box`)?.getAttribute('data-error-kind') === 'ssh-auth', stranger, { timeout: 30_000 });
  assert.match((await row(page, stranger).locator('.error-box').textContent()) ?? '', /permission denied/);
  // The second Discover re-read every host: the other one settles back to ok, with no error of its own.
  await waitForState(page, a100, 'ok');
  assert.equal(await row(page, a100).locator('.error-box').count(), 0, 'the other host is unaffected');
  const knownHosts = readFileSync(join(home, 'known_hosts'), 'utf8');
  assert.equal(knownHosts.trim().split('\n').length, 2, 'exactly the two accepted keys, in the app\'s own known_hosts');
  await page.screenshot({ path: join(testOutputDir('e2e'), 'hosts-view.png'), fullPage: true });
  await page.close();
});

test('Hosts view: a dp2 run on two ticked cluster hosts launches from the view and finishes', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Hosts' }).click();
  const a100 = cluster.host('gpu-a100').address; // saved and trusted by the test above
  await row(page, a100).waitFor();
  const second = await addHost(page, 'gpu-2x2080', cluster.clientKeyFile);
  await page.getByRole('button', { name: 'Discover' }).click();
  await waitForState(page, second, 'host-key');
  await row(page, second).getByRole('button', { name: 'Accept' }).click();
  await waitForState(page, second, 'ok');

  await row(page, a100).locator('input[name="use"]').check();
  await row(page, second).locator('input[name="use"]').check();
  const form = page.locator('form[data-form="hosts-run"]');
  for (const [name, value] of Object.entries({ dp: '2', tp: '1', pp: '1', steps: '3', microBatches: '1' })) await form.locator(`[name="${name}"]`).fill(value);
  await form.getByRole('button', { name: 'Run on chosen hosts' }).click();
  await page.locator('#host-runs .run-panel').waitFor({ timeout: 60_000 });
  await page.waitForFunction(() => ['finished', 'failed', 'cancelled'].includes(document.querySelector('#host-runs .run-panel')?.getAttribute('data-status') ?? ''), undefined, { timeout: 120_000 });
  const panel = page.locator('#host-runs .run-panel');
  assert.equal(await panel.getAttribute('data-status'), 'finished', (await panel.textContent()) ?? '');
  assert.equal(await panel.getAttribute('data-steps-done'), '3');
  const runId = (await panel.getAttribute('data-run-id')) ?? '';
  await page.screenshot({ path: join(testOutputDir('e2e'), 'hosts-run.png'), fullPage: true });

  // The run is kept in the history like any other.
  await page.getByRole('button', { name: 'History' }).click();
  await page.locator(`tr[data-run-id="${runId}"]`).waitFor();
  const text = (await page.locator(`tr[data-run-id="${runId}"]`).textContent()) ?? '';
  assert.match(text, /finished/);
  await page.close();
});
