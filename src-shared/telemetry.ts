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
  /** CPU package power: RAPL counters where readable (`measured`), else utilisation x TDP (`estimated`). */
  cpuPowerWatts?: number | null;
  cpuPowerSource?: 'measured' | 'estimated';
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
  /** Memory clock and the enforced power limit (absent from older samplers). */
  memoryClockMhz?: number | null;
  powerLimitWatts?: number | null;
  /** PCIe throughput from `nvidia-smi dmon -s t` (absent when the host does not report it). */
  pcieRxBytesPerSecond?: number | null;
  pcieTxBytesPerSecond?: number | null;
  /** NVLink data throughput from deltas of `nvidia-smi nvlink -gt d` counters (absent without NVLink). */
  nvlinkRxBytesPerSecond?: number | null;
  nvlinkTxBytesPerSecond?: number | null;
}

/** One process using a GPU, from `nvidia-smi --query-compute-apps` (memory null where the driver hides it). */
export interface GpuProcess {
  gpuUuid: string;
  pid: number;
  usedMemoryBytes: number | null;
  /** The process's name or path as the driver reports it (absent where it did not say). */
  name?: string;
  /** The user the process runs as (looked up on its host; absent when it could not be). */
  user?: string;
}

/** Every compute process on one host's GPUs at one moment (an empty list: none). */
export interface GpuProcessSnapshot {
  hostId: string;
  timestampMs: number;
  processes: GpuProcess[];
}

/** A batch of samples pushed to the UI. */
export interface TelemetryBatch {
  hosts: HostSample[];
  gpus: GpuSample[];
  /** Compute-process snapshots (absent from samplers or hosts without nvidia-smi). */
  gpuProcesses?: GpuProcessSnapshot[];
  /** Sampler problems (e.g. nvidia-smi stream died and is restarting), visible not hidden. */
  notices: { hostId: string; timestampMs: number; message: string }[];
}
