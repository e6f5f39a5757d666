/**
 * Idle and loaded power of a host's CPU packages from RAPL (/sys/class/powercap): energy counted over an
 * idle second, then over a load the caller runs (a calibrate workload). The counters are read with the same
 * `grep -H` the host sampler uses (parsed by parseRaplGrep), through a spawner, so an SSH host is read where it
 * runs. Where no counter is readable the result is the reason, said in the calibration, never a guess.
 */
import { parseRaplGrep } from '../telemetry/cpu-power.js';
import { raplEnergyBetween, type RaplReading } from '../telemetry/energy.js';
import { localSpawner, type Spawner } from '../launch/spawner.js';

/** What to measure with. */
export interface MeasurePowerOptions {
  hostId: string;
  /** Runs the loaded phase (resolves when the load ends). */
  load: () => Promise<void>;
  /** Starts the reading command (default: here). */
  spawner?: Spawner;
  idleMs?: number;
}

const root = '/sys/class/powercap';
// Without RAPL the glob stays literal and `[ -r ]` fails: nothing is printed.
const readScript = `set -- ${root}/intel-rapl:*/energy_uj ${root}/intel-rapl:*/max_energy_range_uj; [ -r "$1" ] || exit 0; grep -H '' "$@" 2>/dev/null; exit 0`;

async function readRapl(spawner: Spawner): Promise<RaplReading | null> {
  const child = spawner({ rank: 0, command: 'sh', args: ['-c', readScript], env: {} });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.resume();
  await child.exited;
  return parseRaplGrep(out.split('\n').filter(Boolean), Date.now());
}

/** Watts idle and loaded with their source, or the reason they could not be read. */
export async function measurePower(options: MeasurePowerOptions): Promise<{ idleWatts: number; loadedWatts: number; source: string } | string> {
  const spawner = options.spawner ?? localSpawner;
  const first = await readRapl(spawner);
  if (!first) return `CPU power: not readable on ${options.hostId} (no RAPL counter readable under ${root})`;
  await new Promise((resolve) => setTimeout(resolve, options.idleMs ?? 1000));
  const idleEnd = await readRapl(spawner);
  await options.load();
  const loadEnd = await readRapl(spawner);
  if (!idleEnd || !loadEnd) return `CPU power: RAPL on ${options.hostId} stopped being readable while measuring`;
  const watts = (a: RaplReading, b: RaplReading) => raplEnergyBetween(a, b) / Math.max(1e-3, (b.timestampMs - a.timestampMs) / 1000);
  return { idleWatts: watts(first, idleEnd), loadedWatts: watts(idleEnd, loadEnd), source: `RAPL ${first.domains.map((d) => d.zone).join(' + ')} (${root}), loaded = one calibrate workload` };
}
