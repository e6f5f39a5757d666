/**
 * Calibrations in the SQLite store: one row per measurement (calibrate or a run that refined it),
 * never overwritten, so the previous figures stay and the latest per host is what predictions read.
 * The table is created on first use (its own small schema, next to the runs').
 */
import type Database from 'better-sqlite3';
import type { HostCalibration } from '../../../src-shared/calibration/calibration-record.js';

/** Reads and appends calibrations. */
export class CalibrationStore {
  constructor(private readonly db: Database.Database) {
    if (!db.readonly) {
      db.exec(`CREATE TABLE IF NOT EXISTS calibrations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        host_id TEXT NOT NULL,
        measured_at_ms INTEGER NOT NULL,
        record_json TEXT NOT NULL
      );
      CREATE INDEX IF NOT EXISTS calibrations_host ON calibrations (host_id, measured_at_ms);`);
    }
  }

  private hasTable(): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'calibrations'").get() !== undefined;
  }

  /** Appends a calibration; returns it with its id. */
  add(record: HostCalibration): HostCalibration {
    const { id: _ignored, ...rest } = record;
    const info = this.db.prepare('INSERT INTO calibrations (host_id, measured_at_ms, record_json) VALUES (?, ?, ?)').run(record.hostId, record.measuredAtMs, JSON.stringify(rest));
    return { ...rest, id: Number(info.lastInsertRowid) };
  }

  /** The newest calibration of a host, or null. */
  latest(hostId: string): HostCalibration | null {
    if (!this.hasTable()) return null;
    const row = this.db.prepare('SELECT id, record_json FROM calibrations WHERE host_id = ? ORDER BY measured_at_ms DESC, id DESC LIMIT 1').get(hostId) as { id: number; record_json: string } | undefined;
    return row ? { ...(JSON.parse(row.record_json) as HostCalibration), id: row.id } : null;
  }

  /** Every calibration of a host, newest first (history: what changed, when, from what). */
  history(hostId: string): HostCalibration[] {
    if (!this.hasTable()) return [];
    const rows = this.db.prepare('SELECT id, record_json FROM calibrations WHERE host_id = ? ORDER BY measured_at_ms DESC, id DESC').all(hostId) as Array<{ id: number; record_json: string }>;
    return rows.map((row) => ({ ...(JSON.parse(row.record_json) as HostCalibration), id: row.id }));
  }
}
