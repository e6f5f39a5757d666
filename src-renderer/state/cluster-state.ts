/** The latest of everything per host for the all-host view: each GPU's last sample, its processes, the host's last notice. */
import type { GpuProcess, GpuSample, HostSample, TelemetryBatch } from '../../src-shared/telemetry.js';

/** What is known about one host now. */
export interface HostNow {
  hostId: string;
  host: HostSample | null;
  gpus: Map<number, GpuSample>;
  processes: GpuProcess[];
  processesAtMs: number | null;
  lastSampleMs: number | null;
  lastNotice: { timestampMs: number; message: string } | null;
}

/** Folds batches into the latest state per host. */
export class ClusterState {
  readonly hosts = new Map<string, HostNow>();

  /** Adds a batch (live or the recent window). */
  add(batch: TelemetryBatch): void {
    for (const h of batch.hosts) {
      const now = this.of(h.hostId);
      if (!now.host || now.host.timestampMs <= h.timestampMs) now.host = h;
      now.lastSampleMs = Math.max(now.lastSampleMs ?? 0, h.timestampMs);
    }
    for (const g of batch.gpus) {
      const now = this.of(g.hostId);
      const known = now.gpus.get(g.gpuIndex);
      if (!known || known.timestampMs <= g.timestampMs) now.gpus.set(g.gpuIndex, g);
      now.lastSampleMs = Math.max(now.lastSampleMs ?? 0, g.timestampMs);
    }
    for (const p of batch.gpuProcesses ?? []) {
      const now = this.of(p.hostId);
      if (now.processesAtMs === null || now.processesAtMs <= p.timestampMs) { now.processes = p.processes; now.processesAtMs = p.timestampMs; }
    }
    for (const n of batch.notices) {
      const now = this.of(n.hostId);
      if (!now.lastNotice || now.lastNotice.timestampMs <= n.timestampMs) now.lastNotice = { timestampMs: n.timestampMs, message: n.message };
    }
  }

  /** A host is unreachable when its newest notice is newer than its newest sample and says the connection is down. */
  unreachableReason(hostId: string, nowMs: number, staleAfterMs: number): string | null {
    const now = this.hosts.get(hostId);
    if (!now) return null;
    const notice = now.lastNotice;
    if (notice && notice.timestampMs >= (now.lastSampleMs ?? 0) && /SSH connection (failed|lost)/.test(notice.message)) return notice.message;
    if (now.lastSampleMs !== null && nowMs - now.lastSampleMs > staleAfterMs) return `no samples for ${Math.round((nowMs - now.lastSampleMs) / 1000)} s${notice ? ` (${notice.message})` : ''}`;
    return null;
  }

  private of(hostId: string): HostNow {
    let now = this.hosts.get(hostId);
    if (!now) {
      now = { hostId, host: null, gpus: new Map(), processes: [], processesAtMs: null, lastSampleMs: null, lastNotice: null };
      this.hosts.set(hostId, now);
    }
    return now;
  }
}
