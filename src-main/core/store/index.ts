/** The run store: open it, write to it live through a StoreWriter, read runs, series and energy back. */
export { defaultStorePath, openStoreDatabase, type OpenStoreOptions } from './open-store.js';
export { RunStore, sweepInterruptedRuns, type EventInput, type RunEnd, type StoreBatch } from './run-store.js';
export { StoreWriter, type FlushInfo, type StoreWriterOptions } from './store-writer.js';
export { SeriesTable, type SeriesQuery, type SeriesSample } from './series-table.js';
export { CPU_POWER_METRIC, GPU_POWER_METRIC } from './run-summary.js';
export { gpuSampleRows, hostSampleRows, telemetryRows } from './telemetry-rows.js';
export { SCHEMA_VERSION } from './schema.js';
