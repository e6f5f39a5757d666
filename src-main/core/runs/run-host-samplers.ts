/**
 * The SSH hosts of a run, discovered before launch (their inventory is kept with the run and the
 * placement preview reads their GPUs) and sampled for it while it goes: one host sampler per host,
 * the same sampler as this machine's, over SSH.
 */
import type { HostInventory } from '../../../src-shared/inventory.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import { discoverRemoteHost } from '../inventory/remote-discovery.js';
import type { RemoteTarget } from '../ssh/target.js';
import type { KnownHostsFiles } from '../ssh/known-hosts.js';
import { startHostSampler, type HostSampler } from '../telemetry/host-sampler.js';

/** Each target's inventory under its run host id (a host that could not be reached is kept with its error). */
export function discoverRunHosts(targets: Record<string, RemoteTarget>, knownHostsFile: KnownHostsFiles, signal?: AbortSignal): Promise<HostInventory[]> {
  return Promise.all(Object.entries(targets).map(async ([hostId, target]) => ({ ...(await discoverRemoteHost(target, { knownHostsFile, signal })), id: hostId })));
}

/** What to sample. */
export interface RunHostSamplersOptions {
  targets: Record<string, RemoteTarget>;
  knownHostsFile: KnownHostsFiles;
  intervalMs: number;
  onBatch: (batch: TelemetryBatch) => void;
}

/** Started samplers; stop() resolves once nothing they started runs here or on the hosts. */
export interface RunHostSamplers {
  stop(): Promise<void>;
}

/** Starts sampling every target. */
export function startRunHostSamplers(options: RunHostSamplersOptions): RunHostSamplers {
  const samplers: HostSampler[] = Object.entries(options.targets).map(([hostId, target]) => startHostSampler(
    { kind: 'ssh', target, knownHostsFile: options.knownHostsFile, hostId },
    { intervalMs: options.intervalMs, onBatch: options.onBatch },
  ));
  return { stop: async () => { await Promise.all(samplers.map((s) => s.stop())); } };
}
