/**
 * Which GPUs a run uses, sans-IO: a GPU is the run's when a rank is placed on it (`cuda:N` on its
 * host) or when `nvidia-smi --query-compute-apps` lists a rank's process on it. Everything else on
 * the run's hosts is "not used by this run": its power, energy and memory are not the run's.
 */
import type { GpuProcessSnapshot, TelemetryBatch } from '../../../src-shared/telemetry.js';

/** Where one rank runs (host ids as the samplers name the hosts). */
export interface RankDevice {
  rank: number;
  host: string;
  /** `cpu:N` or `cuda:N` (physical GPU index on the host). */
  device: string;
}

/** How a GPU came to count as the run's. */
export type GpuUseReason = 'placement' | 'process';

/** One GPU of a run's host and whether the run uses it. */
export interface GpuUse {
  host: string;
  gpuIndex: number;
  gpuUuid: string | null;
  isUsed: boolean;
  /** Ranks placed on it or seen on it as processes. */
  ranks: number[];
  via: GpuUseReason[];
}

/** One rank's device and the GPU memory its processes held at most (compute-apps), where the driver said. */
export interface RankUse {
  rank: number;
  host: string;
  device: string;
  gpuIndexes: number[];
  peakGpuMemoryBytes: number | null;
  /**
   * Mean utilisation and mean power of the GPU(s) the rank used, over the samples taken while the run
   * used them: device-level figures (nvidia-smi reports them per GPU, not per process); null without samples.
   */
  meanGpuUtilisationPercent: number | null;
  meanGpuPowerWatts: number | null;
  /** Ranks of this run on the rank's GPU (the most shared, with several): above 1, the two figures above are shared. */
  gpuSharedByRanks: number;
}

/** Sums of one GPU's samples while the run used it. */
interface GpuSums {
  utilisationPercent: number;
  utilisationCount: number;
  powerWatts: number;
  powerCount: number;
}

/** The attribution of one run, as kept with it (the `device-use` event). */
export interface DeviceUseReport {
  hosts: string[];
  gpus: GpuUse[];
  ranks: RankUse[];
}

/** Learns from samples which GPUs a run's ranks use; splits batches into the run's part and the rest. */
export class DeviceUse {
  private readonly hosts: Set<string>;
  private readonly gpus = new Map<string, GpuUse>();
  private readonly uuids = new Map<string, { host: string; gpuIndex: number }>();
  private readonly pids = new Map<string, number>();
  private readonly peaks = new Map<number, number>();
  private readonly sums = new Map<string, GpuSums>();

  /**
   * `groupOf(host, pid)` answers the process group of a pid where it can be read (this machine's
   * /proc), so a rank's child process on a GPU counts as the rank's.
   */
  constructor(private readonly ranks: readonly RankDevice[], private readonly groupOf: (host: string, pid: number) => number | null = () => null) {
    this.hosts = new Set(ranks.map((r) => r.host));
    for (const r of ranks) {
      const gpu = /^cuda:(\d+)$/.exec(r.device);
      if (gpu) this.mark(r.host, Number(gpu[1]), null, r.rank, 'placement');
    }
  }

  /** A rank's device learnt at launch (e.g. the torch engine found CUDA on its host): `cuda:N` makes GPU N the run's. */
  place(rank: number, device: string): void {
    const r = this.ranks.find((x) => x.rank === rank);
    const gpu = /^cuda:(\d+)$/.exec(device);
    if (r && gpu) this.mark(r.host, Number(gpu[1]), null, rank, 'placement');
  }

  /** The process id of a rank on its host, once known (remote ranks learn theirs after start). */
  setRankPid(rank: number, pid: number): void {
    const r = this.ranks.find((x) => x.rank === rank);
    if (r && pid > 0) this.pids.set(`${r.host}/${pid}`, rank);
  }

  /** Whether the run uses this GPU. */
  isUsed(host: string, gpuIndex: number): boolean {
    return this.gpus.get(`${host}/${gpuIndex}`)?.isUsed ?? false;
  }

  /** Learns GPU uuids and the ranks' processes from a batch. */
  observe(batch: TelemetryBatch): void {
    for (const g of batch.gpus) {
      if (!this.hosts.has(g.hostId)) continue;
      if (g.gpuUuid) this.uuids.set(`${g.hostId}/${g.gpuUuid}`, { host: g.hostId, gpuIndex: g.gpuIndex });
      const known = this.gpus.get(`${g.hostId}/${g.gpuIndex}`);
      if (known) known.gpuUuid ??= g.gpuUuid || null;
      else this.gpus.set(`${g.hostId}/${g.gpuIndex}`, { host: g.hostId, gpuIndex: g.gpuIndex, gpuUuid: g.gpuUuid || null, isUsed: false, ranks: [], via: [] });
    }
    for (const snapshot of batch.gpuProcesses ?? []) this.observeProcesses(snapshot);
    for (const g of batch.gpus) {
      if (!this.hosts.has(g.hostId) || !this.isUsed(g.hostId, g.gpuIndex)) continue;
      const key = `${g.hostId}/${g.gpuIndex}`;
      const sums = this.sums.get(key) ?? { utilisationPercent: 0, utilisationCount: 0, powerWatts: 0, powerCount: 0 };
      if (g.utilisationPercent !== null) { sums.utilisationPercent += g.utilisationPercent; sums.utilisationCount += 1; }
      if (g.powerWatts !== null) { sums.powerWatts += g.powerWatts; sums.powerCount += 1; }
      this.sums.set(key, sums);
    }
  }

  /** The run's part of a batch (its hosts' samples, its GPUs' samples) and the rest (kept as host history). */
  split(batch: TelemetryBatch): { run: TelemetryBatch; rest: TelemetryBatch } {
    this.observe(batch);
    const isRunGpu = (g: TelemetryBatch['gpus'][number]) => this.hosts.has(g.hostId) && this.isUsed(g.hostId, g.gpuIndex);
    return {
      run: { hosts: batch.hosts.filter((h) => this.hosts.has(h.hostId)), gpus: batch.gpus.filter(isRunGpu), notices: batch.notices.filter((n) => this.hosts.has(n.hostId)) },
      rest: { hosts: batch.hosts.filter((h) => !this.hosts.has(h.hostId)), gpus: batch.gpus.filter((g) => !isRunGpu(g)), notices: [] },
    };
  }

  /** What the run used, for its record and report. */
  report(): DeviceUseReport {
    const gpus = [...this.gpus.values()].sort((a, b) => a.host.localeCompare(b.host) || a.gpuIndex - b.gpuIndex);
    return {
      hosts: [...this.hosts],
      gpus: gpus.map((g) => ({ ...g, ranks: [...g.ranks].sort((a, b) => a - b), via: [...g.via] })),
      ranks: this.ranks.map((r) => {
        const own = gpus.filter((g) => g.host === r.host && g.ranks.includes(r.rank));
        return {
          rank: r.rank, host: r.host, device: r.device,
          gpuIndexes: own.map((g) => g.gpuIndex),
          peakGpuMemoryBytes: this.peaks.get(r.rank) ?? null,
          ...this.deviceFigures(own),
        };
      }),
    };
  }

  /** Utilisation (mean over the GPUs) and power (their sum) of a rank's GPUs, and how many ranks share them. */
  private deviceFigures(own: GpuUse[]): Pick<RankUse, 'meanGpuUtilisationPercent' | 'meanGpuPowerWatts' | 'gpuSharedByRanks'> {
    const sums = own.map((g) => this.sums.get(`${g.host}/${g.gpuIndex}`)).filter((x): x is GpuSums => x !== undefined);
    const utilisations = sums.filter((x) => x.utilisationCount > 0).map((x) => x.utilisationPercent / x.utilisationCount);
    const powers = sums.filter((x) => x.powerCount > 0).map((x) => x.powerWatts / x.powerCount);
    return {
      meanGpuUtilisationPercent: utilisations.length > 0 ? utilisations.reduce((a, b) => a + b, 0) / utilisations.length : null,
      meanGpuPowerWatts: powers.length > 0 ? powers.reduce((a, b) => a + b, 0) : null,
      gpuSharedByRanks: Math.max(0, ...own.map((g) => g.ranks.length)),
    };
  }

  private observeProcesses(snapshot: GpuProcessSnapshot): void {
    if (!this.hosts.has(snapshot.hostId)) return;
    const memoryByRank = new Map<number, number>();
    for (const p of snapshot.processes) {
      const rank = this.pids.get(`${snapshot.hostId}/${p.pid}`) ?? this.pids.get(`${snapshot.hostId}/${this.groupOf(snapshot.hostId, p.pid) ?? -1}`);
      if (rank === undefined) continue;
      const gpu = this.uuids.get(`${snapshot.hostId}/${p.gpuUuid}`);
      if (gpu) this.mark(gpu.host, gpu.gpuIndex, p.gpuUuid, rank, 'process');
      if (p.usedMemoryBytes !== null) memoryByRank.set(rank, (memoryByRank.get(rank) ?? 0) + p.usedMemoryBytes);
    }
    for (const [rank, bytes] of memoryByRank) this.peaks.set(rank, Math.max(this.peaks.get(rank) ?? 0, bytes));
  }

  private mark(host: string, gpuIndex: number, gpuUuid: string | null, rank: number, reason: GpuUseReason): void {
    const key = `${host}/${gpuIndex}`;
    const gpu = this.gpus.get(key) ?? { host, gpuIndex, gpuUuid, isUsed: false, ranks: [], via: [] };
    gpu.isUsed = true;
    if (!gpu.ranks.includes(rank)) gpu.ranks.push(rank);
    if (!gpu.via.includes(reason)) gpu.via.push(reason);
    gpu.gpuUuid ??= gpuUuid;
    this.gpus.set(key, gpu);
  }
}
