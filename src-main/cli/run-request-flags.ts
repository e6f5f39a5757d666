/**
 * `shardscope run`'s flags as the app's launch request: the flags a launch from the UI also has become
 * a RunRequest, checked by the same `runRequestSchema` the app's API checks startRun with, so a run
 * the app refuses is refused here too, with the same reason (naming the flag instead of the field).
 * Flags only the CLI has (seed, learning rate, data, backend, trace windows, hosts files) stay beside it.
 */
import { resolve } from 'node:path';
import type { z } from 'zod';
import { slurmRunRequestSchema, type SlurmRunRequest } from '../../src-shared/api/slurm-contract.js';
import { parseStrategy } from '../../src-shared/engine-config.js';
import { ShardScopeError } from '../../src-shared/errors.js';
import { runRequestSchema, type RunRequest } from '../../src-shared/run-live.js';
import type { SlurmJobRequest } from '../../src-shared/slurm.js';
import { intFlag } from './args.js';

/** The flags that make the request (merged into run's flag table). */
export const runRequestFlags = {
  model: { type: 'string' }, strategy: { type: 'string' }, steps: { type: 'string' }, 'micro-batches': { type: 'string' },
  schedule: { type: 'string' }, zero: { type: 'string' }, recompute: { type: 'boolean' }, 'global-batch': { type: 'string' },
  engine: { type: 'string' }, script: { type: 'string' },
} as const;

/** Values of those flags. */
export interface RunRequestFlagValues {
  strategy?: string; steps?: string; 'micro-batches'?: string; schedule?: string; zero?: string; recompute?: boolean;
  'global-batch'?: string; engine?: string; script?: string;
}

/** The flag a request field comes from, for messages (Slurm fields by their path). */
const flagOfField: Record<string, string> = {
  model: '--model', dp: '--strategy dp', tp: '--strategy tp', pp: '--strategy pp', steps: '--steps', microBatches: '--micro-batches',
  schedule: '--schedule', zeroStage: '--zero', recompute: '--recompute', globalBatch: '--global-batch', engine: '--engine',
  script: '--script', scriptArgs: 'script arguments', hosts: '--hosts',
  'slurm.loginHost': '--slurm', 'slurm.partition': '--partition', 'slurm.nodes': '--nodes', 'slurm.gpusPerNode': '--gpus-per-node',
  'slurm.timeLimit': '--time', 'slurm.account': '--account', 'slurm.qos': '--qos',
};

/** Default number of steps of a CLI run. */
export const DEFAULT_CLI_STEPS = 20;

/**
 * The launch request of these flags for the model `modelId` (a preset id, or the name of a model file).
 * Flag syntax (integers, dp=D,tp=T,pp=P) is checked here; limits and choices by runRequestSchema.
 */
export function runRequestOfFlags(values: RunRequestFlagValues, modelId: string): RunRequest {
  const optionalInt = (name: string, value: string | undefined) => (value === undefined ? undefined : intFlag(name, value, 0));
  const request = {
    model: modelId,
    ...parseStrategy(values.strategy ?? 'dp=1'),
    steps: intFlag('steps', values.steps, DEFAULT_CLI_STEPS),
    microBatches: optionalInt('micro-batches', values['micro-batches']),
    schedule: values.schedule ?? '1f1b',
    zeroStage: intFlag('zero', values.zero, 0, 0, 1),
    recompute: values.recompute ?? false,
    globalBatch: optionalInt('global-batch', values['global-batch']),
    engine: values.engine ?? 'tfjs',
    // the app takes absolute script paths only; the CLI resolves the one the user typed
    script: values.script === undefined ? undefined : resolve(values.script),
  };
  return parseRunRequest(Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)));
}

/** Parses a launch request with the app's schema; the first problem is a one-line `bad-input` naming its flag. */
export function parseRunRequest(value: unknown): RunRequest {
  return parseWithFlags(runRequestSchema, value);
}

/**
 * A Slurm run as the app's Slurm view would ask for it (its job's resources as the flags gave them),
 * checked by the app's `slurmRunRequestSchema`.
 */
export function parseSlurmRunRequest(request: RunRequest, loginHost: string, job: SlurmJobRequest): SlurmRunRequest {
  const { hosts: _hosts, ...run } = request;
  const gpusPerNode = job.gpusPerTask * job.tasksPerNode;
  return parseWithFlags(slurmRunRequestSchema, {
    ...run,
    slurm: {
      loginHost, nodes: job.nodes, ...(gpusPerNode > 0 ? { gpusPerNode } : {}),
      ...(job.partition ? { partition: job.partition } : {}), ...(job.timeLimit ? { timeLimit: job.timeLimit } : {}),
      ...(job.account ? { account: job.account } : {}), ...(job.qos ? { qos: job.qos } : {}),
    },
  });
}

function parseWithFlags<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue.path.map(String).join('.');
  const flag = Object.hasOwn(flagOfField, field) ? flagOfField[field] : field || 'run request';
  throw new ShardScopeError('bad-input', `${flag}: ${issue.message}`);
}
