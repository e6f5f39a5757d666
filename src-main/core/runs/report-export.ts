/** Exports a report of stored runs for the UI's Export button: written as a file, returned as bytes to download. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ExportedReport, ReportExportRequest } from '../../../src-shared/run-live.js';
import { buildReport, writeReport, type PrintToPdf } from '../report/index.js';
import type { RunStore } from '../store/index.js';

const fileTypes: Record<ReportExportRequest['format'], { extension: string; mimeType: string }> = {
  html: { extension: 'html', mimeType: 'text/html' },
  pdf: { extension: 'pdf', mimeType: 'application/pdf' },
  json: { extension: 'json', mimeType: 'application/json' },
  csv: { extension: 'zip', mimeType: 'application/zip' },
  trace: { extension: 'trace.json', mimeType: 'application/json' },
};

/** Builds the report of `runIds` in `format` (CSV as a zip) and returns the file's bytes. */
export async function exportReport(store: RunStore, request: ReportExportRequest, printToPdf?: PrintToPdf): Promise<ExportedReport> {
  const report = buildReport(store, request.runIds);
  const type = fileTypes[request.format];
  const fileName = `shardscope-${request.runIds.length === 1 ? request.runIds[0] : `comparison-${request.runIds.length}-runs`}.${type.extension}`;
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-export-'));
  try {
    const written = await writeReport(report, { format: request.format, outPath: join(dir, fileName), printToPdf });
    return { fileName, mimeType: type.mimeType, base64: readFileSync(written.path).toString('base64') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
