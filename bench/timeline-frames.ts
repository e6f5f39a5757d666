/**
 * Timeline view frame rate with a large run's spans (default 64 ranks x 200 steps, ~0.9 M spans),
 * zoomed and panned every frame, in headless Chromium:
 * `node --import tsx bench/timeline-frames.ts [--ranks N] [--steps S] [--micro-batches M] [--json]`.
 * Bundles bench/renderer/timeline-page.ts (which mounts the real timeline module) and reports frame times.
 */
import { build } from 'esbuild';
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../test/support/chromium.js';
import { REPO_ROOT } from '../test/support/paths.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { ranks: { type: 'string', default: '64' }, steps: { type: 'string', default: '200' }, 'micro-batches': { type: 'string', default: '8' }, json: { type: 'boolean', default: false } } });
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-timeline-bench-'));
  await build({ entryPoints: [join(REPO_ROOT, 'bench', 'renderer', 'timeline-page.ts')], bundle: true, format: 'iife', platform: 'browser', outfile: join(dir, 'bench.js'), logLevel: 'warning' });
  cpSync(join(REPO_ROOT, 'src-renderer', 'styles.css'), join(dir, 'styles.css'));
  const benchConfig = { ranks: Number(values.ranks), steps: Number(values.steps), microBatches: Number(values['micro-batches']), interactions: 180 };
  writeFileSync(join(dir, 'index.html'), `<!doctype html><html><head><link rel="stylesheet" href="styles.css"></head><body><main id="view" class="view"></main>
<script>window.timelineBenchConfig = ${JSON.stringify(benchConfig)};</script><script src="bench.js"></script></body></html>`);
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
