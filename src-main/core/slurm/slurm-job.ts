/** A job on the cluster: submit (sbatch), state (scontrol show job), cancel (scancel). Accounting is slurm-accounting.ts. */
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { SlurmJobStatus } from '../../../src-shared/slurm.js';
import { jobAccounting } from './slurm-accounting.js';
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
