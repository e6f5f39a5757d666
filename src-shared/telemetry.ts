/** Live samples, with units in their names and where each value came from. */

/** Where a value came from: a sensor/counter, power integrated over time, or a model. */
export type SampleSource = 'measured' | 'integrated' | 'estimated';

/** One host-level sample (CPU, memory, network). */
export interface HostSample {
  hostId: string;
  timestampMs: number;
  cpuUtilisationPercent: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  networkRxBytesPerSecond: number;
  networkTxBytesPerSecond: number;
}

/** One GPU-level sample from the nvidia-smi stream. */
export interface GpuSample {
  hostId: string;
  gpuIndex: number;
  gpuUuid: string;
  timestampMs: number;
  memoryUsedBytes: number;
  memoryTotalBytes: number;
  utilisationPercent: number | null;
  powerWatts: number | null;
  temperatureCelsius: number | null;
  smClockMhz: number | null;
}

/** A batch of samples pushed to the UI. */
export interface TelemetryBatch {
  hosts: HostSample[];
  gpus: GpuSample[];
  /** Sampler problems (e.g. nvidia-smi stream died and is restarting), visible not hidden. */
  notices: { hostId: string; timestampMs: number; message: string }[];
}
