/** The inventory section of a run: the hosts recorded with it (an `inventory` event), else what its ranks say. */
import type { HostInventory } from '../../../src-shared/inventory.js';
import type { RankRecord, StoredEvent } from '../../../src-shared/run-record.js';
import type { ReportHost, RunReport } from '../../../src-shared/report-schema.js';

/** Event type under which a run keeps the inventory of its hosts: `{type: 'inventory', hosts: HostInventory[]}`. */
export const INVENTORY_EVENT = 'inventory';
/** Event type under which a run keeps which devices it used (see runs/run-telemetry.ts). */
export const DEVICE_USE_EVENT = 'device-use';

/** A run's recorded attribution: per host/GPU index the ranks that used it; per rank its devices. */
interface DeviceUseData {
  gpus: { host: string; gpuIndex: number; isUsed: boolean; ranks: number[] }[];
  ranks: NonNullable<RunReport['rankDevices']>;
}

/** The last `device-use` event of a run, or null (runs recorded before it existed). */
export function deviceUseOf(events: StoredEvent[]): DeviceUseData | null {
  const event = events.filter((e) => e.type === DEVICE_USE_EVENT).at(-1);
  if (!event || !Array.isArray(event.data.gpus) || !Array.isArray(event.data.ranks)) return null;
  return { gpus: event.data.gpus as DeviceUseData['gpus'], ranks: event.data.ranks as DeviceUseData['ranks'] };
}

/** Event type of one measured link bandwidth: `{type: 'bandwidth', from, to, kind, bytesPerSecond}`. */
export const BANDWIDTH_EVENT = 'bandwidth';

function hostOf(host: HostInventory, use: DeviceUseData | null): ReportHost {
  const useOf = (index: number) => use?.gpus.find((g) => g.host === host.id && g.gpuIndex === index);
  return {
    id: host.id,
    hostname: host.hostname,
    cpuModel: host.cpu?.model ?? null,
    logicalCores: host.cpu?.logicalCores ?? null,
    memoryBytes: host.memoryBytes ?? null,
    gpus: (host.gpus ?? []).map((g) => ({
      index: g.index, name: g.name, memoryTotalBytes: g.memoryTotalBytes, powerLimitWatts: g.powerLimitWatts,
      pcieGeneration: g.pcieGeneration, pcieWidth: g.pcieWidth,
      // with an attribution, a GPU it does not list was never used by the run's ranks
      usedByRun: use ? (useOf(g.index)?.isUsed ?? false) : null, ranks: useOf(g.index)?.ranks ?? [],
    })),
    // each pair once, self links left out
    links: (host.topology?.links ?? []).filter((l) => l.from < l.to).map((l) => ({ from: l.from, to: l.to, connection: l.connection })),
    devices: (host.devices ?? []).map((d) => ({ id: d.id, kind: d.kind, name: d.name })),
  };
}

function hostsFromRanks(ranks: RankRecord[], hostIds: string[]): ReportHost[] {
  const ids = [...new Set([...hostIds, ...ranks.map((r) => r.host)])];
  return ids.map((id) => ({
    id, hostname: id, cpuModel: null, logicalCores: null, memoryBytes: null, gpus: [], links: [],
    devices: [...new Set(ranks.filter((r) => r.host === id).map((r) => r.device))].map((device) => ({ id: device, kind: device.startsWith('gpu') ? 'gpu' : 'cpu', name: device })),
  }));
}

/** The hosts, links and measured bandwidth of a run. */
export function inventoryOf(events: StoredEvent[], ranks: RankRecord[], hostIds: string[]): RunReport['inventory'] {
  const recorded = events.filter((e) => e.type === INVENTORY_EVENT).at(-1);
  const measuredBandwidth = events.filter((e) => e.type === BANDWIDTH_EVENT).map((e) => ({
    from: String(e.data.from), to: String(e.data.to), kind: String(e.data.kind ?? 'link'), bytesPerSecond: Number(e.data.bytesPerSecond),
  })).filter((b) => Number.isFinite(b.bytesPerSecond));
  const hosts = recorded && Array.isArray(recorded.data.hosts) ? (recorded.data.hosts as HostInventory[]) : null;
  const use = deviceUseOf(events);
  if (hosts) return { hosts: hosts.map((h) => hostOf(h, use)), measuredBandwidth, origin: 'recorded' };
  return { hosts: hostsFromRanks(ranks, hostIds), measuredBandwidth, origin: 'ranks' };
}
