/**
 * A plan as an sbatch script (pure): the job's resources and limits as #SBATCH lines, the
 * rendezvous on the allocation's first node, and one `srun` step whose tasks are the ranks. Each
 * task maps Slurm's ids to the engine's (RANK = SLURM_PROCID, WORLD_SIZE = SLURM_NTASKS,
 * LOCAL_RANK = SLURM_LOCALID), writes its output to rank-N.out/.err in the job folder (read back
 * by the login host) and ends with an exit-code marker line. Secrets never appear in the script.
 */
import type { SlurmJobRequest } from '../../../src-shared/slurm.js';
import { quoteArg, shellQuote } from '../ssh/shell-quote.js';

/** Marks the last line a rank writes to its output: `\x1eshardscope-exit CODE`. */
export const RANK_EXIT_MARKER = '\x1eshardscope-exit ';

/** Words of a rank's command replaced by the task's shell variables. */
export const RANK_VARIABLES = { rank: '{{RANK}}', worldSize: '{{WORLD_SIZE}}', master: '{{MASTER}}' } as const;

/** A word replaced by the content of a file of the job folder (e.g. the run's config JSON). */
export function fileWord(name: string): string {
  return `{{FILE:${name}}}`;
}

/** What one rank runs: program, arguments (may hold RANK_VARIABLES), fixed environment, and files whose content becomes a variable. */
export interface SlurmRankCommand {
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Environment variables read from files in the job folder (e.g. the run secret, mode 600). */
  envFromFiles?: Record<string, string>;
}

/** Everything the script says. */
export interface SbatchScriptSpec {
  runId: string;
  /** A one-line description of the plan for the script's header. */
  title: string;
  jobDir: string;
  request: SlurmJobRequest;
  rank: SlurmRankCommand;
}

function word(arg: string, jobDir: string): string {
  return arg.split(/(\{\{[A-Z_]+(?::[\w.-]+)?\}\})/).filter(Boolean).map((part) => {
    if (part === RANK_VARIABLES.rank) return '"$RANK"';
    if (part === RANK_VARIABLES.worldSize) return '"$WORLD_SIZE"';
    if (part === RANK_VARIABLES.master) return '"$MASTER_ADDR:$MASTER_PORT"';
    const file = /^\{\{FILE:([\w.-]+)\}\}$/.exec(part);
    if (file) return `"$(cat ${quoteArg(`${jobDir}/${file[1]}`)})"`;
    return quoteArg(part);
  }).join('');
}

/** The rank's shell body, run by each task of the srun step. */
export function rankBody(spec: SbatchScriptSpec): string {
  const { rank, jobDir } = spec;
  const lines = [
    'export RANK="$SLURM_PROCID" WORLD_SIZE="$SLURM_NTASKS" LOCAL_RANK="$SLURM_LOCALID" LOCAL_WORLD_SIZE="$SLURM_NTASKS_PER_NODE" GROUP_RANK="$SLURM_NODEID"',
    ...Object.entries(rank.env).map(([k, v]) => `export ${k}=${quoteArg(v)}`),
    ...Object.entries(rank.envFromFiles ?? {}).map(([k, file]) => `export ${k}="$(cat ${quoteArg(`${jobDir}/${file}`)})"`),
    `${quoteArg(rank.command)} ${rank.args.map((a) => word(a, jobDir)).join(' ')}`,
    'code=$?',
    `printf '\\036shardscope-exit %d\\n' "$code"`,
    'exit "$code"',
  ];
  return lines.join('\n');
}

/** The whole sbatch script. */
export function buildSbatchScript(spec: SbatchScriptSpec): string {
  const { request, jobDir } = spec;
  const directives = [
    `--job-name=shardscope-${spec.runId}`,
    `--nodes=${request.nodes}`,
    `--ntasks-per-node=${request.tasksPerNode}`,
    ...(request.gpusPerTask > 0 ? [`--gpus-per-task=${request.gpusPerTask}`] : []),
    ...(request.partition ? [`--partition=${request.partition}`] : []),
    ...(request.timeLimit ? [`--time=${request.timeLimit}`] : []),
    ...(request.account ? [`--account=${request.account}`] : []),
    ...(request.qos ? [`--qos=${request.qos}`] : []),
    `--output=${jobDir}/job.out`,
    `--chdir=${jobDir}`,
  ];
  for (const d of directives) if (/\s/.test(d)) throw new Error(`sbatch directive with whitespace: ${d}`);
  return [
    '#!/bin/bash',
    `# ShardScope run ${spec.runId}: ${spec.title}`,
    ...directives.map((d) => `#SBATCH ${d}`),
    '',
    '# The rendezvous: the first node of the allocation (its NodeAddr), a port derived from the job id.',
    'first_node=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)',
    'MASTER_ADDR=$(scontrol -o show node "$first_node" | sed -n \'s/.* NodeAddr=\\([^ ]*\\).*/\\1/p\')',
    'export MASTER_ADDR="${MASTER_ADDR:-$first_node}"',
    'export MASTER_PORT=$((20000 + SLURM_JOB_ID % 20000))',
    `export SHARDSCOPE_RUN_ID=${quoteArg(spec.runId)}`,
    '',
    '# One task per rank; a rank that fails ends the step (and the job).',
    `srun --kill-on-bad-exit=1 --output=${quoteArg(`${jobDir}/rank-%t.out`)} --error=${quoteArg(`${jobDir}/rank-%t.err`)} bash -c ${shellQuote([rankBody(spec)])}`,
    '',
  ].join('\n');
}
