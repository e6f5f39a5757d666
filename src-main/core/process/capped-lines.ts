/**
 * Splits a command's streamed output into lines, with a cap on the length of one line: a line that
 * grows past it (100 MB without a newline from a broken tool) is not buffered further. The caller
 * stops the command and says the output was cut.
 */

/** Longest line kept of a streaming command by default (nvidia-smi lines are well under 1 KiB). */
export const DEFAULT_MAX_LINE_CHARS = 64 * 1024;

/** What one chunk gave: its complete lines, and whether the current line went past the cap. */
export interface CappedLines {
  lines: string[];
  isCut: boolean;
}

/** A short note for a stream whose line was cut. */
export function lineCutNote(maxLineChars: number): string {
  return `[output cut: a line longer than ${maxLineChars} characters]`;
}

/** Line splitter with a line-length cap (sans-IO). */
export class CappedLineSplitter {
  private pending = '';
  private hasCut = false;

  constructor(private readonly maxLineChars = DEFAULT_MAX_LINE_CHARS) {}

  /** Whether a line went past the cap (nothing more is returned after that). */
  get isCut(): boolean {
    return this.hasCut;
  }

  /** Adds a chunk; returns the lines it completed (none once the cap was hit). */
  push(chunk: string): CappedLines {
    if (this.hasCut) return { lines: [], isCut: true };
    const parts = (this.pending + chunk).split('\n');
    this.pending = parts.pop() ?? '';
    const lines: string[] = [];
    for (const part of parts) {
      if (part.length > this.maxLineChars) return this.cut(lines);
      lines.push(part.replace(/\r$/, ''));
    }
    if (this.pending.length > this.maxLineChars) return this.cut(lines);
    return { lines, isCut: false };
  }

  /** Returns the unterminated rest (at end of stream), if any. */
  flush(): string[] {
    const rest = this.pending.replace(/\r$/, '');
    this.pending = '';
    return rest === '' || this.hasCut ? [] : [rest];
  }

  private cut(lines: string[]): CappedLines {
    this.hasCut = true;
    this.pending = '';
    return { lines, isCut: true };
  }
}
