/** Main-side handlers of the Slurm calls: the Slurm run service behind the contract's validated arguments. */
import type { ApiHandlers } from '../../../src-shared/api/contract.js';
import type { SlurmRunService } from '../slurm/slurm-run-service.js';

/** The Slurm part of the handler table. */
export function slurmHandlers(slurm: SlurmRunService): Pick<ApiHandlers, 'discoverSlurm' | 'previewSlurmJob' | 'startSlurmRun'> {
  return {
    discoverSlurm: (args) => slurm.discover(args),
    previewSlurmJob: (request) => slurm.preview(request),
    startSlurmRun: (request) => slurm.start(request),
  };
}
