/** A run's `spans` and `run-start` events straight from the events table (the timeline reads all of them, not the latest N). */
import type { StoredEvent } from '../../../src-shared/run-record.js';
import type { RunStore } from './run-store.js';

/** The range of traced steps of a run (null when it recorded no spans). */
export function tracedStepRange(store: RunStore, runId: string): { firstStep: number; lastStep: number } | null {
  const row = store.db.prepare(`SELECT min(json_extract(data_json, '$.step')) AS firstStep, max(json_extract(data_json, '$.step')) AS lastStep
    FROM events WHERE run = ? AND type = 'spans'`).get(runId) as { firstStep: number | null; lastStep: number | null };
  return row.firstStep === null || row.lastStep === null ? null : { firstStep: row.firstStep, lastStep: row.lastStep };
}

/** The events the timeline needs, in time order; `fromStep`/`toStep` bound the spans events read. */
export function spanEventsOf(store: RunStore, runId: string, fromStep = 0, toStep = Number.MAX_SAFE_INTEGER): StoredEvent[] {
  const rows = store.db.prepare(`SELECT rank, timestamp_ms AS timestampMs, type, data_json FROM events
    WHERE run = ? AND (type = 'run-start' OR (type = 'spans' AND json_extract(data_json, '$.step') BETWEEN ? AND ?))
    ORDER BY timestamp_ms, id`).all(runId, fromStep, toStep) as { rank: number | null; timestampMs: number; type: string; data_json: string }[];
  return rows.map((row) => ({ rank: row.rank, timestampMs: row.timestampMs, type: row.type, data: JSON.parse(row.data_json) as Record<string, unknown> }));
}
