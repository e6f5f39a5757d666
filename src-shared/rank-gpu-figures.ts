/**
 * A rank's GPU figures as kept with its run (the `device-use` event, the report's `rankDevices`), as
 * table cells for the report and the run page: its processes' peak GPU memory (nvidia-smi
 * --query-compute-apps), and the mean utilisation and power of the GPU it used. nvidia-smi gives those
 * two per device, so where several ranks share a GPU they say "device-level, shared by N ranks".
 */
import { formatBytes, formatNumber, formatWatts } from './units.js';

/** What a run keeps per rank (fields absent in runs recorded before they existed). */
export interface RankGpuFigures {
  gpuIndexes: number[];
  peakGpuMemoryBytes: number | null;
  meanGpuUtilisationPercent?: number | null;
  meanGpuPowerWatts?: number | null;
  gpuSharedByRanks?: number;
}

/** Column headers of the three cells. */
export const RANK_GPU_HEADERS = ['GPU memory (peak of its processes)', 'GPU utilisation (mean)', 'GPU power (mean)'] as const;

/** Where the three figures come from, for a note under the table. */
export const RANK_GPU_SOURCE_NOTE = 'GPU memory per rank: the peak of the rank\'s processes as the driver lists them (nvidia-smi --query-compute-apps). '
  + 'GPU utilisation and power: measured per device by nvidia-smi, mean over the samples while the run used the GPU; '
  + 'where several ranks share one GPU the figure is the device\'s, shared by them.';

/** The three cells of one rank: memory, utilisation, power ("–" without a GPU or a figure). */
export function rankGpuCells(figures: RankGpuFigures | undefined): [string, string, string] {
  if (!figures || figures.gpuIndexes.length === 0) return [figures?.peakGpuMemoryBytes ? formatBytes(figures.peakGpuMemoryBytes) : '–', 'no GPU', 'no GPU'];
  const shared = (figures.gpuSharedByRanks ?? 1) > 1 ? ` (device-level, shared by ${figures.gpuSharedByRanks} ranks)` : ' (device-level)';
  const utilisation = figures.meanGpuUtilisationPercent ?? null;
  const power = figures.meanGpuPowerWatts ?? null;
  return [
    figures.peakGpuMemoryBytes === null ? 'not reported by the driver' : formatBytes(figures.peakGpuMemoryBytes),
    utilisation === null ? 'no samples' : `${formatNumber(utilisation, 1)} %${shared}`,
    power === null ? 'no samples' : `${formatWatts(power)}${shared}`,
  ];
}
