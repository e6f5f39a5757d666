/**
 * The cluster a plan is made for when it is the user's own (`plan --cluster`, "this cluster"): the
 * discovered GPUs mapped to catalogue entries by name and memory, or derived from nvidia-smi
 * (memory, power limit) over the nearest catalogue family's compute, and said so; the GPU-to-GPU link
 * from `topo -m` (NVLink pairs, else PCIe). Pure: discovery is the caller's.
 */
import type { GpuInfo, HostInventory } from '../inventory.js';
import type { GpuSpec } from '../planner/schemas.js';

/** A discovered GPU's planning spec and where each figure came from. */
export interface GpuChoice {
  catalogueId: string | null;
  spec: GpuSpec;
  source: string;
}

/** The planner's cluster for these hosts, with the notes a prediction must carry. */
export interface PlanningCluster {
  gpu: GpuSpec;
  gpus: number;
  gpusPerNode: number;
  hosts: Array<{ hostId: string; gpus: number; source: string }>;
  notes: string[];
}

function family(name: string): string | null {
  const match = /\b(a100|h100|h200|b200|v100|l40s?|a10g?|a6000|t4|rtx\s?\d{4})\b/i.exec(name);
  return match ? match[1].toLowerCase().replace(/\s/g, '') : null;
}

/** The catalogue entry of a discovered GPU (same family, memory within 15%), else a spec derived from nvidia-smi over the family's compute; null when neither is possible. */
export function gpuChoiceOf(gpu: GpuInfo, catalogue: Record<string, GpuSpec>): GpuChoice | null {
  const fam = family(gpu.name);
  if (!fam) return null;
  const sameFamily = Object.entries(catalogue).filter(([, spec]) => family(spec.name) === fam);
  const exact = sameFamily.find(([, spec]) => Math.abs(spec.memoryBytes - gpu.memoryTotalBytes) / spec.memoryBytes < 0.15);
  if (exact) return { catalogueId: exact[0], spec: exact[1], source: `catalogue ${exact[0]} (matched "${gpu.name}" by name and memory)` };
  if (sameFamily.length === 0) return null;
  const [id, base] = sameFamily[0];
  // a Slurm gres type without a probe: name and count only, so the family's first entry, said so
  if (!(gpu.memoryTotalBytes > 0)) return { catalogueId: id, spec: base, source: `catalogue ${id} (matched "${gpu.name}" by name only: memory not known, e.g. a Slurm gres type; discover --slurm --probe-gpus reads it)` };
  return {
    catalogueId: null,
    spec: { ...base, name: gpu.name, memoryBytes: gpu.memoryTotalBytes, tdpWatts: gpu.powerLimitWatts ?? base.tdpWatts },
    source: `derived: memory ${(gpu.memoryTotalBytes / 2 ** 30).toFixed(0)} GiB${gpu.powerLimitWatts ? ` and power limit ${gpu.powerLimitWatts} W` : ''} from nvidia-smi, compute and links of catalogue ${id}`,
  };
}

/** True when `topo -m` shows an NVLink between every pair of the host's GPUs. */
function hasNvlinkBetweenAll(host: HostInventory): boolean {
  const gpuLinks = host.topology?.links.filter((l) => /^GPU\d+$/.test(l.from) && /^GPU\d+$/.test(l.to) && l.from !== l.to) ?? [];
  return gpuLinks.length > 0 && gpuLinks.every((l) => l.nvlinks > 0);
}

/** The cluster of these hosts' GPUs; throws a reason when they cannot be planned for together (none, or of different kinds). */
export function planningClusterOf(hosts: HostInventory[], catalogue: Record<string, GpuSpec>): PlanningCluster {
  const withGpus = hosts.filter((h) => h.gpus.length > 0);
  if (withGpus.length === 0) throw new Error(`no GPU was discovered on ${hosts.map((h) => h.id).join(', ') || 'any host'}`);
  const notes: string[] = [];
  const choices = withGpus.map((h) => ({ host: h, choice: gpuChoiceOf(h.gpus[0], catalogue) }));
  const unknown = choices.find((c) => c.choice === null);
  if (unknown) throw new Error(`GPU "${unknown.host.gpus[0].name}" on ${unknown.host.id} is not in the catalogue and no family is known to derive it from: pass --gpu FILE`);
  const kinds = new Set(choices.map((c) => c.choice?.spec.name));
  if (kinds.size > 1) throw new Error(`hosts have different GPUs (${[...kinds].join(', ')}): the planner plans one GPU kind at a time`);
  const spec = { ...(choices[0].choice as GpuChoice).spec };
  notes.push(`GPU: ${(choices[0].choice as GpuChoice).source}`);
  const counts = withGpus.map((h) => h.gpus.length);
  const gpusPerNode = Math.min(...counts);
  if (new Set(counts).size > 1) notes.push(`hosts have ${counts.join(', ')} GPUs: planned with ${gpusPerNode} per host`);
  const topo = withGpus.every((h) => h.topology);
  if (gpusPerNode > 1 && topo) {
    const nvlink = withGpus.every(hasNvlinkBetweenAll);
    if (!nvlink && spec.intraNodeLink === 'nvlink') {
      spec.intraNodeLink = 'pcie';
      spec.intraNodeBytesPerSecond = spec.hostLinkBytesPerSecond;
      notes.push('link within a host: PCIe (topo -m shows GPU pairs without NVLink)');
    } else notes.push(`link within a host: ${nvlink ? 'NVLink between every GPU pair (topo -m)' : spec.intraNodeLink}`);
  } else if (gpusPerNode > 1) notes.push(`link within a host: catalogue's ${spec.intraNodeLink} (no topo -m)`);
  return { gpu: spec, gpus: gpusPerNode * withGpus.length, gpusPerNode, hosts: withGpus.map((h, i) => ({ hostId: h.id, gpus: h.gpus.length, source: (choices[i].choice as GpuChoice).source })), notes };
}
