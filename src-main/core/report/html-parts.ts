/** Small HTML builders of the report: escaping, number formats, tables, and a chart figure with its data. */
import type { ChartSpec } from './chart-specs.js';
import { renderChartSvg } from './svg-chart.js';

/** Escapes text for HTML content and attribute values. */
export function esc(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A number for readers: about three significant digits, thousands separators, never e-notation (src-shared/units.ts). */
export { formatSignificant as fmtNumber, formatBytes as fmtBytes } from '../../../src-shared/units.js';

/** A relative error as a signed percentage. */
export function fmtPercent(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '–';
  return `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%`;
}

/** A table; cells are escaped. */
export function table(columns: string[], rows: Array<Array<unknown>>, className = ''): string {
  const head = columns.map((c) => `<th>${esc(c)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((cell) => `<td>${esc(cell ?? '–')}</td>`).join('')}</tr>`).join('\n');
  return `<table class="${esc(className)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

/** Key/value rows as a two-column table. */
export function keyValues(rows: Array<[string, string]>): string {
  return `<table class="kv"><tbody>${rows.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</tbody></table>`;
}

/** JSON safe to put inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

/** A chart as inline SVG, followed by its data (a collapsible table and the same rows as JSON). */
export function chartFigure(chart: ChartSpec): string {
  const svg = renderChartSvg(chart.option);
  return `<figure class="chart" data-chart-id="${esc(chart.id)}">
<div class="chart-svg">${svg}</div>
<figcaption>${esc(chart.title)}</figcaption>
<details class="chart-data"><summary>Data behind this chart (${chart.data.rows.length} rows)</summary>${table(chart.data.columns, chart.data.rows)}</details>
<script type="application/json" data-chart-data="${esc(chart.id)}">${scriptJson(chart.data)}</script>
</figure>`;
}

/** Inline stylesheet of the report (screen and print). */
export const REPORT_CSS = `
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;margin:24px auto;max-width:1000px;color:#1b1f24;line-height:1.4}
h1{font-size:22px;margin-bottom:4px}h2{font-size:18px;border-bottom:2px solid #334;padding-bottom:4px;margin-top:32px}h3{font-size:15px;margin-top:22px}
table{border-collapse:collapse;margin:8px 0;font-size:12px}th,td{border:1px solid #ccd;padding:3px 6px;text-align:left;vertical-align:top}th{background:#eef0f4}
table.kv th{width:260px}.meta{color:#556;font-size:12px}.verdict{font-size:15px;font-weight:600;background:#eef6ee;border-left:4px solid #2a7;padding:8px 12px}
figure.chart{margin:12px 0;page-break-inside:avoid;break-inside:avoid}figure.chart svg{max-width:100%;height:auto}figcaption{font-size:12px;color:#445}
details.chart-data{font-size:11px}details.chart-data table{max-height:none}.note{font-size:12px;color:#664}
section.run{page-break-before:always;break-before:page}header+section.run{page-break-before:auto;break-before:auto}
@page{size:A4;margin:14mm}
@media print{details.chart-data{display:none}body{margin:0;max-width:none}}
`;
