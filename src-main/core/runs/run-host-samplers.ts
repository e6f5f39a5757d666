/**
 * The SSH hosts of a run, sampled and discovered for it: one host sampler per host (the same
 * sampler as this machine's, over SSH) for as long as the run goes, and each host's inventory,
 * kept with the run beside this machine's once every host answered (a host that could not be
 * reached is kept with its error, so the report says so).
 */
import type { HostInventory } from '../../../src-shared/inventory.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import { discoverRemoteHost } from '../inventory/remote-discovery.js';
import type { RemoteTarget } from '../ssh/target.js';
import { startHostSampler, type HostSampler } from '../telemetry/host-sampler.js';

/** What to sample. */
export interface RunHostSamplersOptions {
  targets: Record<string, RemoteTarget>;
  knownHostsFile: string;
  intervalMs: number;
  /** This machine's inventory, kept first in the run's inventory. */
  localInventory: HostInventory[];
  onBatch: (batch: TelemetryBatch) => void;
  onInventory: (hosts: HostInventory[]) => void;
  signal?: AbortSignal;
}

/** Started samplers; stop() resolves once nothing they started runs here or on the hosts. */
export interface RunHostSamplers {
  stop(): Promise<void>;
}

/** Starts sampling and discovering every target. */
export function startRunHostSamplers(options: RunHostSamplersOptions): RunHostSamplers {
  const samplers: HostSampler[] = Object.entries(options.targets).map(([hostId, target]) => startHostSampler(
    { kind: 'ssh', target, knownHostsFile: options.knownHostsFile, hostId },
    { intervalMs: options.intervalMs, onBatch: options.onBatch },
  ));
  const discovery = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, discovery.signal]) : discovery.signal;
  const discovered = Promise.all(Object.entries(options.targets).map(async ([hostId, target]) => ({
    ...(await discoverRemoteHost(target, { knownHostsFile: options.knownHostsFile, signal })), id: hostId,
  }))).then((remote) => options.onInventory([...options.localInventory, ...remote]), () => undefined);
  return {
    async stop() {
      await Promise.race([discovered, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      discovery.abort();
      await Promise.all([...samplers.map((s) => s.stop()), discovered]);
    },
  };
}
