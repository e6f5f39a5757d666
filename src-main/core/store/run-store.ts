/** The run history: runs, ranks, events and sample series in one SQLite file, read and written synchronously. */
import { accessSync, constants, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { errorFraction, steadyStepSeconds } from '../../../src-shared/measured-vs-predicted.js';
import type {
  DownsampledSeries, NewRun, RankRecord, RunDetails, RunListItem, RunRecord, RunStatus, RunSummary, StoredEvent,
} from '../../../src-shared/run-record.js';
import { currentController, HEARTBEAT_INTERVAL_MS, isControllerAlive, type ControllerIdentity } from './controller-identity.js';
import { openStoreDatabase, type OpenStoreOptions } from './open-store.js';
import { SCHEMA_VERSION } from './schema.js';
import { RunSummariser } from './run-summary.js';
import { SeriesTable, type SeriesQuery, type SeriesSample } from './series-table.js';

/** An event to store for a run (an engine event is one: its `type`, `rank` and `timestampMs` are pulled out). */
export interface EventInput {
  type: string;
  rank?: number | null;
  timestampMs: number;
  [field: string]: unknown;
}

/** Everything one flush writes, in one transaction. */
export interface StoreBatch {
  ranks?: { run: string; ranks: RankRecord[] }[];
  events?: { run: string; event: EventInput }[];
  samples?: SeriesSample[];
}

/** How a run ended. */
export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  endedAtMs: number;
  error?: { kind: string; message: string } | null;
}

interface RunRow {
  id: string; engine: string; strategy_json: string; model_json: string; plan_json: string | null; prediction_json: string | null;
  status: RunStatus; error_json: string | null; started_at_ms: number; ended_at_ms: number | null; hosts_json: string; summary_json: string | null;
  controller_json: string | null; heartbeat_at_ms: number | null;
}

function parseJson<T>(text: string | null, fallback: T): T {
  return text === null ? fallback : (JSON.parse(text) as T);
}

function toRecord(row: RunRow): RunRecord {
  return {
    id: row.id,
    engine: row.engine,
    strategy: parseJson(row.strategy_json, {}),
    model: parseJson(row.model_json, {}),
    plan: parseJson(row.plan_json, null),
    prediction: parseJson(row.prediction_json, null),
    status: row.status,
    error: parseJson(row.error_json, null),
    startedAtMs: row.started_at_ms,
    endedAtMs: row.ended_at_ms,
    hosts: parseJson(row.hosts_json, []),
    summary: parseJson(row.summary_json, null),
  };
}

/** The store. Open one per process; the StoreWriter batches live writes into it. */
export class RunStore {
  readonly series: SeriesTable;
  private readonly summariser: RunSummariser;
  private readonly statements: Record<string, Database.Statement>;
  private readonly writeBatchTx: (batch: StoreBatch) => void;
  /** Runs this process created and still drives: their heartbeat is refreshed on a timer. */
  private readonly drivenRuns = new Set<string>();
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly controller = currentController();

  /** Opens the store file at `path` (see openStoreDatabase for the checks); runs whose controller died become `interrupted`. */
  static open(path: string, options: OpenStoreOptions = {}): RunStore {
    if (options.readonly) sweepInterruptedRuns(path);
    const store = new RunStore(openStoreDatabase(path, options));
    if (!options.readonly) {
      try {
        store.markInterruptedRuns();
      } catch (error) {
        store.close();
        throw error;
      }
    }
    return store;
  }

  constructor(readonly db: Database.Database) {
    this.series = new SeriesTable(db);
    this.summariser = new RunSummariser(db, this.series);
    this.statements = {
      insertRun: db.prepare(`INSERT INTO runs (id, engine, strategy_json, model_json, plan_json, prediction_json, status, started_at_ms, hosts_json, controller_json, heartbeat_at_ms)
        VALUES (@id, @engine, @strategy, @model, @plan, @prediction, 'running', @startedAtMs, @hosts, @controller, @heartbeatAtMs)`),
      heartbeat: db.prepare('UPDATE runs SET heartbeat_at_ms = ? WHERE id = ? AND status = \'running\''),
      runningRuns: db.prepare('SELECT id, started_at_ms, controller_json, heartbeat_at_ms FROM runs WHERE status = \'running\''),
      endRun: db.prepare('UPDATE runs SET status = ?, ended_at_ms = ?, error_json = ?, summary_json = ? WHERE id = ?'),
      getRun: db.prepare('SELECT * FROM runs WHERE id = ?'),
      listRuns: db.prepare('SELECT * FROM runs ORDER BY started_at_ms DESC, id'),
      slowestRankSteps: db.prepare(`SELECT json_extract(data_json, '$.step') AS step, max(json_extract(data_json, '$.stepTimeSeconds.total')) AS seconds
        FROM events WHERE run = ? AND type = 'step' GROUP BY step ORDER BY step`),
      insertRank: db.prepare('INSERT OR REPLACE INTO ranks (run, rank, host, device, backend, params_on_rank) VALUES (?, ?, ?, ?, ?, ?)'),
      ranksOf: db.prepare('SELECT rank, host, device, backend, params_on_rank AS paramsOnRank FROM ranks WHERE run = ? ORDER BY rank'),
      insertEvent: db.prepare('INSERT INTO events (run, rank, timestamp_ms, type, data_json) VALUES (?, ?, ?, ?, ?)'),
      eventsOf: db.prepare(`SELECT * FROM (SELECT id, rank, timestamp_ms AS timestampMs, type, data_json FROM events
        WHERE run = ? AND type != 'spans' ORDER BY timestamp_ms DESC, id DESC LIMIT ?) ORDER BY timestampMs, id`),
    };
    this.writeBatchTx = db.transaction((batch: StoreBatch) => {
      for (const { run, ranks } of batch.ranks ?? []) {
        for (const r of ranks) this.statements.insertRank.run(run, r.rank, r.host, r.device, r.backend, r.paramsOnRank);
      }
      for (const { run, event } of batch.events ?? []) {
        this.statements.insertEvent.run(run, event.rank ?? null, Math.round(event.timestampMs), event.type, JSON.stringify(event));
      }
      this.series.insert(batch.samples ?? []);
    });
  }

  /** Records a new run as `running`. */
  createRun(run: NewRun): void {
    try {
      this.statements.insertRun.run({
        ...run,
        strategy: JSON.stringify(run.strategy),
        model: JSON.stringify(run.model),
        plan: run.plan === undefined ? null : JSON.stringify(run.plan),
        prediction: run.prediction === undefined ? null : JSON.stringify(run.prediction),
        hosts: JSON.stringify(run.hosts),
        controller: JSON.stringify(this.controller),
        heartbeatAtMs: Date.now(),
      });
      this.drivenRuns.add(run.id);
      this.startHeartbeat();
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') throw new ShardScopeError('bad-input', `run ${run.id} already exists`);
      throw error;
    }
  }

  /** Writes ranks, events and samples in one transaction. */
  writeBatch(batch: StoreBatch): void {
    this.writeBatchTx(batch);
  }

  /** Marks a run ended and keeps its summary as it stands now. */
  endRun(id: string, end: RunEnd): RunSummary {
    this.requireRun(id);
    this.drivenRuns.delete(id);
    const summary = this.summariser.summarise(id);
    this.statements.endRun.run(end.status, Math.round(end.endedAtMs), end.error ? JSON.stringify(end.error) : null, JSON.stringify(summary), id);
    return summary;
  }

  /** One run's record, or null. */
  getRun(id: string): RunRecord | null {
    const row = this.statements.getRun.get(id) as RunRow | undefined;
    return row ? toRecord(row) : null;
  }

  private requireRun(id: string): RunRecord {
    const run = this.getRun(id);
    if (!run) throw new ShardScopeError('not-found', `no run "${id}" in the store`);
    return run;
  }

  /** The stored summary, or one computed from what is stored so far. */
  summary(id: string): RunSummary {
    return this.requireRun(id).summary ?? this.summariser.summarise(id);
  }

  /** A run with its ranks, its latest `eventLimit` events (default 10 000; `spans` events are read apart, see span-events.ts) and its summary. */
  runDetails(id: string, eventLimit = 10_000): RunDetails {
    const run = this.requireRun(id);
    const ranks = this.statements.ranksOf.all(id) as RankRecord[];
    const events = (this.statements.eventsOf.all(id, eventLimit) as { rank: number | null; timestampMs: number; type: string; data_json: string }[])
      .map((row): StoredEvent => ({ rank: row.rank, timestampMs: row.timestampMs, type: row.type, data: JSON.parse(row.data_json) }));
    return { run, ranks, events, summary: run.summary ?? this.summariser.summarise(id) };
  }

  /** Every run, newest first, with its derived figures (`nowMs` sets the duration of runs still going). */
  listRuns(nowMs: number = Date.now()): RunListItem[] {
    return (this.statements.listRuns.all() as RunRow[]).map((row) => {
      const run = toRecord(row);
      const summary = run.summary ?? this.summariser.summarise(run.id);
      return {
        id: run.id,
        engine: run.engine,
        strategy: run.strategy,
        status: run.status,
        startedAt: new Date(run.startedAtMs).toISOString(),
        durationSeconds: Math.max(0, ((run.endedAtMs ?? nowMs) - run.startedAtMs) / 1000),
        tokensPerSecond: summary.tokensPerSecond,
        energyJoules: summary.energy.totalJoules,
        joulesPerToken: summary.energy.joulesPerToken,
        bytesMoved: summary.bytesMoved,
        hosts: run.hosts,
        stepTimeCheck: this.stepTimeCheck(run.id, run.prediction),
        ...slurmJobIdOf(run.plan),
      };
    });
  }

  /** The run's predicted step time against its measured steady step time (the slowest rank's, after the first step). */
  private stepTimeCheck(id: string, prediction: unknown): NonNullable<RunListItem['stepTimeCheck']> {
    const predicted = (prediction as { stepTimeSeconds?: unknown } | null)?.stepTimeSeconds;
    const predictedSeconds = typeof predicted === 'number' && Number.isFinite(predicted) ? predicted : null;
    const measuredSeconds = steadyStepSeconds((this.statements.slowestRankSteps.all(id) as Array<{ seconds: number }>).map((r) => r.seconds));
    return { predictedSeconds, measuredSeconds, errorFraction: errorFraction(measuredSeconds, predictedSeconds) };
  }

  /** The series of a run, each downsampled to at most `maxPoints` min/max/mean buckets. */
  runSeries(id: string, query: SeriesQuery = {}): DownsampledSeries[] {
    this.requireRun(id);
    return this.series.seriesForRun(id, query.metrics).map((series) => this.series.downsample(series, query));
  }

  /** Raw samples newer than `sinceMs`, in time order (for a view that opens mid-run). */
  recentSamples(sinceMs: number): SeriesSample[] {
    return this.series.recentSamples(sinceMs);
  }

  /**
   * Marks `interrupted` every `running` run whose controller is gone (killed, crashed, machine
   * rebooted); its data stays. Returns the ids marked.
   */
  markInterruptedRuns(nowMs: number = Date.now()): string[] {
    const rows = this.statements.runningRuns.all() as Pick<RunRow, 'id' | 'started_at_ms' | 'controller_json' | 'heartbeat_at_ms'>[];
    const marked: string[] = [];
    for (const row of rows) {
      const controller = parseJson<Partial<ControllerIdentity> | null>(row.controller_json, null);
      if (isControllerAlive(controller, row.heartbeat_at_ms, nowMs)) continue;
      const who = controller?.pid ? `pid ${controller.pid} on ${controller.host}` : 'unknown';
      this.endRun(row.id, {
        status: 'interrupted',
        endedAtMs: Math.max(row.started_at_ms, row.heartbeat_at_ms ?? row.started_at_ms),
        error: { kind: 'interrupted', message: `the process driving this run (${who}) ended before the run did` },
      });
      marked.push(row.id);
    }
    return marked;
  }

  private startHeartbeat(): void {
    if (this.heartbeatTimer) return;
    this.heartbeatTimer = setInterval(() => {
      if (!this.db.open) return;
      const nowMs = Date.now();
      for (const id of this.drivenRuns) this.statements.heartbeat.run(nowMs, id);
    }, HEARTBEAT_INTERVAL_MS);
    this.heartbeatTimer.unref();
  }

  /** Closes the database (checkpointing the WAL). */
  close(): void {
    clearInterval(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
    if (this.db.open) this.db.close();
  }
}

/** True when the store needs the sweep: it lists a run as `running`, or has an older schema to migrate first (read only). */
function needsSweep(path: string): boolean {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION) return true;
    return (db.prepare("SELECT count(*) AS n FROM runs WHERE status = 'running'").get() as { n: number }).n > 0;
  } catch {
    return true; // let the full open decide (and report) what is wrong with it
  } finally {
    db.close();
  }
}

/**
 * Marks the store's orphaned runs `interrupted` if the file exists and can be written; quiet
 * otherwise (a missing, read-only or damaged store is reported by whoever really opens it).
 */
export function sweepInterruptedRuns(path: string): void {
  try {
    accessSync(path, constants.R_OK | constants.W_OK);
    if (statSync(path).size === 0) return; // an empty file is an empty history: nothing to mark, nothing to create
    if (!needsSweep(path)) return; // the common case: one cheap read, no full check of the file
    RunStore.open(path).close();
  } catch {
    // reported, if it matters, by the command that opens the store for its own work
  }
}

/** `{slurmJobId}` of a run launched as a Slurm job (its plan keeps the job), else nothing. */
function slurmJobIdOf(plan: unknown): { slurmJobId?: string } {
  const jobId = (plan as { slurm?: { jobId?: unknown } } | null)?.slurm?.jobId;
  return typeof jobId === 'string' ? { slurmJobId: jobId } : {};
}
