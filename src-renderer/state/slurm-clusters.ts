/**
 * Slurm clusters offered to the Run view and the Planner: those added in this session (Hosts view),
 * and those discovered before (kept by the app), as their last discovery left them.
 */
import type { ShardScopeApi } from '../../src-shared/api/contract.js';
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

let known: Promise<void> | null = null;

/** Adds the clusters discovered before (once per page); a cluster already added in this session is left as it is. */
export function loadKnownSlurmClusters(api: ShardScopeApi): Promise<void> {
  known ??= api.knownSlurmClusters().then((list) => {
    for (const discovery of list) {
      if (slurmClusters().some((c) => c.loginHost === discovery.slurm.loginHost)) continue;
      addSlurmCluster({ loginHost: discovery.slurm.loginHost, discovery });
    }
  }, () => undefined);
  return known;
}
