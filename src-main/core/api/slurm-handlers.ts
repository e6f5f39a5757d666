/** Main-side handlers of the Slurm calls: the Slurm run service behind the contract's validated arguments. */
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import { knownSlurmClusters } from '../slurm/known-slurm-nodes.js';
import type { SlurmRunService } from '../slurm/slurm-run-service.js';

/** The Slurm part of the handler table; `knownClustersFile` is slurm-clusters.json. */
export function slurmHandlers(slurm: SlurmRunService, knownClustersFile: string): Pick<ApiHandlers, 'discoverSlurm' | 'knownSlurmClusters' | 'previewSlurmJob' | 'startSlurmRun'> {
  return {
    discoverSlurm: (args) => slurm.discover(args),
    knownSlurmClusters: async () => knownSlurmClusters(knownClustersFile),
    previewSlurmJob: (request) => slurm.preview(request),
    startSlurmRun: (request) => slurm.start(request),
  };
}
