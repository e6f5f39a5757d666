/** Sample series in the store: ids per (run, host, GPU, metric), raw inserts, downsampled and recent reads. */
import type Database from 'better-sqlite3';
import type { DownsampledSeries, SeriesBucket, SeriesKey } from '../../../src-shared/run-record.js';
import type { SampleSource } from '../../../src-shared/telemetry.js';

/** One raw value of one series. */
export interface SeriesSample {
  key: SeriesKey;
  source: SampleSource;
  timestampMs: number;
  value: number;
}

/** A stored series and its id. */
export interface SeriesRow extends SeriesKey {
  id: number;
  source: SampleSource;
}

/** Which series to read and how finely. */
export interface SeriesQuery {
  /** Only these metrics (default: all of the run). */
  metrics?: string[];
  /** At most this many buckets per series (default 1000). */
  maxPoints?: number;
  fromMs?: number;
  toMs?: number;
}

interface RawSeriesRow { id: number; run: string | null; host: string; gpu_index: number | null; metric: string; source: SampleSource }

function toSeriesRow(row: RawSeriesRow): SeriesRow {
  return { id: row.id, run: row.run, host: row.host, gpuIndex: row.gpu_index, metric: row.metric, source: row.source };
}

function cacheKey(key: SeriesKey): string {
  return `${key.run ?? ''}\u0000${key.host}\u0000${key.gpuIndex ?? -1}\u0000${key.metric}`;
}

/** Statements over the series and samples tables; writes are meant to run inside the caller's transaction. */
export class SeriesTable {
  private readonly ids = new Map<string, number>();
  private readonly findId: Database.Statement;
  private readonly createSeries: Database.Statement;
  private readonly insertSample: Database.Statement;
  private readonly seriesOfRun: Database.Statement;
  private readonly rangeOf: Database.Statement;
  private readonly bucketsOf: Database.Statement;
  private readonly recent: Database.Statement;
  private readonly pointsOf: Database.Statement;

  constructor(private readonly db: Database.Database) {
    this.findId = db.prepare("SELECT id FROM series WHERE ifnull(run, '') = ifnull(?, '') AND host = ? AND ifnull(gpu_index, -1) = ifnull(?, -1) AND metric = ?").pluck();
    this.createSeries = db.prepare('INSERT INTO series (run, host, gpu_index, metric, source) VALUES (?, ?, ?, ?, ?)');
    this.insertSample = db.prepare('INSERT OR REPLACE INTO samples (series, timestamp_ms, value) VALUES (?, ?, ?)');
    this.seriesOfRun = db.prepare('SELECT * FROM series WHERE run = ? ORDER BY metric, host, gpu_index');
    this.rangeOf = db.prepare('SELECT min(timestamp_ms) AS fromMs, max(timestamp_ms) AS toMs, count(*) AS n FROM samples WHERE series = ? AND timestamp_ms BETWEEN ? AND ?');
    this.bucketsOf = db.prepare(`SELECT CAST((timestamp_ms - @fromMs) / @bucketMs AS INTEGER) AS bucket, min(timestamp_ms) AS startMs, max(timestamp_ms) AS endMs,
      min(value) AS min, max(value) AS max, avg(value) AS avg, count(*) AS count
      FROM samples WHERE series = @series AND timestamp_ms BETWEEN @fromMs AND @toMs GROUP BY bucket ORDER BY bucket`);
    this.recent = db.prepare(`SELECT s.run, s.host, s.gpu_index, s.metric, s.source, p.timestamp_ms AS timestampMs, p.value
      FROM series s JOIN samples p ON p.series = s.id AND p.timestamp_ms >= ? ORDER BY p.timestamp_ms`);
    this.pointsOf = db.prepare('SELECT timestamp_ms AS timestampMs, value FROM samples WHERE series = ? ORDER BY timestamp_ms');
  }

  /** The id of a series, created on first use. */
  seriesId(key: SeriesKey, source: SampleSource): number {
    const cached = this.ids.get(cacheKey(key));
    if (cached !== undefined) return cached;
    let id = this.findId.get(key.run, key.host, key.gpuIndex, key.metric) as number | undefined;
    if (id === undefined) id = Number(this.createSeries.run(key.run, key.host, key.gpuIndex, key.metric, source).lastInsertRowid);
    this.ids.set(cacheKey(key), id);
    return id;
  }

  /** Inserts raw samples (a later value at the same series and time replaces the earlier one). */
  insert(samples: SeriesSample[]): void {
    for (const sample of samples) {
      if (!Number.isFinite(sample.value)) continue;
      this.insertSample.run(this.seriesId(sample.key, sample.source), Math.round(sample.timestampMs), sample.value);
    }
  }

  /** The series recorded for a run. */
  seriesForRun(run: string, metrics?: string[]): SeriesRow[] {
    const rows = (this.seriesOfRun.all(run) as RawSeriesRow[]).map(toSeriesRow);
    return metrics ? rows.filter((row) => metrics.includes(row.metric)) : rows;
  }

  /** Raw points of one series in time order. */
  points(seriesId: number): { timestampMs: number; value: number }[] {
    return this.pointsOf.all(seriesId) as { timestampMs: number; value: number }[];
  }

  /** One series cut into at most `maxPoints` equal time buckets, each with min, max and mean. */
  downsample(series: SeriesRow, query: SeriesQuery = {}): DownsampledSeries {
    const maxPoints = Math.max(1, Math.floor(query.maxPoints ?? 1000));
    const range = this.rangeOf.get(series.id, query.fromMs ?? Number.MIN_SAFE_INTEGER, query.toMs ?? Number.MAX_SAFE_INTEGER) as { fromMs: number | null; toMs: number | null; n: number };
    const { id, ...key } = series;
    if (range.fromMs === null || range.toMs === null) return { ...key, rawCount: 0, buckets: [] };
    const bucketMs = Math.max(1, Math.ceil((range.toMs - range.fromMs + 1) / maxPoints));
    const rows = this.bucketsOf.all({ series: id, fromMs: range.fromMs, toMs: range.toMs, bucketMs }) as (SeriesBucket & { bucket: number })[];
    return { ...key, rawCount: range.n, buckets: rows.map(({ bucket, ...rest }) => rest) };
  }

  /** Every raw sample newer than `sinceMs`, in time order. */
  recentSamples(sinceMs: number): SeriesSample[] {
    return (this.recent.all(sinceMs) as (RawSeriesRow & { timestampMs: number; value: number })[]).map((row) => ({
      key: { run: row.run, host: row.host, gpuIndex: row.gpu_index, metric: row.metric },
      source: row.source,
      timestampMs: row.timestampMs,
      value: row.value,
    }));
  }
}
