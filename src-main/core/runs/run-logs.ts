/**
 * A run's rank output kept with it: each line a rank printed (stdout lines that are not events,
 * and stderr) as a `log` event, at most `maxLinesPerRank` per rank; past that, the lines dropped
 * are counted and the count is kept at the end (`log-dropped`), so a chatty rank cannot fill the store.
 */
import type { StoreWriter } from '../store/index.js';

/** Event type of one kept output line: `{type: 'log', rank, stream, line}`. */
export const LOG_EVENT = 'log';
/** Event type of the count of lines not kept: `{type: 'log-dropped', rank, lines}`. */
export const LOG_DROPPED_EVENT = 'log-dropped';
/** Lines kept per rank by default. */
export const DEFAULT_LOG_LINES_PER_RANK = 1000;
const maxLineChars = 2000;

/** Keeps ranks' lines in the store, bounded per rank. */
export class RunLogs {
  private readonly kept = new Map<number, number>();
  private readonly dropped = new Map<number, number>();

  constructor(private readonly runId: string, private readonly writer: StoreWriter, private readonly maxLinesPerRank = DEFAULT_LOG_LINES_PER_RANK) {}

  /** Keeps one line (or counts it when the rank's share is used up). */
  add(rank: number, line: string, stream: 'stdout' | 'stderr'): void {
    const count = this.kept.get(rank) ?? 0;
    if (count >= this.maxLinesPerRank) {
      this.dropped.set(rank, (this.dropped.get(rank) ?? 0) + 1);
      return;
    }
    this.kept.set(rank, count + 1);
    this.writer.addEvent(this.runId, { type: LOG_EVENT, rank, timestampMs: Date.now(), stream, line: line.length > maxLineChars ? `${line.slice(0, maxLineChars)}…` : line });
  }

  /** Records how many lines each rank printed past its share. */
  finish(): void {
    for (const [rank, lines] of this.dropped) this.writer.addEvent(this.runId, { type: LOG_DROPPED_EVENT, rank, timestampMs: Date.now(), lines });
    this.dropped.clear();
  }
}
