/**
 * Live telemetry of this machine: a host sample (CPU, memory, network bytes/s) every interval, and
 * GPU samples from a streaming nvidia-smi child when nvidia-smi exists. One batch per interval.
 */
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { GpuSample, HostSample, TelemetryBatch } from '../../../src-shared/telemetry.js';
import { locateNvidiaSmi } from '../inventory/nvidia-smi-locate.js';
import { startGpuStream, type GpuStream } from './gpu-stream.js';
import { readHost, utilisationBetween, type HostReading } from './host-reader.js';
import { checkSampleInterval } from './sampler-timing.js';

/** Options of the local sampler. */
export interface LocalSamplerOptions {
  hostId: string;
  /** Sampling interval (default 1000 ms). */
  intervalMs?: number;
  nvidiaSmiPath?: string;
  env?: NodeJS.ProcessEnv;
  onBatch: (batch: TelemetryBatch) => void;
  /** First restart delay of a dead nvidia-smi stream (default 1000 ms). */
  restartBackoffMs?: number;
}

/** A running sampler. */
export interface LocalSampler {
  /** Process id of the nvidia-smi stream child, if one runs. */
  readonly gpuStreamPid: number | undefined;
  /** Stops sampling; resolves when no child process is left. */
  stop(): Promise<void>;
}

function hostSample(hostId: string, before: HostReading, after: HostReading): HostSample {
  const seconds = Math.max(0.001, (after.timestampMs - before.timestampMs) / 1000);
  return {
    hostId,
    timestampMs: after.timestampMs,
    cpuUtilisationPercent: utilisationBetween(before, after),
    memoryUsedBytes: after.memoryUsedBytes,
    memoryTotalBytes: after.memoryTotalBytes,
    networkRxBytesPerSecond: Math.max(0, (after.rxBytes - before.rxBytes) / seconds),
    networkTxBytesPerSecond: Math.max(0, (after.txBytes - before.txBytes) / seconds),
  };
}

/** Starts sampling this machine; the first batch comes one interval after start. */
export function startLocalSampler(options: LocalSamplerOptions): LocalSampler {
  const intervalMs = options.intervalMs ?? 1000;
  checkSampleInterval(intervalMs);
  const { hostId } = options;
  let pendingGpus: GpuSample[] = [];
  let pendingNotices: TelemetryBatch['notices'] = [];
  const notice = (message: string) => pendingNotices.push({ hostId, timestampMs: Date.now(), message });

  let gpuStream: GpuStream | undefined;
  try {
    const location = locateNvidiaSmi({ explicitPath: options.nvidiaSmiPath, env: options.env });
    if (location) {
      gpuStream = startGpuStream({
        smiPath: location.path, hostId, intervalMs, restartBackoffMs: options.restartBackoffMs, env: options.env,
        onSample: (sample) => pendingGpus.push(sample),
        onNotice: notice,
      });
    }
  } catch (error) {
    if (!(error instanceof ShardScopeError)) throw error;
    notice(`GPU telemetry off: ${error.message}`);
  }

  let isStopped = false;
  let previous: HostReading | undefined;
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();

  async function tick(): Promise<void> {
    let reading: HostReading | undefined;
    try {
      reading = await readHost();
    } catch (error) {
      notice(`host counters unreadable: ${error instanceof Error ? error.message : String(error)}`);
    }
    if (isStopped) return;
    const hosts = reading && previous ? [hostSample(hostId, previous, reading)] : [];
    if (reading) previous = reading;
    const batch: TelemetryBatch = { hosts, gpus: pendingGpus, notices: pendingNotices };
    pendingGpus = [];
    pendingNotices = [];
    if (batch.hosts.length + batch.gpus.length + batch.notices.length > 0) options.onBatch(batch);
  }

  function schedule(): void {
    timer = setTimeout(() => {
      inFlight = tick().finally(() => { if (!isStopped) schedule(); });
    }, intervalMs);
  }

  // Prime the counters so the first batch already has rates.
  inFlight = readHost().then((r) => { previous = r; }, () => undefined);
  schedule();

  return {
    get gpuStreamPid() {
      return gpuStream?.pid;
    },
    async stop() {
      isStopped = true;
      if (timer) clearTimeout(timer);
      await inFlight;
      await gpuStream?.stop();
    },
  };
}
