/**
 * Sans-IO reading of `nvidia-smi dmon` output (any `-s` selection): the `# gpu ...` header names the
 * columns, the `# Idx ...` line their units, and every other line is one GPU's row. Feed lines in,
 * get rows out; PCIe throughput (`rxpci`/`txpci`, from `-s t`) becomes bytes per second.
 */

/** One row of dmon: the GPU index and each named column's value (null for `-`). */
export interface DmonRow {
  gpuIndex: number;
  values: Record<string, number | null>;
  /** Unit of each column as printed in the `# Idx` line (e.g. `MB/s`, `W`, `%`). */
  units: Record<string, string>;
}

/** What one line was: the header, a row, nothing of interest, or unreadable (with why). */
export type DmonLineResult =
  | { kind: 'header'; columns: string[] }
  | { kind: 'row'; row: DmonRow }
  | { kind: 'skip' }
  | { kind: 'error'; reason: string };

/** PCIe throughput of one GPU from a dmon row. */
export interface PcieThroughput {
  gpuIndex: number;
  rxBytesPerSecond: number | null;
  txBytesPerSecond: number | null;
}

const bytesPerUnit: Record<string, number> = { 'B/s': 1, 'KB/s': 1e3, 'MB/s': 1e6, 'GB/s': 1e9 };

/** Reads a dmon stream line by line; the column layout is learnt from its `#` header lines. */
export class DmonParser {
  private columns: string[] | null = null;
  private units: Record<string, string> = {};

  /** Reads one line (without its newline). */
  pushLine(rawLine: string): DmonLineResult {
    const line = rawLine.replace(/\r$/, '').trim();
    if (line === '') return { kind: 'skip' };
    if (line.startsWith('#')) return this.readHeader(line.slice(1).trim().split(/\s+/));
    if (!this.columns) return { kind: 'error', reason: `dmon row before any "# gpu" header: "${line.slice(0, 120)}"` };
    const cells = line.split(/\s+/);
    const gpuColumn = this.columns.indexOf('gpu');
    // Windows and older drivers print the same layout; a row with fewer cells than columns is not ours.
    if (cells.length !== this.columns.length) {
      return { kind: 'error', reason: `expected ${this.columns.length} dmon columns, got ${cells.length}: "${line.slice(0, 120)}"` };
    }
    const gpuIndex = Number(cells[gpuColumn]);
    if (!Number.isInteger(gpuIndex) || gpuIndex < 0) return { kind: 'error', reason: `no GPU index in dmon row "${line.slice(0, 120)}"` };
    const values: Record<string, number | null> = {};
    this.columns.forEach((name, i) => {
      if (i === gpuColumn) return;
      const value = Number(cells[i]);
      values[name] = cells[i] === '-' || !Number.isFinite(value) ? null : value;
    });
    return { kind: 'row', row: { gpuIndex, values, units: { ...this.units } } };
  }

  private readHeader(words: string[]): DmonLineResult {
    if (words[0] === 'gpu') {
      this.columns = words;
      this.units = {};
      return { kind: 'header', columns: words };
    }
    if (words[0] === 'Idx' && this.columns) {
      this.columns.forEach((name, i) => { if (words[i] !== undefined) this.units[name] = words[i]; });
    }
    return { kind: 'skip' };
  }
}

/** PCIe rx/tx of a row in bytes per second; null when the row has no `rxpci`/`txpci` column. */
export function pcieThroughputOf(row: DmonRow): PcieThroughput | null {
  if (!('rxpci' in row.values) && !('txpci' in row.values)) return null;
  const scaled = (name: string): number | null => {
    const value = row.values[name];
    if (value === null || value === undefined) return null;
    return value * (bytesPerUnit[row.units[name] ?? 'MB/s'] ?? 1e6);
  };
  return { gpuIndex: row.gpuIndex, rxBytesPerSecond: scaled('rxpci'), txBytesPerSecond: scaled('txpci') };
}

/** Arguments of the PCIe throughput stream: `dmon -s t` every `intervalMs`, rounded up to dmon's whole seconds. */
export function dmonPcieArgs(intervalMs: number): string[] {
  return ['dmon', '-s', 't', '-d', String(Math.max(1, Math.ceil(intervalMs / 1000)))];
}

/** Parses a whole dmon text (tests, one-shot captures); unreadable lines are returned with their reasons. */
export function parseDmonText(text: string): { rows: DmonRow[]; errors: string[] } {
  const parser = new DmonParser();
  const rows: DmonRow[] = [];
  const errors: string[] = [];
  for (const line of text.split('\n')) {
    const result = parser.pushLine(line);
    if (result.kind === 'row') rows.push(result.row);
    else if (result.kind === 'error') errors.push(result.reason);
  }
  return { rows, errors };
}
