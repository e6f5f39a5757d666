/**
 * `shardscope run ... --slurm local|HOST [--partition P] [--nodes N] [--gpus-per-node G]
 * [--time T] [--account A] [--qos Q] [--job-dir DIR] [--dry-run]`: the run as a Slurm job from the
 * cluster's login host. The sbatch script is printed before it is submitted (`--dry-run` stops
 * there); the job's state goes to stderr while it runs; `--json` prints the summary with `slurm`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import { worldSizeOf, type TrainConfig } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { SlurmJobRequest } from '../../../src-shared/slurm.js';
import { checkTimeLimit } from '../../core/slurm/slurm-parse.js';
import { openSlurmLogin } from '../../core/slurm/slurm-login.js';
import { runOnSlurm } from '../../core/slurm/slurm-run.js';
import { slurmEngineFiles, slurmJobDirBase } from '../../core/slurm/slurm-engine-files.js';
import { defaultStorePath, RunStore, StoreWriter } from '../../core/store/index.js';
import { intFlag } from '../args.js';
import { printJson, printLine, type CliIo } from '../io.js';

/** The Slurm flags of `run` (merged into its flag table). */
export const slurmRunFlags = {
  slurm: { type: 'string' }, partition: { type: 'string' }, nodes: { type: 'string' }, 'gpus-per-node': { type: 'string' },
  time: { type: 'string' }, account: { type: 'string' }, qos: { type: 'string' }, 'job-dir': { type: 'string' }, 'dry-run': { type: 'boolean' },
  identity: { type: 'string', multiple: true }, 'slurm-poll-ms': { type: 'string' },
} as const;

/** Values of the Slurm flags. */
export interface SlurmRunFlagValues {
  slurm?: string; partition?: string; nodes?: string; 'gpus-per-node'?: string; time?: string; account?: string; qos?: string;
  'job-dir'?: string; 'dry-run'?: boolean; identity?: string[]; 'known-hosts'?: string; 'slurm-poll-ms'?: string;
  json?: boolean; db?: string; script?: string; python?: string; 'sample-ms'?: string;
}

/** Slurm flags need --slurm, and --slurm goes with neither --hosts nor --report. */
export function checkSlurmFlags(values: SlurmRunFlagValues & { hosts?: string; report?: string }): void {
  const given = (Object.keys(slurmRunFlags) as Array<keyof typeof slurmRunFlags>).filter((k) => k !== 'slurm' && values[k] !== undefined);
  if (!values.slurm && given.length > 0) throw new ShardScopeError('bad-input', `--${given[0]} only applies with --slurm local|HOST`);
  if (values.slurm && values.hosts) throw new ShardScopeError('bad-input', '--slurm and --hosts are two ways of placing ranks: give one');
  if (values.slurm && values.report) throw new ShardScopeError('bad-input', '--report is not supported with --slurm yet: run shardscope report RUN afterwards');
}

/** Nodes, tasks per node and GPUs per task for a world of `worldSize` ranks. */
export function slurmRequestOf(values: SlurmRunFlagValues, worldSize: number): SlurmJobRequest {
  const gpusPerNode = intFlag('gpus-per-node', values['gpus-per-node'], 0, 0);
  const nodes = intFlag('nodes', values.nodes, gpusPerNode > 0 ? Math.ceil(worldSize / gpusPerNode) : 1);
  if (worldSize % nodes !== 0) throw new ShardScopeError('bad-input', `--nodes ${nodes} does not divide the ${worldSize} ranks of the strategy`);
  const tasksPerNode = worldSize / nodes;
  if (gpusPerNode > 0 && gpusPerNode % tasksPerNode !== 0) throw new ShardScopeError('bad-input', `--gpus-per-node ${gpusPerNode} is not a multiple of the ${tasksPerNode} ranks per node`);
  return {
    nodes, tasksPerNode, gpusPerTask: gpusPerNode / tasksPerNode,
    ...(values.partition ? { partition: values.partition } : {}),
    ...(values.time ? { timeLimit: checkTimeLimit(values.time) } : {}),
    ...(values.account ? { account: values.account } : {}),
    ...(values.qos ? { qos: values.qos } : {}),
  };
}

/** Runs the config as a job; returns the exit code. */
export async function runOnSlurmFromCli(values: SlurmRunFlagValues, config: TrainConfig, engine: 'tfjs' | 'torch', workerPath: string, io: CliIo): Promise<number> {
  const request = slurmRequestOf(values, worldSizeOf(config.strategy));
  const shell = await openSlurmLogin(values.slurm!, { env: io.env, identityFiles: values.identity, knownHostsFile: values['known-hosts'], signal: io.signal });
  const note = (line: string) => (values.json ? io.stderr : io.stdout).write(`${line}\n`);
  let store: RunStore | null = null;
  let writer: StoreWriter | null = null;
  try {
    const jobDirBase = values['job-dir'] ?? await slurmJobDirBase(shell, join(io.env.SHARDSCOPE_HOME || join(io.env.HOME || homedir(), '.shardscope'), 'slurm'));
    const files = await slurmEngineFiles(shell, engine, { script: values.script, python: values.python, dataPath: config.dataPath }, workerPath, jobDirBase);
    if (!values['dry-run']) {
      store = RunStore.open(values.db ?? defaultStorePath(io.env));
      writer = new StoreWriter(store);
    }
    const result = await runOnSlurm({
      shell, request, config, engine, files, jobDir: jobDirBase, store: store!, writer: writer!, signal: io.signal,
      pollMs: intFlag('slurm-poll-ms', values['slurm-poll-ms'], 1000, 100),
      // GPU samples from a sampler step inside the job (--sample-ms 0: none).
      sampleMs: intFlag('sample-ms', values['sample-ms'], 1000, 0),
      onScript: (script, jobDir) => {
        note(`sbatch script (${jobDir}/job.sbatch):`);
        note(script);
        return !values['dry-run'];
      },
      onJobStatus: (s) => io.stderr.write(`slurm job ${s.jobId}: ${s.state}${s.reason ? ` (${s.reason})` : ''}${s.nodes.length ? ` on ${s.nodes.join(',')}` : ''}\n`),
      onNode: (n) => io.stderr.write(`slurm node ${n.name}: ${n.state}${n.reason ? ` (${n.reason})` : ''}\n`),
      onRecorded: (runId) => io.stderr.write(`run ${runId} recorded\n`),
      onUpdate: values.json ? undefined : (update) => update.points.forEach((p) =>
        printLine(io, `step ${p.step + 1}/${update.steps} loss ${p.loss?.toFixed(4) ?? '-'} ${(p.stepSeconds * 1e3).toFixed(0)} ms`)),
      onLog: (rank, line, stream) => { if (stream === 'stderr') io.stderr.write(`[rank ${rank}] ${line}\n`); },
    });
    if (!result) return 0;
    const { summary, slurm } = result;
    if (values.json) printJson(io, { ...summary, slurm: { jobId: slurm.jobId, loginHost: slurm.loginHost, state: slurm.state, jobDir: slurm.jobDir, accounting: slurm.accounting } });
    else {
      printLine(io, `run ${summary.runId}: slurm job ${slurm.jobId} ${slurm.state}; loss ${summary.losses[0]?.toFixed(4)} -> ${summary.loss.toFixed(4)} over ${summary.steps} steps`);
      if (slurm.accounting) printLine(io, `slurm accounting (${slurm.accounting.source}): elapsed ${slurm.accounting.elapsedSeconds ?? '-'} s, energy ${slurm.accounting.energyJoules === null ? slurm.accounting.energySource : `${slurm.accounting.energyJoules} J (${slurm.accounting.energySource})`}`);
    }
    return 0;
  } finally {
    writer?.close();
    store?.close();
    shell.close();
  }
}
