/**
 * Renderer frame rate with 1 hour of 2 Hz data for 64 GPUs in the live charts, measured in headless
 * Chromium: `node --import tsx bench/renderer-frames.ts [--gpus N] [--hours H] [--json]`.
 * Bundles bench/renderer/frame-page.ts (which mounts the real chart modules), opens it, and reports
 * frame times while new samples arrive at 2 Hz.
 */
import { build } from 'esbuild';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../test/support/chromium.js';
import { REPO_ROOT } from '../test/support/paths.js';

async function main(): Promise<void> {
const { values } = parseArgs({ options: { gpus: { type: 'string', default: '64' }, hours: { type: 'string', default: '1' }, json: { type: 'boolean', default: false } } });
const dir = mkdtempSync(join(tmpdir(), 'shardscope-frame-bench-'));
await build({ entryPoints: [join(REPO_ROOT, 'bench', 'renderer', 'frame-page.ts')], bundle: true, format: 'iife', platform: 'browser', outfile: join(dir, 'bench.js'), logLevel: 'warning' });
cpSync(join(REPO_ROOT, 'src-renderer', 'styles.css'), join(dir, 'styles.css'));
const benchConfig = { gpus: Number(values.gpus), hours: Number(values.hours), hz: 2, measureMs: 10_000 };
writeFileSync(join(dir, 'index.html'), `<!doctype html><html><head><link rel="stylesheet" href="styles.css"></head><body><main id="view" class="view"></main>
<script>window.benchConfig = ${JSON.stringify(benchConfig)};</script><script src="bench.js"></script></body></html>`);

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
  await page.goto(`file://${join(dir, 'index.html')}`);
  await page.waitForFunction(() => (window as unknown as { benchResult?: unknown }).benchResult !== undefined, undefined, { timeout: 180_000 });
  const result = await page.evaluate(() => (window as unknown as { benchResult: Record<string, number> }).benchResult);
  if (values.json) console.log(JSON.stringify(result));
  else for (const [key, value] of Object.entries(result)) console.log(`${key.padEnd(18)} ${typeof value === 'number' ? Number(value.toFixed(2)) : value}`);
} finally {
  await browser.close();
}
}

void main();
