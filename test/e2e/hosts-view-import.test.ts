/**
 * End to end (headless Chromium, real web-mode app): an ssh-config import in the Hosts view keeps the
 * good Hosts and shows every Host it left out with its one-line reason (a bad Port, a multi-hop ProxyJump).
 * Importing reads the file only (nothing is contacted), so no SSH server is needed.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { startWebApp, type AppProcess } from '../support/app-process.js';
import { launchChromium } from '../support/chromium.js';
import { testOutputDir } from '../support/paths.js';

let app: AppProcess;
let browser: Browser;
const home = mkdtempSync(join(tmpdir(), 'shardscope-home-'));

before(async () => {
  app = await startWebApp(['--web', '--interval-ms', '1000'], { SHARDSCOPE_HOME: home, SSH_AUTH_SOCK: '' });
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await app?.stop();
  rmSync(home, { recursive: true, force: true });
});

test('Hosts view: an ssh-config import lists each Host it left out with its reason, and imports the rest', async () => {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
  await page.goto(app.url);
  await page.getByRole('button', { name: 'Hosts' }).click();
  const config = join(home, 'ssh_config');
  writeFileSync(config, [
    'Host good', '  HostName 10.9.8.7', '  User alice',
    'Host badport', '  HostName 10.9.8.8', '  Port 99999',
    'Host twohops', '  HostName 10.9.8.9', '  ProxyJump a.example,b.example',
    'Host *', '  User nobody', '',
  ].join('\n'));
  const importForm = page.locator('form[data-form="import-ssh-config"]');
  await importForm.locator('[name="path"]').fill(config);
  await importForm.getByRole('button', { name: /Import/ }).click();
  const skipped = page.locator('#hosts-import-skipped li');
  await skipped.first().waitFor({ timeout: 20_000 });

  assert.equal(await page.locator('#hosts-message').textContent(), `imported 1 host from ${config} (good); left out 2 hosts the file gets wrong (reasons below)`);
  assert.equal(await page.locator('#hosts-message').getAttribute('data-state'), 'error');
  assert.deepEqual(await skipped.evaluateAll((items) => items.map((i) => (i as HTMLElement).dataset.alias)), ['badport', 'twohops']);
  const lines = await skipped.allTextContents();
  assert.match(lines[0], /^Host badport: .*99999/);
  assert.match(lines[1], /^Host twohops: .*ProxyJump/i);
  assert.ok(lines.every((l) => !l.includes('\n')), 'one line each');
  await page.locator('.host-row[data-host-id="good"]').waitFor();
  const saved = JSON.parse(readFileSync(join(home, 'hosts.json'), 'utf8')).hosts as { id: string }[];
  assert.deepEqual(saved.map((h) => h.id), ['good'], 'the good Host is saved, the bad ones are not');
  await page.screenshot({ path: join(testOutputDir('e2e'), 'hosts-import-skipped.png'), fullPage: true });

  // Fixed in the file and imported again: the list of left-out Hosts empties.
  writeFileSync(config, readFileSync(config, 'utf8').replace('Port 99999', 'Port 2222').replace('ProxyJump a.example,b.example', 'ProxyJump a.example'));
  await importForm.getByRole('button', { name: /Import/ }).click();
  await page.waitForFunction(() => document.querySelectorAll('#hosts-import-skipped li').length === 0, undefined, { timeout: 20_000 });
  assert.match((await page.locator('#hosts-message').textContent()) ?? '', /^imported 2 hosts from .* \(badport, twohops\); skipped 1 host already listed: good$/);
  await page.close();
});
