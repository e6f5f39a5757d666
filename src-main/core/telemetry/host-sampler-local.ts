/**
 * This machine's sampler with the same outputs as a remote host's: the local sampler (query stream,
 * CPU, memory, NIC) plus PCIe throughput from a `dmon -s t` child, NVLink counter deltas where the
 * GPUs have NVLink, and CPU power (RAPL where readable, else estimated from utilisation x TDP).
 */
import { execFile } from 'node:child_process';
import { cpus } from 'node:os';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import { locateNvidiaSmi } from '../inventory/nvidia-smi-locate.js';
import { defaultTdpWatts } from './cpu-power.js';
import { estimateCpuPowerWatts, raplEnergyBetween, type RaplReading } from './energy.js';
import { readRapl } from './energy-rapl.js';
import { GpuLinkRates, NvlinkDeltas } from './host-sampler-merge.js';
import { childLauncher, startRestartingStream, type RestartingStream } from './host-sampler-stream.js';
import { startLocalSampler } from './local-sampler.js';
import { samplerTiming } from './sampler-timing.js';
import { DmonParser, dmonPcieArgs, pcieThroughputOf } from './smi-dmon-parse.js';
import { hasNvlinkCounters, nvlinkCounterArgs, parseNvlink } from './smi-nvlink-parse.js';
import { computeAppsArgs, parseComputeApps, withUsers } from './smi-compute-apps-parse.js';
import { localUsersOf } from './local-process-users.js';

/** Options of the local host sampler. */
export interface LocalHostSamplerOptions {
  hostId: string;
  intervalMs: number;
  onBatch: (batch: TelemetryBatch) => void;
  nvidiaSmiPath?: string;
  env?: NodeJS.ProcessEnv;
  nvlinkIntervalMs?: number;
  /** Compute processes (`--query-compute-apps`) are listed this often (default max(interval, 1 s)). */
  processIntervalMs?: number;
  cpuTdpWatts?: number;
  restartBackoffMs?: number;
  /** Where RAPL zones live (default /sys/class/powercap). */
  powercapRoot?: string;
}

/** A running local host sampler. */
export interface LocalHostSampler {
  /** Pids of the nvidia-smi children running now (query stream, dmon). */
  readonly childPids: number[];
  stop(): Promise<void>;
}

function runSmi(path: string, args: readonly string[], env: NodeJS.ProcessEnv | undefined): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(path, args, { env: env ?? process.env, timeout: 10_000, windowsHide: true }, (error, stdout) => resolve(error ? null : stdout));
  });
}

/** Starts sampling this machine. */
export function startLocalHostSampler(options: LocalHostSamplerOptions): LocalHostSampler {
  const { hostId, intervalMs } = options;
  const timing = samplerTiming(intervalMs, options);
  const { nvlinkIntervalMs } = timing;
  const linkRates = new GpuLinkRates(timing.linkRateMaxAgeMs);
  const nvlinkDeltas = new NvlinkDeltas();
  const tdpWatts = options.cpuTdpWatts ?? defaultTdpWatts(cpus().length);
  let extraNotices: TelemetryBatch['notices'] = [];
  let processSnapshots: NonNullable<TelemetryBatch['gpuProcesses']> = [];
  const notice = (message: string): void => { extraNotices.push({ hostId, timestampMs: Date.now(), message }); };

  // RAPL: read every interval; `measured` once a zone was readable, else `estimated`.
  let raplPrevious: RaplReading | null = null;
  let raplWatts: { watts: number; timestampMs: number } | null = null;
  let isRaplReadable = false;
  const readPower = async (): Promise<void> => {
    const reading = await readRapl(options.powercapRoot);
    if (!reading) { raplPrevious = null; return; }
    isRaplReadable = true;
    if (raplPrevious && reading.timestampMs > raplPrevious.timestampMs) {
      raplWatts = { watts: raplEnergyBetween(raplPrevious, reading) / ((reading.timestampMs - raplPrevious.timestampMs) / 1000), timestampMs: reading.timestampMs };
    }
    raplPrevious = reading;
  };
  let powerInFlight = readPower();
  const powerTimer = setInterval(() => { powerInFlight = powerInFlight.then(readPower); }, intervalMs);

  const base = startLocalSampler({
    hostId, intervalMs, nvidiaSmiPath: options.nvidiaSmiPath, env: options.env, restartBackoffMs: options.restartBackoffMs,
    onBatch: (batch) => {
      const hosts = batch.hosts.map((h) => {
        if (!isRaplReadable) return { ...h, cpuPowerWatts: estimateCpuPowerWatts(h.cpuUtilisationPercent, tdpWatts), cpuPowerSource: 'estimated' as const };
        const fresh = raplWatts && Math.abs(h.timestampMs - raplWatts.timestampMs) <= 2 * intervalMs ? raplWatts.watts : null;
        return { ...h, cpuPowerWatts: fresh, cpuPowerSource: 'measured' as const };
      });
      const notices = [...batch.notices, ...extraNotices];
      const gpuProcesses = processSnapshots;
      extraNotices = [];
      processSnapshots = [];
      options.onBatch({ hosts, gpus: batch.gpus.map((g) => linkRates.enrich(g)), notices, ...(gpuProcesses.length > 0 ? { gpuProcesses } : {}) });
    },
  });

  const streams: RestartingStream[] = [];
  const pids = new Map<string, number>();
  let nvlinkTimer: NodeJS.Timeout | undefined;
  let nvlinkInFlight: Promise<void> = Promise.resolve();
  let processTimer: NodeJS.Timeout | undefined;
  let processInFlight: Promise<void> = Promise.resolve();
  let isStopped = false;
  let smiPath: string | null = null;
  try {
    smiPath = locateNvidiaSmi({ explicitPath: options.nvidiaSmiPath, env: options.env })?.path ?? null;
  } catch (error) {
    if (!(error instanceof ShardScopeError)) throw error; // the base sampler already reported it
  }
  if (smiPath) {
    const path = smiPath;
    const dmon = new DmonParser();
    streams.push(startRestartingStream({
      name: 'nvidia-smi dmon', onNotice: notice, restartBackoffMs: options.restartBackoffMs,
      launch: childLauncher(path, dmonPcieArgs(intervalMs), options.env, (pid) => { if (pid) pids.set('dmon', pid); else pids.delete('dmon'); }),
      onLine: (line) => {
        const result = dmon.pushLine(line);
        const pcie = result.kind === 'row' ? pcieThroughputOf(result.row) : null;
        if (pcie) linkRates.setPcie(pcie, Date.now());
      },
    }));
    const pollNvlink = async (): Promise<boolean> => {
      const text = await runSmi(path, nvlinkCounterArgs, options.env);
      if (text === null || isStopped) return false;
      try {
        const gpus = parseNvlink(text);
        if (!hasNvlinkCounters(gpus)) return false;
        linkRates.setNvlink(nvlinkDeltas.next(gpus, Date.now()), Date.now());
        return true;
      } catch {
        nvlinkDeltas.reset();
        return false;
      }
    };
    // Which process uses which GPU: a run's energy and memory count only the GPUs its ranks use.
    const pollProcesses = async (): Promise<void> => {
      const text = await runSmi(path, computeAppsArgs, options.env);
      if (text !== null && !isStopped) {
        const processes = parseComputeApps(text);
        processSnapshots.push({ hostId, timestampMs: Date.now(), processes: withUsers(processes, localUsersOf(processes.map((p) => p.pid))) });
      }
    };
    processInFlight = pollProcesses();
    processTimer = setInterval(() => { processInFlight = processInFlight.then(pollProcesses); }, timing.processIntervalMs);
    // One probe decides whether this host has NVLink counters at all; only then is it polled.
    nvlinkInFlight = pollNvlink().then((hasNvlink) => {
      if (hasNvlink && !isStopped) nvlinkTimer = setInterval(() => { nvlinkInFlight = nvlinkInFlight.then(() => pollNvlink()).then(() => undefined); }, nvlinkIntervalMs);
    });
  }

  return {
    get childPids() {
      return [base.gpuStreamPid, ...pids.values()].filter((p): p is number => p !== undefined);
    },
    async stop() {
      isStopped = true;
      clearInterval(powerTimer);
      if (nvlinkTimer) clearInterval(nvlinkTimer);
      if (processTimer) clearInterval(processTimer);
      await Promise.all([base.stop(), ...streams.map((s) => s.stop()), nvlinkInFlight, powerInFlight, processInFlight]);
    },
  };
}
