/**
 * Placement as shown before launch: rank -> host -> device -> backend, and, where a host has GPUs
 * but its ranks will run on the CPU, why and what would change it. Pure: the facts about each host
 * (its GPUs, which training backend starts there, whether its PyTorch has CUDA) come in as data.
 */

/** Training backends as the user knows them. */
export type PlacementBackend = 'tfjs-node-gpu' | 'tfjs-node' | 'wasm' | 'tfjs cpu' | 'torch CUDA' | 'torch CPU';

/** Where one rank will run. */
export interface PlacementRow {
  rank: number;
  host: string;
  /** `cuda:N` or `cpu`. */
  device: string;
  backend: PlacementBackend;
}

/** Why ranks on a host run on the CPU although it has GPUs (or why something is not known yet). */
export interface PlacementNote {
  host: string;
  message: string;
}

/** The placement of a run before it starts. */
export interface PlacementPreview {
  engine: 'tfjs' | 'torch';
  rows: PlacementRow[];
  notes: PlacementNote[];
}

/** What is known about one host of the run. */
export interface PlacementHostFacts {
  host: string;
  isLocal: boolean;
  /** GPUs nvidia-smi listed on the host (0: none, or none known). */
  gpuCount: number;
  /** Built-in engine: the backend that starts there (the worker's own check), and why tfjs-node-gpu does not, if it does not. */
  tfjs?: { backend: 'tensorflow-gpu' | 'tensorflow' | 'wasm' | 'cpu'; gpuReason: string | null };
  /** Torch engine: what the host's Python reported; null when it could not be asked; absent when not asked yet. */
  torch?: { hasCuda: boolean; cudaDeviceCount: number; torchVersion: string } | null;
}

const tfjsBackendNames: Record<NonNullable<PlacementHostFacts['tfjs']>['backend'], PlacementBackend> = {
  'tensorflow-gpu': 'tfjs-node-gpu', tensorflow: 'tfjs-node', wasm: 'wasm', cpu: 'tfjs cpu',
};

/** The preview of `placements` (rank -> host) for `engine`, from what is known about each host. */
export function previewPlacement(engine: 'tfjs' | 'torch', placements: readonly { rank: number; host: string }[], facts: Record<string, PlacementHostFacts>): PlacementPreview {
  const notes: PlacementNote[] = [];
  const localRanks = new Map<string, number>();
  const rows = placements.map(({ rank, host }): PlacementRow => {
    const localRank = localRanks.get(host) ?? 0;
    localRanks.set(host, localRank + 1);
    const f = facts[host] ?? { host, isLocal: false, gpuCount: 0 };
    if (engine === 'torch') {
      const count = f.torch?.hasCuda ? Math.max(1, f.torch.cudaDeviceCount || f.gpuCount) : 0;
      return count > 0 ? { rank, host, device: `cuda:${localRank % count}`, backend: 'torch CUDA' } : { rank, host, device: 'cpu', backend: 'torch CPU' };
    }
    const backend = f.tfjs?.backend ?? 'wasm';
    // tfjs-node-gpu takes the first GPU it sees (the built-in engine does not pin ranks to GPUs)
    return backend === 'tensorflow-gpu' ? { rank, host, device: 'cuda:0', backend: 'tfjs-node-gpu' } : { rank, host, device: 'cpu', backend: tfjsBackendNames[backend] };
  });
  for (const host of localRanks.keys()) {
    const f = facts[host];
    if (!f || f.gpuCount === 0) continue;
    const onCpu = rows.filter((r) => r.host === host && r.device === 'cpu').length;
    if (onCpu === 0) continue;
    const gpus = `${host} has ${f.gpuCount} GPU${f.gpuCount === 1 ? '' : 's'} but its ${onCpu} rank${onCpu === 1 ? '' : 's'} will run on the CPU`;
    if (engine === 'tfjs') {
      const why = f.isLocal
        ? (!f.tfjs?.gpuReason || /not installed|cannot find module/i.test(f.tfjs.gpuReason) ? `tfjs-node-gpu is not installed on ${host}` : `tfjs-node-gpu does not start on ${host} (${f.tfjs.gpuReason})`)
        : `the built-in engine runs on wasm on SSH hosts (tfjs-node-gpu is not shipped to ${host})`;
      notes.push({ host, message: `${gpus}: ${why} — use the PyTorch engine${f.isLocal ? ' or install @tensorflow/tfjs-node-gpu with CUDA' : ''}` });
    } else if (f.torch === undefined) {
      notes.push({ host, message: `${host} has ${f.gpuCount} GPU${f.gpuCount === 1 ? '' : 's'}: its ranks use CUDA if the PyTorch there has it (checked at launch)` });
    } else if (f.torch === null) {
      notes.push({ host, message: `${gpus}: no Python with PyTorch answered on ${host} — install PyTorch with CUDA there or pass its Python` });
    } else {
      notes.push({ host, message: `${gpus}: PyTorch ${f.torch.torchVersion} on ${host} has no CUDA — install a CUDA build of PyTorch there` });
    }
  }
  return { engine, rows, notes };
}

/** The preview as text lines (CLI), one per rank then the notes. */
export function formatPlacement(preview: PlacementPreview): string[] {
  return [
    `placement (${preview.engine}): rank -> host -> device -> backend`,
    ...preview.rows.map((r) => `  rank ${r.rank} -> ${r.host} -> ${r.device} -> ${r.backend}`),
    ...preview.notes.map((n) => `  note: ${n.message}`),
  ];
}
