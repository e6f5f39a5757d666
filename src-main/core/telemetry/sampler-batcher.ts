/** Collects one host's samples, process snapshots and notices between two flushes (sans-IO). */
import type { GpuProcessSnapshot, GpuSample, HostSample, TelemetryBatch } from '../../../src-shared/telemetry.js';

/** The pending part of the next batch. */
export class SampleBatcher {
  private hosts: HostSample[] = [];
  private gpus: GpuSample[] = [];
  private processes: GpuProcessSnapshot[] = [];
  private notices: TelemetryBatch['notices'] = [];

  constructor(private readonly hostId: string, private readonly now: () => number) {}

  addHost(sample: HostSample): void {
    this.hosts.push(sample);
  }

  addGpu(sample: GpuSample): void {
    this.gpus.push(sample);
  }

  addProcesses(snapshot: GpuProcessSnapshot): void {
    this.processes.push(snapshot);
  }

  /** A sampler problem, stamped now, under this host. */
  notice(message: string): void {
    this.notices.push({ hostId: this.hostId, timestampMs: this.now(), message });
  }

  /** Everything pending as one batch (null when there is nothing), and starts a new one. */
  flush(): TelemetryBatch | null {
    const batch: TelemetryBatch = { hosts: this.hosts, gpus: this.gpus, notices: this.notices, ...(this.processes.length > 0 ? { gpuProcesses: this.processes } : {}) };
    this.hosts = [];
    this.gpus = [];
    this.notices = [];
    this.processes = [];
    return batch.hosts.length + batch.gpus.length + batch.notices.length + (batch.gpuProcesses?.length ?? 0) > 0 ? batch : null;
  }
}
