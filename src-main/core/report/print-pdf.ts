/** Prints an HTML file to PDF with headless Chromium (the default when Electron's printToPDF is not available). */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ShardScopeError } from '../../../src-shared/errors.js';

/** Turns the HTML file at `htmlPath` into a PDF at `pdfPath` (Electron's webContents.printToPDF fits here too). */
export type PrintToPdf = (htmlPath: string, pdfPath: string, signal?: AbortSignal) => Promise<void>;

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

/** The Chromium to print with: $SHARDSCOPE_CHROMIUM, else the first of the usual paths that exists; null when none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.SHARDSCOPE_CHROMIUM) return existsSync(env.SHARDSCOPE_CHROMIUM) ? env.SHARDSCOPE_CHROMIUM : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** A PrintToPdf that runs `chromium --headless --print-to-pdf` with a fresh profile and no network. */
export function chromiumPrinter(options: { chromiumPath?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): PrintToPdf {
  return async (htmlPath, pdfPath, signal) => {
    const chromium = options.chromiumPath ?? findChromium(options.env);
    if (!chromium) throw new ShardScopeError('unavailable', 'no Chromium found to print the PDF (set SHARDSCOPE_CHROMIUM or install chromium)');
    const profile = mkdtempSync(join(tmpdir(), 'shardscope-pdf-'));
    const args = [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-extensions', `--user-data-dir=${profile}`,
      '--no-pdf-header-footer', '--print-to-pdf-no-header', '--run-all-compositor-stages-before-draw', `--print-to-pdf=${pdfPath}`,
      pathToFileURL(htmlPath).href,
    ];
    try {
      await new Promise<void>((resolve, reject) => {
        const child = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => { stderr = (stderr + chunk).slice(-4000); });
        const stop = () => child.kill('SIGKILL');
        const timer = setTimeout(stop, options.timeoutMs ?? 60_000);
        signal?.addEventListener('abort', stop, { once: true });
        child.on('error', (error) => { clearTimeout(timer); reject(new ShardScopeError('unavailable', `cannot start ${chromium}: ${error.message}`)); });
        child.on('close', (code, sig) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', stop);
          if (signal?.aborted) return reject(new ShardScopeError('cancelled', 'PDF printing cancelled'));
          if (code === 0 && existsSync(pdfPath) && statSync(pdfPath).size > 0) return resolve();
          const last = stderr.trim().split('\n').filter((l) => !/^\[\d+:\d+:/.test(l) || /ERROR/.test(l)).pop() ?? '';
          reject(new ShardScopeError('unavailable', `Chromium could not print the PDF (${sig ?? `exit ${code}`})${last ? `: ${last}` : ''}`));
        });
      });
    } finally {
      rmSync(profile, { recursive: true, force: true });
    }
  };
}
