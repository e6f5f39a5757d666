/** Helpers for the paper-case tests: loading ../shared/reference/paper-cases.json and comparing printed figures. */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** One published or formula-derived reference case. */
export interface PaperCase {
  id: string;
  kind: string;
  inputs: Record<string, any>;
  expected: Record<string, any>;
  tolerance_note: string;
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** Reads the reference cases at test time; fails with a clear message where the shared folder is missing. */
export function loadPaperCases(): PaperCase[] {
  const file = path.resolve(repoRoot, '..', 'shared', 'reference', 'paper-cases.json');
  if (!existsSync(file)) throw new Error(`paper cases not found at ${file}: the planner tests need ../shared/reference/paper-cases.json next to the repository`);
  return JSON.parse(readFileSync(file, 'utf8')) as PaperCase[];
}

/** Decimal places a printed number shows (1.65 -> 2, 120 -> 0). */
function decimalsOf(printed: number): number {
  const text = String(printed);
  return text.includes('.') ? text.split('.')[1].length : 0;
}

/** A computed value matches a printed one within relTol, or when it rounds to the printed digits. */
export function matchesPrinted(computed: number, printed: number, relTol = 0.01): boolean {
  if (Math.abs(computed - printed) <= relTol * Math.abs(printed)) return true;
  return Math.abs(computed - printed) <= 0.5 * 10 ** -decimalsOf(printed) + 1e-12;
}

/** A failure message for one compared figure, or null when it matches. */
export function compare(label: string, computed: number, printed: number, relTol = 0.01): string | null {
  return matchesPrinted(computed, printed, relTol) ? null : `${label}: computed ${computed} vs published ${printed} (tolerance ${relTol * 100}%)`;
}

/** Parses "2783M" / "1.3B" / "175.0B" / "125M" into a count. */
export function parseCount(text: string): number {
  const match = /^([\d.]+)\s*([MBT])$/.exec(text.trim());
  if (!match) throw new Error(`cannot parse count "${text}"`);
  return Number(match[1]) * { M: 1e6, B: 1e9, T: 1e12 }[match[2] as 'M' | 'B' | 'T'];
}
