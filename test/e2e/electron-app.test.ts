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
    const page = await app.firstWindow();
    await page.locator('.device-card').first().waitFor({ timeout: 30_000 });
    const exposed = await page.evaluate(() => ({
      keys: Object.keys((window as unknown as { shardscope: object }).shardscope).sort(),
      hasRequire: typeof (window as unknown as { require?: unknown }).require !== 'undefined',
      hasProcess: typeof (window as unknown as { process?: unknown }).process !== 'undefined',
    }));
    assert.deepEqual(exposed.keys, [...apiMethodNames, 'on'].sort());
    assert.equal(exposed.hasRequire, false);
    assert.equal(exposed.hasProcess, false);
    const navigated = await app.evaluate(async ({ BrowserWindow }) => {
      const contents = BrowserWindow.getAllWindows()[0].webContents;
      const before = contents.getURL();
      await contents.executeJavaScript("location.href = 'https://example.com'").catch(() => undefined);
      await new Promise((r) => setTimeout(r, 500));
      return { before, after: contents.getURL() };
    });
    assert.equal(navigated.after, navigated.before, 'navigation away from the app is denied');
    const opened = await page.evaluate(() => window.open('https://example.com') === null);
    assert.equal(opened, true, 'window.open is denied');
    await page.screenshot({ path: join(testOutputDir('e2e'), 'electron-cluster.png') });
    // A route changes the frame's URL: calls from any view are still ours, and a search answers (planner thread).
    await page.getByRole('button', { name: 'Planner' }).click();
    await page.waitForFunction(() => location.hash === '#/planner');
    const found = await page.evaluate(() => (window as unknown as { shardscope: { searchPlans(r: unknown): Promise<{ candidates: unknown[] }> } })
      .shardscope.searchPlans({ model: 'llama2-7b', cluster: { gpu: 'rtx-4090', gpus: 8 }, limit: 3 }));
    assert.ok(found.candidates.length > 0);
  } finally {
    await app.close();
  }
});
