/**
 * How figures are written for people — the CLI, the UI and the reports all use these, so a number
 * reads the same everywhere. Bytes are binary with IEC names (KiB, MiB, GiB, TiB: 1024-based):
 * GPU and host memory are sized in powers of two and nvidia-smi reports MiB, so an 80 GiB card reads
 * "80 GiB", not "85.9 GB"; byte rates use the same units per second. No e-notation: large values
 * get thousands separators, tiny ones a smaller unit. Dates are ISO 8601 (`2026-12-03 14:05`, local
 * time), which reads the same in every locale. Stored values stay in base units (bytes, seconds).
 */

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'] as const;
/** Bytes per unit of a binary prefix. */
export const BYTES_PER = { KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, TiB: 1024 ** 4 } as const;
/** A byte unit a chart axis may be drawn in. */
export type ByteUnit = keyof typeof BYTES_PER;

const dash = '–';

function isNumber(value: number | null | undefined): value is number {
  return value !== null && value !== undefined && Number.isFinite(value);
}

/** A plain number with thousands separators and at most `maxFractionDigits` decimals; never e-notation. */
export function formatNumber(value: number | null | undefined, maxFractionDigits = 2): string {
  if (!isNumber(value)) return dash;
  return value.toLocaleString('en-US', { maximumFractionDigits: maxFractionDigits, useGrouping: true });
}

/** About three significant digits, without e-notation: 1234 -> "1,234", 12.34 -> "12.3", 0.01234 -> "0.0123". */
export function formatSignificant(value: number | null | undefined): string {
  if (!isNumber(value)) return dash;
  const magnitude = Math.abs(value);
  if (magnitude >= 100 || magnitude === 0) return formatNumber(value, 0);
  const decimals = Math.min(6, 2 - Math.floor(Math.log10(magnitude)));
  return formatNumber(value, decimals);
}

/** Bytes in binary units: 512 -> "512 B", 1536 -> "1.5 KiB", 80 * 2**30 -> "80 GiB", 1.23 GiB -> "1.23 GiB". */
export function formatBytes(bytes: number | null | undefined): string {
  if (!isNumber(bytes)) return dash;
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < byteUnits.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? formatNumber(value, 0) : formatSignificant(value)} ${byteUnits[unit]}`;
}

/** A byte rate in the same binary units: "117 MiB/s", "1.5 GiB/s". */
export function formatBytesPerSecond(bytesPerSecond: number | null | undefined): string {
  return isNumber(bytesPerSecond) ? `${formatBytes(bytesPerSecond)}/s` : dash;
}

/** The value of `bytes` in one fixed unit, for chart axes ("MiB" series beside a "MiB" table). */
export function bytesIn(unit: ByteUnit, bytes: number): number {
  return bytes / BYTES_PER[unit];
}

/** A duration: "850 µs", "120 ms", "12.3 s", "4 min 05 s", "2 h 07 min". */
export function formatDuration(seconds: number | null | undefined): string {
  if (!isNumber(seconds)) return dash;
  const s = Math.abs(seconds);
  const sign = seconds < 0 ? '-' : '';
  if (s === 0) return '0 s';
  if (s < 1e-3) return `${sign}${formatSignificant(s * 1e6)} µs`;
  if (s < 1) return `${sign}${formatSignificant(s * 1e3)} ms`;
  if (s < 60) return `${sign}${formatSignificant(s)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${sign}${Math.floor(whole / 60)} min ${String(whole % 60).padStart(2, '0')} s`;
  return `${sign}${Math.floor(whole / 3600)} h ${String(Math.floor((whole % 3600) / 60)).padStart(2, '0')} min`;
}

/** A rate with its unit, thousands separators and no e-notation: formatRate(14100.4, 'tokens/s') -> "14,100 tokens/s". */
export function formatRate(value: number | null | undefined, unit: string): string {
  return isNumber(value) ? `${formatSignificant(value)} ${unit}` : dash;
}

/** A count with the right plural: (1, 'run') -> "1 run", (2, 'run') -> "2 runs", (3, 'host key', 'host keys'). */
export function formatCount(count: number, singular: string, plural = `${singular}s`): string {
  return `${formatNumber(count, 0)} ${count === 1 ? singular : plural}`;
}

/** Energy: "850 J", "12.3 kJ", "4.5 MJ". */
export function formatJoules(joules: number | null | undefined): string {
  if (!isNumber(joules)) return dash;
  const j = Math.abs(joules);
  if (j >= 1e6) return `${formatSignificant(joules / 1e6)} MJ`;
  if (j >= 1e3) return `${formatSignificant(joules / 1e3)} kJ`;
  return `${formatSignificant(joules)} J`;
}

/** Power: "250 W", "1.2 kW". */
export function formatWatts(watts: number | null | undefined): string {
  if (!isNumber(watts)) return dash;
  return Math.abs(watts) >= 1e3 ? `${formatSignificant(watts / 1e3)} kW` : `${formatSignificant(watts)} W`;
}

/** A fraction as a percentage: 0.4213 -> "42.1%". */
export function formatPercent(fraction: number | null | undefined, decimals = 1): string {
  return isNumber(fraction) ? `${(fraction * 100).toFixed(decimals)}%` : dash;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** A moment as ISO 8601 date and time in local time, to the minute: "2026-12-03 14:05". */
export function formatDateTime(timestampMs: number | string): string {
  const d = new Date(timestampMs);
  if (Number.isNaN(d.getTime())) return dash;
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}`;
}

/** A time of day for chart axes and tooltips: "14:05:09". */
export function formatTimeOfDay(timestampMs: number): string {
  const d = new Date(timestampMs);
  return `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
}
