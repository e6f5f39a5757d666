/**
 * A run's telemetry, attributed: every sampler's batches (this machine's and each SSH host's) go
 * through here while the run goes. The run's hosts and the GPUs its ranks use are stored under the
 * run and counted in its live energy; the other GPUs' samples stay in the host history only.
 * At the end the attribution is kept with the run as a `device-use` event.
 */
import { readFileSync } from 'node:fs';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import type { RankPlacement } from '../launch/placement.js';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import { DeviceUse, type RankDevice } from '../telemetry/device-use.js';
import type { StoreWriter } from '../store/index.js';
import { RunEnergyMeter } from './run-energy-meter.js';
import { DEVICE_USE_EVENT } from '../report/report-inventory.js';


/** Placements with this machine's id as its sampler names it (placements call it LOCAL_HOST_ID). */
export function rankDevicesOf(placements: readonly RankPlacement[], localHostId: string): RankDevice[] {
  return placements.map((p) => ({ rank: p.rank, device: p.device, host: p.host === LOCAL_HOST_ID ? localHostId : p.host }));
}

/** The process group of a pid on this machine (field 5 of /proc/PID/stat), null when unreadable. */
export function localProcessGroupOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const group = Number(fields[2]);
    return Number.isInteger(group) && group > 0 ? group : null;
  } catch {
    return null;
  }
}

/** Options of a run's telemetry. */
export interface RunTelemetryOptions {
  runId: string;
  ranks: RankDevice[];
  writer: StoreWriter;
  localHostId: string;
  /** Gaps longer than this are not bridged by the live energy (3 sampling intervals). */
  maxGapMs: number;
}

/** Routes batches to the run or the host history and meters the run's energy. */
export class RunTelemetry {
  readonly deviceUse: DeviceUse;
  readonly energy: RunEnergyMeter;
  private readonly rankPids = new Map<number, () => number>();
  private isFinished = false;

  constructor(private readonly options: RunTelemetryOptions) {
    this.deviceUse = new DeviceUse(options.ranks, (host, pid) => (host === options.localHostId ? localProcessGroupOf(pid) : null));
    this.energy = new RunEnergyMeter(options.maxGapMs);
  }

  /** A rank's process id, read when needed (a remote rank's pid is known only once its launcher reported it). */
  watchRank(rank: number, pidOf: () => number): void {
    this.rankPids.set(rank, pidOf);
  }

  /** Files a batch (the run's part under the run, the rest as host history); returns the run's part. */
  add(batch: TelemetryBatch): TelemetryBatch {
    if (this.isFinished) {
      this.options.writer.addTelemetry(batch, null);
      return { hosts: [], gpus: [], notices: [] };
    }
    for (const [rank, pidOf] of this.rankPids) {
      const pid = pidOf();
      if (Number.isInteger(pid) && pid > 0) this.deviceUse.setRankPid(rank, pid);
    }
    const { run, rest } = this.deviceUse.split(batch);
    this.options.writer.addTelemetry(run, this.options.runId);
    if (rest.hosts.length + rest.gpus.length > 0) this.options.writer.addTelemetry(rest, null);
    this.energy.add(run);
    return run;
  }

  /** Keeps the attribution with the run; later batches go to the host history only. */
  finish(): void {
    if (this.isFinished) return;
    this.isFinished = true;
    this.options.writer.addEvent(this.options.runId, { type: DEVICE_USE_EVENT, rank: null, timestampMs: Date.now(), ...this.deviceUse.report() });
  }
}
