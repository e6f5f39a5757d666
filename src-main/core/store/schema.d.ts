/** The store's schema as numbered migrations; `PRAGMA user_version` says which have run. */
import type Database from 'better-sqlite3';
/**
 * Samples use a narrow layout, one row per (series, time, value), clustered by series
 * (WITHOUT ROWID, primary key series + time): appends are cheap, a series' time range is one
 * contiguous index scan, and new metrics need no new columns.
 */
export declare const MIGRATIONS: readonly string[];
/** The schema version this code writes. */
export declare const SCHEMA_VERSION: number;
/** Runs the migrations the database has not seen yet, each in its own transaction. */
export declare function migrate(db: Database.Database): void;
/** The version recorded in a database (0 for a new, empty one). */
export declare function schemaVersion(db: Database.Database): number;
