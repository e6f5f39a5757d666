/** The store's schema as numbered migrations; `PRAGMA user_version` says which have run. */
import type Database from 'better-sqlite3';
import { ShardScopeError } from '../../../src-shared/errors.js';

/**
 * Samples use a narrow layout, one row per (series, time, value), clustered by series
 * (WITHOUT ROWID, primary key series + time): appends are cheap, a series' time range is one
 * contiguous index scan, and new metrics need no new columns.
 */
export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    engine TEXT NOT NULL,
    strategy_json TEXT NOT NULL,
    model_json TEXT NOT NULL,
    plan_json TEXT,
    prediction_json TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'cancelled')),
    error_json TEXT,
    started_at_ms INTEGER NOT NULL,
    ended_at_ms INTEGER,
    hosts_json TEXT NOT NULL,
    summary_json TEXT
  );
  CREATE INDEX runs_started ON runs (started_at_ms);
  CREATE TABLE ranks (
    run TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
    rank INTEGER NOT NULL,
    host TEXT NOT NULL,
    device TEXT NOT NULL,
    backend TEXT NOT NULL,
    params_on_rank INTEGER NOT NULL,
    PRIMARY KEY (run, rank)
  );
  CREATE TABLE series (
    id INTEGER PRIMARY KEY,
    run TEXT,
    host TEXT NOT NULL,
    gpu_index INTEGER,
    metric TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('measured', 'integrated', 'estimated'))
  );
  CREATE UNIQUE INDEX series_key ON series (ifnull(run, ''), host, ifnull(gpu_index, -1), metric);
  CREATE TABLE samples (
    series INTEGER NOT NULL,
    timestamp_ms INTEGER NOT NULL,
    value REAL NOT NULL,
    PRIMARY KEY (series, timestamp_ms)
  ) WITHOUT ROWID;
  CREATE TABLE events (
    id INTEGER PRIMARY KEY,
    run TEXT NOT NULL,
    rank INTEGER,
    timestamp_ms INTEGER NOT NULL,
    type TEXT NOT NULL,
    data_json TEXT NOT NULL
  );
  CREATE INDEX events_run ON events (run, type, timestamp_ms);
  `,
  // 2: `interrupted` runs (their controller died) and the controller's identity + heartbeat.
  `
  CREATE TABLE runs_v2 (
    id TEXT PRIMARY KEY,
    engine TEXT NOT NULL,
    strategy_json TEXT NOT NULL,
    model_json TEXT NOT NULL,
    plan_json TEXT,
    prediction_json TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'finished', 'failed', 'cancelled', 'interrupted')),
    error_json TEXT,
    started_at_ms INTEGER NOT NULL,
    ended_at_ms INTEGER,
    hosts_json TEXT NOT NULL,
    summary_json TEXT,
    controller_json TEXT,
    heartbeat_at_ms INTEGER
  );
  INSERT INTO runs_v2 (id, engine, strategy_json, model_json, plan_json, prediction_json, status, error_json, started_at_ms, ended_at_ms, hosts_json, summary_json)
    SELECT id, engine, strategy_json, model_json, plan_json, prediction_json, status, error_json, started_at_ms, ended_at_ms, hosts_json, summary_json FROM runs;
  DROP TABLE runs;
  ALTER TABLE runs_v2 RENAME TO runs;
  CREATE INDEX runs_started ON runs (started_at_ms);
  `,
];

/** The schema version this code writes. */
export const SCHEMA_VERSION = MIGRATIONS.length;

/** Runs the migrations the database has not seen yet, each in its own transaction. */
export function migrate(db: Database.Database): void {
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new ShardScopeError('bad-input', `store ${db.name} has schema version ${version}, newer than this ShardScope (${SCHEMA_VERSION}): update ShardScope`);
  }
  if (version === SCHEMA_VERSION) return;
  // Table rebuilds drop and rename tables other tables reference: keys are checked after, not during.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    for (let next = version; next < SCHEMA_VERSION; next += 1) {
      db.transaction(() => {
        db.exec(MIGRATIONS[next]);
        db.pragma(`user_version = ${next + 1}`);
        if ((db.pragma('foreign_key_check') as unknown[]).length > 0) throw new Error(`migration ${next + 1} broke foreign keys`);
      })();
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}

/** The version recorded in a database (0 for a new, empty one). */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}
