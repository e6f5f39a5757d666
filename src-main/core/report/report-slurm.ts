/** The Slurm job of a stored run, for its report: the job (from the run's plan), its states and node trouble, and Slurm's accounting (from its events). */
import type { SlurmJobReport } from '../../../src-shared/report-schema.js';
import type { RunDetails } from '../../../src-shared/run-record.js';

const text = (value: unknown): string | null => (typeof value === 'string' ? value : null);
const num = (value: unknown): number | null => (typeof value === 'number' && Number.isFinite(value) ? value : null);

/** The job of a run launched on a Slurm cluster; undefined for any other run. */
export function slurmJobOf(details: RunDetails): SlurmJobReport | undefined {
  const job = (details.run.plan as { slurm?: { jobId?: unknown; loginHost?: unknown; script?: unknown } } | null)?.slurm;
  if (!job || typeof job.jobId !== 'string') return undefined;
  const of = (type: string) => details.events.filter((e) => e.type === type);
  const accounting = of('slurm-accounting').at(-1)?.data;
  return {
    jobId: job.jobId, loginHost: text(job.loginHost) ?? '', script: text(job.script) ?? '',
    states: of('slurm-state').map((e) => ({ atMs: e.timestampMs, state: text(e.data.state) ?? 'UNKNOWN', reason: text(e.data.reason) })),
    nodeEvents: of('slurm-node').map((e) => ({ atMs: e.timestampMs, node: text(e.data.node) ?? '', state: text(e.data.state) ?? '', reason: text(e.data.reason) })),
    accounting: accounting ? {
      source: accounting.source === 'sacct' ? 'sacct' : 'scontrol', state: text(accounting.state) ?? 'UNKNOWN',
      elapsedSeconds: num(accounting.elapsedSeconds), energyJoules: num(accounting.energyJoules),
      // runs recorded before energySource existed: no energy figure, and no claim why
      energySource: text(accounting.energySource) ?? 'not recorded', exitCode: text(accounting.exitCode),
    } : null,
  };
}
