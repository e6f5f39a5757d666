/** The "Slurm job" part of a run in the HTML report: job, states, node trouble, Slurm's accounting, and the sbatch script. */
import type { SlurmJobReport } from '../../../src-shared/report-schema.js';
import { esc, keyValues, table } from './html-parts.js';

/** The section (only runs launched on a Slurm cluster have one). */
export function slurmJobHtml(job: SlurmJobReport): string {
  const a = job.accounting;
  const energy = !a ? '–' : a.energyJoules === null ? a.energySource : `${a.energyJoules} J (${a.energySource})`;
  const facts = keyValues([
    ['job', `${job.jobId} via ${job.loginHost}`],
    ['final state', a ? `${a.state} (exit ${a.exitCode ?? '–'})` : (job.states.at(-1)?.state ?? '–')],
    ['elapsed', a ? `${a.elapsedSeconds ?? '–'} s (${a.source})` : '–'],
    ['energy', energy],
  ]);
  const at = (ms: number) => new Date(ms).toISOString();
  const states = table(['time', 'state', 'reason'], job.states.map((s) => [at(s.atMs), s.state, s.reason ?? '']), 'slurm-states');
  const nodes = job.nodeEvents.length ? table(['time', 'node', 'state', 'reason'], job.nodeEvents.map((n) => [at(n.atMs), n.node, n.state, n.reason ?? '']), 'slurm-nodes') : '';
  return `<section class="part" data-section="slurm"><h3>Slurm job</h3>
${facts}
${states}
${nodes}
<details><summary>sbatch script</summary><pre>${esc(job.script)}</pre></details>
</section>`;
}
