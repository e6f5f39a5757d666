/**
 * Writes a report in one format to its destination: a new file appears complete (temporary file, then
 * link or rename); an existing regular file is written through; nothing else is ever replaced
 * (see core/files/write-output-file.ts).
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { checkOutputFile, outputFileError, placeNewFile, tempSibling, writeOutputFile } from '../files/write-output-file.js';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { Report } from '../../../src-shared/report-schema.js';
import { chromiumPrinter, type PrintToPdf } from './print-pdf.js';
import { renderCsvFiles } from './render-csv.js';
import { renderHtml } from './render-html.js';
import { renderTrace } from './render-trace.js';
import { zipArchive } from './zip-writer.js';

/** Output formats of `shardscope report`. */
export const REPORT_FORMATS = ['html', 'pdf', 'json', 'csv', 'trace'] as const;
/** One output format. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Where and how to write. */
export interface WriteReportOptions {
  format: ReportFormat;
  /** The file; for csv (several files) a `.zip` file, or a folder: a name ending in `/` or an existing folder. */
  outPath: string;
  /** PDF printer (default: headless Chromium); the desktop app passes Electron's printToPDF. */
  printToPdf?: PrintToPdf;
  signal?: AbortSignal;
}

/** What was written. */
export interface WrittenReport {
  format: ReportFormat;
  path: string;
  /** Files written (one, or the CSV files of a folder). */
  files: string[];
  bytes: number;
}

/** Writes `data` to `path`: created complete, or written through an existing regular file; never replaces anything else. */
export function writeFileAtomic(path: string, data: string | Uint8Array): number {
  return writeOutputFile(path, data);
}

function checkDestination(path: string, wantsFolder: boolean): void {
  const parent = dirname(path.replace(/\/+$/, '') || '.');
  if (!existsSync(parent) || !statSync(parent).isDirectory()) throw new ShardScopeError('bad-input', `--out: folder ${parent} does not exist`);
  if (existsSync(path) && statSync(path).isDirectory() !== wantsFolder) {
    throw new ShardScopeError('bad-input', `--out: ${path} is ${wantsFolder ? 'a file, not a folder' : 'a folder, not a file'}`);
  }
  if (!wantsFolder) checkOutputFile(path, '--out');
}

async function writePdf(report: Report, outPath: string, printer: PrintToPdf, signal?: AbortSignal): Promise<number> {
  const work = mkdtempSync(join(tmpdir(), 'shardscope-report-'));
  const temp = tempSibling(outPath);
  try {
    const htmlPath = join(work, 'report.html');
    writeFileSync(htmlPath, renderHtml(report));
    await printer(htmlPath, temp, signal);
    try {
      placeNewFile(temp, outPath, '--out');
    } catch (error) {
      throw outputFileError('--out', outPath, error);
    }
    return statSync(outPath).size;
  } finally {
    rmSync(temp, { force: true });
    rmSync(work, { recursive: true, force: true });
  }
}

/** CSV files into a folder: a new folder is filled under a temporary name then renamed; an existing one gets each file atomically. */
function writeCsvFolder(report: Report, folder: string): { files: string[]; bytes: number } {
  const files = renderCsvFiles(report);
  const target = folder.replace(/\/+$/, '');
  const isExisting = existsSync(target) && readdirSync(target).length > 0;
  if (isExisting) {
    const bytes = files.reduce((sum, f) => sum + writeFileAtomic(join(target, f.name), f.text), 0);
    return { files: files.map((f) => join(target, f.name)), bytes };
  }
  const temp = tempSibling(target);
  mkdirSync(temp);
  try {
    const bytes = files.reduce((sum, f) => { writeFileSync(join(temp, f.name), f.text); return sum + Buffer.byteLength(f.text); }, 0);
    if (existsSync(target)) rmdirSync(target); // empty
    renameSync(temp, target);
    return { files: files.map((f) => join(target, f.name)), bytes };
  } catch (error) {
    rmSync(temp, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Where the CSV export goes: it is several files, so `X.zip` is one zip archive and `X/` (or an existing
 * folder) a folder of them; any other name (`x.csv`) is `bad-input` naming both, and nothing is created.
 */
export function csvDestinationOf(outPath: string): 'zip' | 'folder' {
  if (outPath.toLowerCase().endsWith('.zip')) return 'zip';
  if (/[\\/]$/.test(outPath) || (existsSync(outPath) && statSync(outPath).isDirectory())) return 'folder';
  const stem = basename(outPath).replace(/\.csv$/i, '') || 'report';
  throw new ShardScopeError('bad-input', `--out ${outPath}: the CSV export is several files (one per series, rank-steps.csv, loss.csv): name a zip archive (${join(dirname(outPath), `${stem}.zip`)}) or a folder ending in / (${join(dirname(outPath), stem)}/)`);
}

/** Renders `report` as `format` and writes it to `outPath`. */
export async function writeReport(report: Report, options: WriteReportOptions): Promise<WrittenReport> {
  const { format, outPath } = options;
  const csvDestination = format === 'csv' ? csvDestinationOf(outPath) : null;
  const isZip = csvDestination === 'zip';
  const isFolder = csvDestination === 'folder';
  checkDestination(outPath, isFolder);
  options.signal?.throwIfAborted();
  const done = (bytes: number, files = [outPath]): WrittenReport => ({ format, path: outPath, files, bytes });
  switch (format) {
    case 'json':
      return done(writeFileAtomic(outPath, `${JSON.stringify(report, null, 2)}\n`));
    case 'html':
      return done(writeFileAtomic(outPath, renderHtml(report)));
    case 'trace':
      return done(writeFileAtomic(outPath, JSON.stringify(renderTrace(report))));
    case 'pdf':
      return done(await writePdf(report, outPath, options.printToPdf ?? chromiumPrinter(), options.signal));
    case 'csv': {
      if (isZip) {
        const files = renderCsvFiles(report);
        return done(writeFileAtomic(outPath, zipArchive(files.map((f) => ({ name: f.name, data: Buffer.from(f.text) })))), files.map((f) => f.name));
      }
      const written = writeCsvFolder(report, outPath);
      return { format, path: outPath.replace(/\/+$/, ''), files: written.files, bytes: written.bytes };
    }
  }
}
