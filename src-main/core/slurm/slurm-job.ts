/** A job on the cluster: submit (sbatch), state (scontrol show job), cancel (scancel), accounting (sacct, else scontrol). */
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { SlurmJobAccounting, SlurmJobStatus } from '../../../src-shared/slurm.js';
import { parseScontrolRecords, parseSlurmDuration } from './slurm-parse.js';
import { runChecked, type SlurmShell } from './slurm-shell.js';

/** Submits the script at `scriptPath` (on the login host); resolves with the job id. A refusal is `bad-input` with sbatch's reason. */
export async function submitJob(shell: SlurmShell, scriptPath: string, signal?: AbortSignal): Promise<string> {
  const result = await shell.run(['sbatch', '--parsable', scriptPath], { signal });
  if (result.code !== 0) {
    const reason = (result.stderr.trim() || `exit code ${result.code}`).split('\n').pop()!.replace(/^sbatch: error: /, '');
    throw new ShardScopeError(result.code === 127 ? 'unavailable' : 'bad-input', `slurm on ${shell.loginHost}: sbatch refused the job: ${reason}`);
  }
  const jobId = result.stdout.trim().split(';')[0];
  if (!/^\d+$/.test(jobId)) throw new ShardScopeError('protocol', `slurm on ${shell.loginHost}: sbatch printed no job id: ${result.stdout.trim()}`);
  return jobId;
}

/** Expands a compressed node list (`node[1-2]`) with `scontrol show hostnames`. */
export async function expandNodeList(shell: SlurmShell, list: string, signal?: AbortSignal): Promise<string[]> {
  if (!list || list === '(null)' || list === 'None assigned') return [];
  return (await runChecked(shell, ['scontrol', 'show', 'hostnames', list], { signal })).split('\n').map((l) => l.trim()).filter(Boolean);
}

/** The job's state now. */
export async function jobStatus(shell: SlurmShell, jobId: string, signal?: AbortSignal): Promise<SlurmJobStatus> {
  const result = await shell.run(['scontrol', '-o', 'show', 'job', jobId], { signal });
  if (result.code !== 0) {
    // Gone from the controller's memory (MinJobAge passed): accounting is the only source left.
    const accounting = await jobAccounting(shell, jobId, signal);
    return { jobId, state: accounting.state, reason: null, nodes: [], exitCode: accounting.exitCode, elapsedSeconds: accounting.elapsedSeconds };
  }
  const record = parseScontrolRecords(result.stdout)[0] ?? {};
  const state = (record.JobState ?? 'UNKNOWN').split(/\s/)[0];
  return {
    jobId, state,
    reason: record.Reason && record.Reason !== 'None' ? record.Reason : null,
    nodes: await expandNodeList(shell, record.NodeList ?? '', signal),
    exitCode: record.ExitCode ?? null,
    elapsedSeconds: parseSlurmDuration(record.RunTime),
  };
}

/** Cancels the job (all its steps get SIGTERM, then SIGKILL after the cluster's KillWait). */
export async function cancelJob(shell: SlurmShell, jobId: string): Promise<void> {
  await runChecked(shell, ['scancel', jobId], { timeoutMs: 15_000 });
}

/**
 * What Slurm kept about the job: `sacct` (elapsed, ConsumedEnergy where energy accounting is
 * configured); when accounting storage is off, the controller's record (elapsed only).
 */
export async function jobAccounting(shell: SlurmShell, jobId: string, signal?: AbortSignal): Promise<SlurmJobAccounting> {
  const sacct = await shell.run(['sacct', '-j', jobId, '-X', '-n', '-P', '-o', 'JobID,State,ElapsedRaw,ConsumedEnergyRaw,ExitCode'], { signal });
  const fromSacct = sacct.code === 0 ? parseSacctJob(sacct.stdout, jobId) : null;
  if (fromSacct) return fromSacct;
  const shown = await shell.run(['scontrol', '-o', 'show', 'job', jobId], { signal });
  if (shown.code !== 0) throw new ShardScopeError('not-found', `slurm on ${shell.loginHost}: job ${jobId} is neither in sacct nor in the controller`);
  const record = parseScontrolRecords(shown.stdout)[0] ?? {};
  return { jobId, state: (record.JobState ?? 'UNKNOWN').split(/\s/)[0], elapsedSeconds: parseSlurmDuration(record.RunTime), energyJoules: null, exitCode: record.ExitCode ?? null, source: 'scontrol' };
}

/**
 * The job's line of `sacct -X -n -P -o JobID,State,ElapsedRaw,ConsumedEnergyRaw,ExitCode`, e.g.
 * `42|CANCELLED by 0|73|1520|0:15`; ConsumedEnergyRaw is empty (or 0 with no plugin reading) where
 * energy accounting is not configured: null then, never a made-up 0 J.
 */
export function parseSacctJob(text: string, jobId: string): SlurmJobAccounting | null {
  const line = text.split('\n').find((l) => l.startsWith(`${jobId}|`));
  if (!line) return null;
  const [, state, elapsed, energy, exitCode] = line.split('|');
  const energyValue = Number(energy);
  const energyJoules = energy === '' || !Number.isFinite(energyValue) || energyValue <= 0 ? null : energyValue;
  return { jobId, state: (state ?? 'UNKNOWN').split(' ')[0], elapsedSeconds: elapsed ? Number(elapsed) : null, energyJoules, exitCode: exitCode || null, source: 'sacct' };
}
