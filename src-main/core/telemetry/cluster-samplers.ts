/**
 * Live samples of every known SSH host for the all-host view: one host sampler per saved host whose
 * last discovery succeeded (the same sampler as a run's), started and stopped as the saved hosts
 * change. Connection trouble arrives as the samplers' notices (the view shows the host unreachable).
 */
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import type { RemoteTarget } from '../ssh/target.js';
import type { KnownHostsFiles } from '../ssh/known-hosts.js';
import { startHostSampler, type HostSampler } from './host-sampler.js';

/** A host to keep sampled. */
export interface ClusterHostTarget {
  id: string;
  target: RemoteTarget;
}

/** Options of the set. */
export interface ClusterSamplersOptions {
  knownHostsFile: KnownHostsFiles;
  intervalMs: number;
  onBatch: (batch: TelemetryBatch) => void;
}

/** The samplers of the known hosts. */
export class ClusterSamplers {
  private readonly samplers = new Map<string, { key: string; sampler: HostSampler }>();

  constructor(private readonly options: ClusterSamplersOptions) {}

  /** Host ids sampled now. */
  get hostIds(): string[] {
    return [...this.samplers.keys()];
  }

  /** Samples exactly these hosts: starts new ones, stops those gone (or whose address changed). */
  sync(hosts: readonly ClusterHostTarget[]): Promise<void> {
    const stopping: Promise<void>[] = [];
    const wanted = new Map(hosts.map((h) => [h.id, h]));
    for (const [id, entry] of this.samplers) {
      const host = wanted.get(id);
      if (!host || keyOf(host.target) !== entry.key) {
        stopping.push(entry.sampler.stop());
        this.samplers.delete(id);
      }
    }
    for (const host of hosts) {
      if (this.samplers.has(host.id)) continue;
      const sampler = startHostSampler({ kind: 'ssh', target: host.target, knownHostsFile: this.options.knownHostsFile, hostId: host.id }, {
        intervalMs: this.options.intervalMs, onBatch: this.options.onBatch,
      });
      this.samplers.set(host.id, { key: keyOf(host.target), sampler });
    }
    return Promise.all(stopping).then(() => undefined);
  }

  /** Stops every sampler; resolves once nothing they started runs. */
  async close(): Promise<void> {
    const all = [...this.samplers.values()];
    this.samplers.clear();
    await Promise.all(all.map((s) => s.sampler.stop()));
  }
}

function keyOf(target: RemoteTarget): string {
  return `${target.user}@${target.host}:${target.port}`;
}
