/**
 * Buffers live writes (samples, events, ranks) and flushes them in one transaction at most every
 * `flushIntervalMs` and on close, so a crash of the app loses at most about one interval of data.
 */
import type { EngineEvent } from '../../../src-shared/engine-events.js';
import type { RankRecord } from '../../../src-shared/run-record.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import type { EventInput, RunStore, StoreBatch } from './run-store.js';
import type { SeriesSample } from './series-table.js';
import { telemetryRows } from './telemetry-rows.js';

/** What one flush wrote and how long it took. */
export interface FlushInfo {
  rows: number;
  durationMs: number;
  flushedAtMs: number;
}

/** Options of the writer. */
export interface StoreWriterOptions {
  /** Longest time a write waits in memory (default 500 ms; keep it at or under 1000). */
  flushIntervalMs?: number;
  onFlush?: (info: FlushInfo) => void;
  /** A flush that failed (e.g. disk full); its rows are dropped and the writer goes on. */
  onError?: (error: unknown) => void;
}

/** Batches writes to a RunStore on a timer. */
export class StoreWriter {
  private batch: Required<StoreBatch> = { ranks: [], events: [], samples: [] };
  private pendingRows = 0;
  private timer: NodeJS.Timeout | undefined;
  private isClosed = false;
  readonly flushIntervalMs: number;

  constructor(private readonly store: RunStore, private readonly options: StoreWriterOptions = {}) {
    this.flushIntervalMs = options.flushIntervalMs ?? 500;
  }

  /** Rows waiting for the next flush. */
  get pending(): number {
    return this.pendingRows;
  }

  /** Queues raw series samples. */
  addSamples(samples: SeriesSample[]): void {
    this.queue(() => this.batch.samples.push(...samples), samples.length);
  }

  /** Queues a sampler batch, attributed to `run` (null outside a run). */
  addTelemetry(batch: TelemetryBatch, run: string | null): void {
    this.addSamples(telemetryRows(batch, run));
    if (run !== null) {
      for (const notice of batch.notices) this.addEvent(run, { type: 'sampler-notice', rank: null, timestampMs: notice.timestampMs, hostId: notice.hostId, message: notice.message });
    }
  }

  /** Queues an event of a run (e.g. an engine event as parsed from a worker's stdout). */
  addEvent(run: string, event: EventInput | EngineEvent): void {
    this.queue(() => this.batch.events.push({ run, event: event as EventInput }), 1);
  }

  /** Queues the ranks of a run. */
  addRanks(run: string, ranks: RankRecord[]): void {
    this.queue(() => this.batch.ranks.push({ run, ranks }), ranks.length);
  }

  private queue(push: () => void, rows: number): void {
    if (this.isClosed) throw new Error('StoreWriter used after close');
    push();
    this.pendingRows += rows;
    if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.flushIntervalMs);
  }

  /** Writes everything queued now, in one transaction. */
  flush(): FlushInfo {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.batch;
    const rows = this.pendingRows;
    this.batch = { ranks: [], events: [], samples: [] };
    this.pendingRows = 0;
    const startMs = performance.now();
    if (rows > 0) {
      try {
        this.store.writeBatch(batch);
      } catch (error) {
        if (!this.options.onError) throw error;
        this.options.onError(error);
      }
    }
    const info = { rows, durationMs: performance.now() - startMs, flushedAtMs: Date.now() };
    if (rows > 0) this.options.onFlush?.(info);
    return info;
  }

  /** Flushes what is left and stops the timer; the store stays open. */
  close(): FlushInfo {
    const info = this.flush();
    this.isClosed = true;
    return info;
  }
}
