/**
 * The one host sampler: this machine or an SSH host, fed by a launcher (local `sh -c` children in
 * their own process groups, or exec channels of one SSH connection), the same scripts and parsers,
 * one batcher and one reconnect supervisor. Outputs TelemetryBatches (GPU samples with PCIe/NVLink
 * rates, host samples with CPU power, compute-process snapshots, notices for every gap) once per interval.
 */
import { cpus } from 'node:os';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import type { KnownHostsFiles } from '../ssh/known-hosts.js';
import type { RemoteTarget } from '../ssh/target.js';
import { defaultTdpWatts } from './cpu-power.js';
import { SampleBatcher } from './sampler-batcher.js';
import { SamplerChannels } from './sampler-channels.js';
import { samplerScripts } from './sampler-commands.js';
import { localLauncher } from './sampler-launch-local.js';
import { sshLauncher } from './sampler-launch-ssh.js';
import type { SamplerLauncher } from './sampler-link.js';
import { LinkSupervisor } from './sampler-supervisor.js';
import { checkSampleInterval, samplerTiming } from './sampler-timing.js';

/** Which host to sample. */
export type HostSamplerTarget =
  | { kind: 'local'; hostId?: string; nvidiaSmiPath?: string; env?: NodeJS.ProcessEnv }
  | { kind: 'ssh'; target: RemoteTarget; knownHostsFile: KnownHostsFiles; hostId?: string; nvidiaSmi?: string };

/** Options common to every host sampler. */
export interface HostSamplerOptions {
  intervalMs: number;
  onBatch: (batch: TelemetryBatch) => void;
  /** Aborting stops the sampler (same as stop()). */
  signal?: AbortSignal;
  /** CPU TDP for the estimated CPU power where RAPL is unreadable (default: a rough per-core figure). */
  cpuTdpWatts?: number;
  nvlinkIntervalMs?: number;
  /** Compute processes (`--query-compute-apps`) are listed this often (default max(interval, 1 s)). */
  processIntervalMs?: number;
  /** First restart/reconnect delay, doubling up to maxBackoffMs (defaults 1 s, 30 s). */
  restartBackoffMs?: number;
  maxBackoffMs?: number;
  /** SSH only: handshake limit per attempt. */
  connectTimeoutMs?: number;
  /**
   * How long silence on every channel means a lost SSH connection (default max(3 s, 4 x interval)); a stream
   * that prints every interval and is silent for twice this long is restarted as hung (any host).
   */
  staleAfterMs?: number;
  /** Longest output line read from a sampler command (default 64 Ki characters); past it the command is stopped. */
  maxLineChars?: number;
}

/** A running host sampler. */
export interface HostSampler {
  readonly hostId: string;
  /** Whether the link is up (always, for this machine). */
  readonly isConnected: boolean;
  /** Process groups running now: local pids, or remote process-group ids on an SSH host. */
  readonly processIds: number[];
  /** Stops sampling; resolves when nothing it started is left running (locally or on the host). */
  stop(): Promise<void>;
}

function launcherOf(target: HostSamplerTarget, options: HostSamplerOptions): { hostId: string; launcher: SamplerLauncher; cpuTdpWatts: number | null } {
  if (target.kind === 'ssh') {
    return {
      hostId: target.hostId ?? target.target.id,
      launcher: sshLauncher({ target: target.target, knownHostsFile: target.knownHostsFile, nvidiaSmi: target.nvidiaSmi, connectTimeoutMs: options.connectTimeoutMs, maxLineChars: options.maxLineChars }),
      cpuTdpWatts: options.cpuTdpWatts ?? null,
    };
  }
  return {
    hostId: target.hostId ?? LOCAL_HOST_ID,
    launcher: localLauncher({ nvidiaSmiPath: target.nvidiaSmiPath, env: target.env, maxLineChars: options.maxLineChars }),
    cpuTdpWatts: options.cpuTdpWatts ?? defaultTdpWatts(cpus().length),
  };
}

/** Starts sampling one host; throws `bad-input` for a bad interval, reports everything else as notices. */
export function startHostSampler(target: HostSamplerTarget, options: HostSamplerOptions): HostSampler {
  const { intervalMs } = options;
  checkSampleInterval(intervalMs);
  const now = Date.now;
  const timing = samplerTiming(intervalMs, options);
  const restartBackoffMs = options.restartBackoffMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 30_000;
  const staleAfterMs = options.staleAfterMs ?? Math.max(3000, 4 * intervalMs);
  const { hostId, launcher, cpuTdpWatts } = launcherOf(target, options);
  const batcher = new SampleBatcher(hostId, now);
  const smiPath = 'path' in launcher.smi ? launcher.smi.path : null;
  if ('off' in launcher.smi && launcher.smi.off) batcher.notice(launcher.smi.off);

  let supervisor: LinkSupervisor;
  const channels = new SamplerChannels({
    hostId, batcher, smiPath, timing, cpuTdpWatts, restartBackoffMs, maxBackoffMs, now,
    // above the link's own silence limit, so a dropped SSH link is reported as such, not as hung streams
    silenceLimitMs: 2 * staleAfterMs,
    scripts: samplerScripts(smiPath ?? 'nvidia-smi', intervalMs, timing.nvlinkIntervalMs, timing.processIntervalMs),
    onAnyLine: () => supervisor.touch(),
    onPid: (pid, isRunning) => supervisor.onPid(pid, isRunning),
  });
  supervisor = new LinkSupervisor({
    launcher, now, restartBackoffMs, maxBackoffMs,
    staleAfterMs,
    notice: (message) => batcher.notice(message),
    onLink: (link, signal) => channels.open(link, () => supervisor.isCurrent(link), signal),
    onLost: () => channels.drop(),
  });

  const flush = (): void => {
    const batch = batcher.flush();
    if (batch) options.onBatch(batch);
  };
  const ticker = setInterval(() => { supervisor.checkStale(channels.hasChannels); flush(); }, intervalMs);
  const onAbort = (): void => { void sampler.stop(); };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  supervisor.start();

  let stopped: Promise<void> | undefined;
  const sampler: HostSampler = {
    hostId,
    get isConnected() { return supervisor.isConnected; },
    get processIds() { return supervisor.processIds; },
    stop() {
      stopped ??= (async () => {
        options.signal?.removeEventListener('abort', onAbort);
        clearInterval(ticker);
        await supervisor.stop(() => channels.stop());
        flush();
      })();
      return stopped;
    },
  };
  return sampler;
}
