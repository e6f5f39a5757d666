/** Slurm clusters added in this session (Hosts view), offered to the Run view: login host, partition and nodes. */
import type { SlurmDiscoveryResult } from '../../src-shared/api/slurm-contract.js';

/** One added cluster. */
export interface AddedSlurmCluster {
  loginHost: string;
  partition?: string;
  discovery: SlurmDiscoveryResult;
}

const clusters = new Map<string, AddedSlurmCluster>();
const listeners = new Set<() => void>();

/** Adds (or refreshes) a cluster, keyed by login host and partition. */
export function addSlurmCluster(cluster: AddedSlurmCluster): void {
  clusters.set(`${cluster.loginHost}|${cluster.partition ?? ''}`, cluster);
  listeners.forEach((l) => l());
}

/** Every cluster added so far. */
export function slurmClusters(): AddedSlurmCluster[] {
  return [...clusters.values()];
}

/** Calls `listener` after every change; returns the unsubscribe function. */
export function onSlurmClusters(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
