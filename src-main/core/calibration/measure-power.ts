/**
 * Idle and loaded power of this machine's CPU packages from RAPL (/sys/class/powercap): energy
 * counted over an idle second, then over a load the caller runs (a calibrate workload). Where no
 * counter is readable the result is the reason, said in the calibration, never a guess.
 */
import { raplEnergyBetween } from '../telemetry/energy.js';
import { POWERCAP_ROOT, readRapl } from '../telemetry/energy-rapl.js';

/** What to measure with. */
export interface MeasurePowerOptions {
  hostId: string;
  /** Runs the loaded phase (resolves when the load ends). */
  load: () => Promise<void>;
  /** Powercap root (tests point it elsewhere). */
  root?: string;
  idleMs?: number;
}

/** Watts idle and loaded with their source, or the reason they could not be read. */
export async function measurePower(options: MeasurePowerOptions): Promise<{ idleWatts: number; loadedWatts: number; source: string } | string> {
  const root = options.root ?? POWERCAP_ROOT;
  const first = await readRapl(root);
  if (!first) return `not readable on ${options.hostId} (no RAPL counter readable under ${root}; GPU power is read by nvidia-smi during runs)`;
  await new Promise((resolve) => setTimeout(resolve, options.idleMs ?? 1000));
  const idleEnd = await readRapl(root);
  await options.load();
  const loadEnd = await readRapl(root);
  if (!idleEnd || !loadEnd) return `RAPL on ${options.hostId} stopped being readable while measuring`;
  const watts = (a: typeof first, b: typeof first) => raplEnergyBetween(a, b) / Math.max(1e-3, (b.timestampMs - a.timestampMs) / 1000);
  return { idleWatts: watts(first, idleEnd), loadedWatts: watts(idleEnd, loadEnd), source: `RAPL ${first.domains.map((d) => d.name).join(' + ')} (${root}), loaded = one calibrate workload` };
}
