/** Turns the samplers' host and GPU samples into rows of the store's series (one per metric, units in the names). */
import type { GpuSample, HostSample, TelemetryBatch } from '../../../src-shared/telemetry.js';
import { CPU_POWER_METRIC } from './run-summary.js';
import type { SeriesSample } from './series-table.js';

/** GPU metrics kept per sample; their names carry the units. */
export const GPU_METRICS = [
  'memoryUsedBytes', 'memoryTotalBytes', 'utilisationPercent', 'powerWatts', 'temperatureCelsius', 'smClockMhz',
  'pcieRxBytesPerSecond', 'pcieTxBytesPerSecond', 'nvlinkRxBytesPerSecond', 'nvlinkTxBytesPerSecond',
] as const;
/** Host metrics kept per sample. */
export const HOST_METRICS = ['cpuUtilisationPercent', 'memoryUsedBytes', 'memoryTotalBytes', 'networkRxBytesPerSecond', 'networkTxBytesPerSecond'] as const;

/** Rows of one GPU sample (a metric the GPU did not report is left out, not stored as zero). */
export function gpuSampleRows(sample: GpuSample, run: string | null): SeriesSample[] {
  const rows: SeriesSample[] = [];
  for (const metric of GPU_METRICS) {
    const value = sample[metric];
    if (value === null || value === undefined) continue;
    rows.push({ key: { run, host: sample.hostId, gpuIndex: sample.gpuIndex, metric }, source: 'measured', timestampMs: sample.timestampMs, value });
  }
  return rows;
}

/** Rows of one host sample, with CPU power (RAPL `measured`, or `estimated` from utilisation) when the sampler gave it. */
export function hostSampleRows(sample: HostSample, run: string | null): SeriesSample[] {
  const rows: SeriesSample[] = HOST_METRICS.map((metric) => ({
    key: { run, host: sample.hostId, gpuIndex: null, metric }, source: 'measured' as const, timestampMs: sample.timestampMs, value: sample[metric],
  }));
  if (typeof sample.cpuPowerWatts === 'number') {
    rows.push({
      key: { run, host: sample.hostId, gpuIndex: null, metric: CPU_POWER_METRIC }, source: sample.cpuPowerSource ?? 'estimated',
      timestampMs: sample.timestampMs, value: sample.cpuPowerWatts,
    });
  }
  return rows;
}

/** Rows of a whole telemetry batch, attributed to `run` (null outside a run). */
export function telemetryRows(batch: TelemetryBatch, run: string | null): SeriesSample[] {
  return [...batch.gpus.flatMap((s) => gpuSampleRows(s, run)), ...batch.hosts.flatMap((s) => hostSampleRows(s, run))];
}
