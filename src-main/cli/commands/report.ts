/**
 * `shardscope report RUN[,RUN...] --format html|pdf|json|csv|trace --out FILE [--db PATH] [--json]`:
 * exports one run (or a comparison of several; RUN may be `latest`) from the run store.
 */
import { existsSync } from 'node:fs';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { buildReport, resolveRunIds } from '../../core/report/build-report.js';
import { REPORT_FORMATS, writeReport, type ReportFormat } from '../../core/report/write-report.js';
import { RunStore } from '../../core/store/run-store.js';
import { enumFlag, parseFlags, storePathFlag } from '../args.js';
import { printJson, printLine, type CliCommand } from '../io.js';
import { packageVersion } from '../runtime-paths.js';
import { formatBytes, formatCount } from '../../../src-shared/units.js';

/** The report format a file name asks for (`run --report FILE`): .html, .pdf, .json, .trace.json, .zip (csv files); else `bad-input`. */
export function reportFormatOfPath(path: string): ReportFormat {
  const name = path.toLowerCase();
  if (name.endsWith('.trace.json') || name.endsWith('.trace')) return 'trace';
  const byExtension: Record<string, ReportFormat> = { '.html': 'html', '.htm': 'html', '.pdf': 'pdf', '.json': 'json', '.zip': 'csv' };
  const format = Object.entries(byExtension).find(([ext]) => name.endsWith(ext))?.[1];
  if (!format) throw new ShardScopeError('bad-input', `--report ${path}: name it .html, .pdf, .json, .trace.json or .zip (the CSV files, zipped) to choose the format`);
  return format;
}

/** The `report` command. */
export const reportCommand: CliCommand = async (args, io) => {
  const { values, positionals } = parseFlags(args, {
    format: { type: 'string' }, out: { type: 'string' }, db: { type: 'string' }, json: { type: 'boolean' },
  }, true);
  if (positionals.length !== 1) throw new ShardScopeError('bad-input', 'usage: shardscope report RUN[,RUN...] --format html|pdf|json|csv|trace --out FILE [--db PATH]');
  const format = enumFlag('format', values.format, REPORT_FORMATS);
  if (!format) throw new ShardScopeError('bad-input', `--format ${REPORT_FORMATS.join('|')} is required`);
  if (!values.out) throw new ShardScopeError('bad-input', '--out FILE is required');
  const path = storePathFlag(values.db, io.env);
  if (!existsSync(path)) throw new ShardScopeError('bad-input', `no store at ${path} (no runs recorded yet)`);
  const store = RunStore.open(path, { readonly: true });
  let report;
  try {
    report = buildReport(store, resolveRunIds(store, positionals[0]), { version: packageVersion() });
  } finally {
    store.close();
  }
  const written = await writeReport(report, { format, outPath: values.out, signal: io.signal });
  if (values.json) printJson(io, { ...written, runs: report.runs.map((r) => r.id), verdict: report.comparison?.verdict ?? null });
  else {
    printLine(io, `wrote ${format} report of ${report.runs.map((r) => r.id).join(', ')} to ${written.path} (${formatCount(written.files.length, 'file')}, ${formatBytes(written.bytes)})`);
    if (report.comparison) printLine(io, report.comparison.verdict);
  }
  return 0;
};
