/** Reports: build the model once from the store, then write it as HTML, PDF, JSON, CSV or a Chrome trace. */
export { buildReport, buildRunReport, resolveRunIds, type BuildReportOptions } from './build-report.js';
export { strategyLabelOf } from '../../../src-shared/run-comparison.js';
export { writeReport, writeFileAtomic, REPORT_FORMATS, type ReportFormat, type WriteReportOptions, type WrittenReport } from './write-report.js';
export { renderHtml, RUN_SECTION_TITLES } from './render-html.js';
export { renderTrace, tracePid, type TraceEvent, type TraceFile } from './render-trace.js';
export { renderCsvFiles, type CsvFile } from './render-csv.js';
export { chromiumPrinter, findChromium, type PrintToPdf } from './print-pdf.js';
export { INVENTORY_EVENT, BANDWIDTH_EVENT } from './report-inventory.js';
