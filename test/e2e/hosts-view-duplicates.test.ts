/**
 * End to end (headless Chromium, real web-mode app, SSH test cluster): the Hosts view refuses a host
 * that is already listed instead of replacing it, an ssh-config import skips hosts already added and
 * says which, and Discover never says "all hosts" while a host key waits for Accept or Reject.
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

const row = (page: Page, id: string) => page.locator(`.host-row[data-host-id="${id}"]`);
const message = (page: Page) => page.locator('#hosts-message');
/** Waits until the message bar holds text matching `pattern` (the view writes it when a call answers). */
const waitForMessage = (page: Page, pattern: RegExp, timeout = 30_000) =>
  page.waitForFunction(([source, flags]) => new RegExp(source, flags).test(document.querySelector('#hosts-message')?.textContent ?? ''), [pattern.source, pattern.flags] as const, { timeout });
const waitForState = (page: Page, id: string, state: string) =>
  page.waitForFunction(([i, s]) => document.querySelector(`.host-row[data-host-id="${i}"]`)?.getAttribute('data-state') === s, [id, state] as const, { timeout: 30_000 });

async function fillAddHost(page: Page, address: string, user: string, port = '22'): Promise<void> {
  const form = page.locator('form[data-form="add-host"]');
  await form.locator('[name="host"]').fill(address);
  await form.locator('[name="user"]').fill(user);
  await form.locator('[name="port"]').fill(port);
  await form.locator('[name="identityFile"]').fill(cluster.clientKeyFile);
  await form.getByRole('button', { name: 'Add host' }).click();
}

test('Hosts view: duplicates are refused or skipped and said; Discover waits on a pending host key before saying "all"', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1400 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Hosts' }).click();
  const a100 = cluster.host('gpu-a100').address;
  const rtx = cluster.host('gpu-4090').address;

  await fillAddHost(page, a100, cluster.user);
  await waitForMessage(page, new RegExp(`^added ${a100.replace(/\./g, '\\.')}$`));
  // The same user@host:port again: refused, said plainly, and the saved host is unchanged.
  await fillAddHost(page, a100, 'someone-else');
  await waitForMessage(page, /already listed/);
  assert.equal(await message(page).getAttribute('data-state'), 'error');
  assert.match((await message(page).textContent()) ?? '', new RegExp(`could not add host: someone-else@${a100.replace(/\./g, '\\.')}:22 is already listed \\(user ${cluster.user}, port 22\\); remove it first`));
  assert.equal(await page.locator('.host-row').count(), 2, 'this machine and the one saved host');
  const saved = JSON.parse(readFileSync(join(home, 'hosts.json'), 'utf8')).hosts as { id: string; user: string }[];
  assert.deepEqual(saved.map((h) => [h.id, h.user]), [[a100, cluster.user]]);

  // An ssh config naming the same machine under an alias, and a new one: the first is skipped and named.
  const config = join(home, 'ssh_config');
  writeFileSync(config, `Host a100-alias\n  HostName ${a100}\n  User ${cluster.user}\n  IdentityFile ${cluster.clientKeyFile}\nHost rtx\n  HostName ${rtx}\n  User ${cluster.user}\n  IdentityFile ${cluster.clientKeyFile}\n`);
  const importForm = page.locator('form[data-form="import-ssh-config"]');
  await importForm.locator('[name="path"]').fill(config);
  await importForm.getByRole('button', { name: /Import/ }).click();
  await waitForMessage(page, /^imported 1 host /);
  assert.equal(await message(page).textContent(), `imported 1 host from ${config} (rtx); skipped 1 host already listed: a100-alias (listed as ${a100})`);
  await row(page, 'rtx').waitFor();
  assert.equal(await page.locator('.host-row').count(), 3);
  await importForm.getByRole('button', { name: /Import/ }).click();
  await waitForMessage(page, /^nothing new in /);
  assert.equal(await message(page).textContent(), `nothing new in ${config}: skipped 2 hosts already listed: a100-alias (listed as ${a100}), rtx`);
  assert.equal(await page.locator('.host-row').count(), 3, 'a second import adds nothing');

  // Both keys are new: Discover ends with the prompts, not with "discovered all hosts".
  await page.getByRole('button', { name: 'Discover' }).click();
  await waitForMessage(page, /awaits your Accept or Reject/);
  assert.equal(await message(page).textContent(), `discovered 0 of 2 hosts; the host key of ${a100}, rtx awaits your Accept or Reject`);
  assert.equal(await message(page).getAttribute('data-state'), 'waiting');
  await page.screenshot({ path: join(testOutputDir('e2e'), 'hosts-key-waiting.png'), fullPage: true });

  await row(page, a100).getByRole('button', { name: 'Accept' }).click();
  await waitForState(page, a100, 'ok');
  await waitForMessage(page, /^discovered 1 of 1 host; the host key of rtx awaits/);
  await row(page, 'rtx').getByRole('button', { name: 'Accept' }).click();
  await waitForState(page, 'rtx', 'ok');
  await waitForMessage(page, /^discovered rtx$/);
  await page.getByRole('button', { name: 'Discover' }).click();
  await waitForMessage(page, /^discovered all 2 hosts$/);
  assert.equal(await message(page).getAttribute('data-state'), 'ok');
  await page.close();
});
