/**
 * "A sampler per host", uniformly: this machine or an SSH host, the same TelemetryBatch outputs
 * (GPU samples with PCIe/NVLink rates, host samples with CPU power, notices for every gap).
 */
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import type { RemoteTarget } from '../ssh/target.js';
import { startLocalHostSampler } from './host-sampler-local.js';
import { startRemoteSampler } from './remote-sampler.js';

/** Which host to sample. */
export type HostSamplerTarget =
  | { kind: 'local'; hostId?: string; nvidiaSmiPath?: string; env?: NodeJS.ProcessEnv }
  | { kind: 'ssh'; target: RemoteTarget; knownHostsFile: string; hostId?: string; nvidiaSmi?: string };

/** Options common to every host sampler. */
export interface HostSamplerOptions {
  intervalMs: number;
  onBatch: (batch: TelemetryBatch) => void;
  /** Aborting stops the sampler (same as stop()). */
  signal?: AbortSignal;
  cpuTdpWatts?: number;
  nvlinkIntervalMs?: number;
  restartBackoffMs?: number;
  maxBackoffMs?: number;
  /** SSH only: handshake limit per attempt, and how long silence means a lost connection. */
  connectTimeoutMs?: number;
  staleAfterMs?: number;
}

/** A running host sampler. */
export interface HostSampler {
  readonly hostId: string;
  /** Local nvidia-smi children running now (local target; remote process groups for an SSH target). */
  readonly processIds: number[];
  /** Stops sampling; resolves when nothing it started is left running (locally or on the host). */
  stop(): Promise<void>;
}

/** Starts sampling one host; throws `bad-input` for a bad interval, reports everything else as notices. */
export function startHostSampler(target: HostSamplerTarget, options: HostSamplerOptions): HostSampler {
  if (!Number.isFinite(options.intervalMs) || options.intervalMs < 50) {
    throw new ShardScopeError('bad-input', `sample interval must be at least 50 ms, got ${options.intervalMs}`);
  }
  if (target.kind === 'ssh') {
    const hostId = target.hostId ?? target.target.id;
    const remote = startRemoteSampler({ ...options, target: target.target, knownHostsFile: target.knownHostsFile, hostId, nvidiaSmi: target.nvidiaSmi });
    return { hostId, get processIds() { return remote.remotePids; }, stop: () => remote.stop() };
  }
  const hostId = target.hostId ?? LOCAL_HOST_ID;
  const local = startLocalHostSampler({ ...options, hostId, nvidiaSmiPath: target.nvidiaSmiPath, env: target.env });
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopped ??= local.stop());
  options.signal?.addEventListener('abort', () => { void stop(); }, { once: true });
  return { hostId, get processIds() { return local.childPids; }, stop };
}
