/** Placement of ranks on devices. Local runs here: CPU processes, one per rank on this host. */
import { cpus } from 'node:os';

/** Where one rank runs. */
export interface RankPlacement {
  rank: number;
  host: string;
  device: string;
}

/** Places `worldSize` ranks on this host's CPU cores, round-robin (more ranks than cores share them). */
export function placeLocalCpu(worldSize: number): RankPlacement[] {
  const cores = Math.max(1, cpus().length);
  return Array.from({ length: worldSize }, (_, rank) => ({ rank, host: 'localhost', device: `cpu:${rank % cores}` }));
}
