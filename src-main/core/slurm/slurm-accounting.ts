/**
 * What Slurm kept about a finished job: `sacct` when the cluster has accounting storage (slurmdbd),
 * else the controller's record (`scontrol show job`). Elapsed always; energy only where Slurm's
 * energy accounting is configured (AcctGatherEnergyType), and the record says which it was.
 */
import { ShardScopeError } from '../../../src-shared/errors.js';
import { TERMINAL_JOB_STATES, type SlurmJobAccounting } from '../../../src-shared/slurm.js';
import { parseScontrolRecords, parseSlurmDuration } from './slurm-parse.js';
import type { SlurmShell } from './slurm-shell.js';

/** The sacct fields read, in order (`-P`: `|`-separated, no padding). */
export const SACCT_FIELDS = 'JobID,State,ElapsedRaw,ConsumedEnergyRaw,ExitCode';

const NO_ENERGY_PLUGIN = 'acct_gather_energy/none';

/** How long to wait for slurmctld to hand the job's end to slurmdbd (it does so asynchronously). */
const SACCT_SETTLE_MS = 5000;
const SACCT_POLL_MS = 500;

/**
 * The job's accounting. With slurmdbd, sacct is asked until it has the job in a final state (up to
 * 5 s); a cluster without accounting storage (sacct refuses) gets the controller's record.
 */
export async function jobAccounting(shell: SlurmShell, jobId: string, signal?: AbortSignal): Promise<SlurmJobAccounting> {
  const energyPlugin = await energyPluginOf(shell, signal);
  const deadline = Date.now() + SACCT_SETTLE_MS;
  for (;;) {
    const sacct = await shell.run(['sacct', '-j', jobId, '-X', '-n', '-P', '-o', SACCT_FIELDS], { signal });
    if (sacct.code !== 0) break;
    const fromSacct = parseSacctJob(sacct.stdout, jobId, energyPlugin);
    if (fromSacct && TERMINAL_JOB_STATES.includes(fromSacct.state)) return fromSacct;
    if (Date.now() > deadline || signal?.aborted) break;
    await new Promise((resolve) => setTimeout(resolve, SACCT_POLL_MS));
  }
  const shown = await shell.run(['scontrol', '-o', 'show', 'job', jobId], { signal });
  if (shown.code !== 0) throw new ShardScopeError('not-found', `slurm on ${shell.loginHost}: job ${jobId} is neither in sacct nor in the controller`);
  const record = parseScontrolRecords(shown.stdout)[0] ?? {};
  return {
    jobId, state: (record.JobState ?? 'UNKNOWN').split(/\s/)[0], elapsedSeconds: parseSlurmDuration(record.RunTime), exitCode: record.ExitCode ?? null, source: 'scontrol',
    energyJoules: null,
    energySource: isEnergyConfigured(energyPlugin) ? `not accounted: ${energyPlugin} is configured but sacct has no record of the job` : notConfigured(energyPlugin),
  };
}

/** AcctGatherEnergyType of the cluster (`scontrol show config`), null when it cannot be read. */
export async function energyPluginOf(shell: SlurmShell, signal?: AbortSignal): Promise<string | null> {
  const config = await shell.run(['scontrol', 'show', 'config'], { signal }).catch(() => null);
  if (!config || config.code !== 0) return null;
  return /^AcctGatherEnergyType\s*=\s*(\S+)/m.exec(config.stdout)?.[1] ?? null;
}

function isEnergyConfigured(plugin: string | null): plugin is string {
  return plugin !== null && plugin !== NO_ENERGY_PLUGIN && plugin !== '(null)';
}

function notConfigured(plugin: string | null): string {
  return `not configured (AcctGatherEnergyType=${plugin ?? 'unknown'})`;
}

/**
 * The job's line of `sacct -X -n -P -o JobID,State,ElapsedRaw,ConsumedEnergyRaw,ExitCode`, e.g.
 * `42|CANCELLED by 0|73|1520|0:15`. Energy counts only where an energy plugin is configured and it
 * read something (ConsumedEnergyRaw is empty, or 0, otherwise): null then, never a made-up 0 J.
 */
export function parseSacctJob(text: string, jobId: string, energyPlugin: string | null): SlurmJobAccounting | null {
  const line = text.split('\n').find((l) => l.startsWith(`${jobId}|`));
  if (!line) return null;
  const [, state, elapsed, energy, exitCode] = line.split('|');
  const energyValue = Number(energy);
  const hasReading = energy !== '' && Number.isFinite(energyValue) && energyValue > 0;
  const isConfigured = isEnergyConfigured(energyPlugin);
  return {
    jobId, state: (state ?? 'UNKNOWN').split(' ')[0], elapsedSeconds: elapsed ? Number(elapsed) : null, exitCode: exitCode || null, source: 'sacct',
    energyJoules: isConfigured && hasReading ? energyValue : null,
    energySource: !isConfigured ? notConfigured(energyPlugin) : hasReading ? `measured by Slurm (${energyPlugin}, sacct ConsumedEnergyRaw)` : `not accounted: ${energyPlugin} is configured but read nothing for the job`,
  };
}
