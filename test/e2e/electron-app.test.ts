/**
 * The desktop app under real Electron (playwright's _electron): hardened window, preload exposing
 * exactly the API, this machine shown. Runs where the Electron binary and a display exist (a user's
 * workstation); on a machine without them it reports itself as not run, with the reason.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { _electron as electron } from 'playwright-core';
import { apiMethodNames } from '../../src-shared/api/contract.js';
import { findElectronBinary, hasDisplay } from '../../src-main/cli/electron-launcher.js';
import { REPO_ROOT, testOutputDir } from '../support/paths.js';

const binary = findElectronBinary();
const notRunReason = 'reason' in binary ? `not run: ${binary.reason}`
  : !hasDisplay(process.env) ? 'not run: no display (set DISPLAY, e.g. under xvfb-run)' : undefined;

test('the desktop window is hardened and shows this machine', { skip: notRunReason }, async () => {
  const app = await electron.launch({
    executablePath: (binary as { path: string }).path,
    args: [join(REPO_ROOT, 'dist', 'app-main.cjs'), ...(process.getuid?.() === 0 ? ['--no-sandbox'] : [])],
  });
  try {
    const window = await app.firstWindow();
    await window.locator('.device-card').first().waitFor({ timeout: 30_000 });
    const exposed = await window.evaluate(() => ({
      keys: Object.keys((window as unknown as { shardscope: object }).shardscope).sort(),
      hasRequire: typeof (window as unknown as { require?: unknown }).require !== 'undefined',
      hasProcess: typeof (window as unknown as { process?: unknown }).process !== 'undefined',
    }));
    assert.deepEqual(exposed.keys, [...apiMethodNames, 'on'].sort());
    assert.equal(exposed.hasRequire, false);
    assert.equal(exposed.hasProcess, false);
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const w = BrowserWindow.getAllWindows()[0];
      const p = w.webContents.getLastWebPreferences() ?? {};
      return { contextIsolation: p.contextIsolation, sandbox: p.sandbox, nodeIntegration: p.nodeIntegration };
    });
    assert.deepEqual(prefs, { contextIsolation: true, sandbox: true, nodeIntegration: false });
    const opened = await window.evaluate(() => window.open('https://example.com') === null);
    assert.equal(opened, true, 'window.open is denied');
    await window.screenshot({ path: join(testOutputDir('e2e'), 'electron-cluster.png') });
  } finally {
    await app.close();
  }
});
