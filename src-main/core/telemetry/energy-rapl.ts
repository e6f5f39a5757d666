/** Reads the CPU package energy counters (RAPL) from /sys/class/powercap, where the kernel lets us. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RaplDomainReading, RaplReading } from './energy.js';

/** The default powercap root. */
export const POWERCAP_ROOT = '/sys/class/powercap';

/** Top-level zones only (`intel-rapl:0`); sub-zones such as `intel-rapl:0:0` (cores) are inside the package figure. */
const packageZone = /^intel-rapl:\d+$/;

async function readNumber(path: string): Promise<number> {
  const value = Number((await readFile(path, 'utf8')).trim());
  if (!Number.isFinite(value)) throw new Error(`${path}: not a number`);
  return value;
}

async function readZone(root: string, zone: string): Promise<RaplDomainReading | null> {
  try {
    const dir = join(root, zone);
    const [name, energyMicrojoules, maxEnergyRangeMicrojoules] = await Promise.all([
      readFile(join(dir, 'name'), 'utf8').then((text) => text.trim()).catch(() => zone),
      readNumber(join(dir, 'energy_uj')),
      readNumber(join(dir, 'max_energy_range_uj')),
    ]);
    return { zone, name, energyMicrojoules, maxEnergyRangeMicrojoules };
  } catch {
    // energy_uj is root-only on current kernels: an unreadable zone is simply not measured
    return null;
  }
}

/**
 * Reads every readable package zone under `root`. Returns null when none is readable
 * (no RAPL, another CPU vendor's driver, or no permission): the caller then estimates.
 */
export async function readRapl(root: string = POWERCAP_ROOT, now: () => number = Date.now): Promise<RaplReading | null> {
  let entries: string[];
  try {
    entries = await readdir(root);
  } catch {
    return null;
  }
  const zones = entries.filter((entry) => packageZone.test(entry)).sort();
  const timestampMs = now();
  const domains = (await Promise.all(zones.map((zone) => readZone(root, zone)))).filter((d): d is RaplDomainReading => d !== null);
  return domains.length > 0 ? { timestampMs, domains } : null;
}
