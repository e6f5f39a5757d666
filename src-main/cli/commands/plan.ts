/** `shardscope plan`: memory, communication, time and energy of one strategy, or a search over all of them. */
import { existsSync } from 'node:fs';
import { readInputFile } from '../../core/files/read-input-file.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { listPresets, planStrategy, searchStrategies, smallestFittingCluster, modelSpecSchema, type ModelSpec, type PlanRequest, type PlanResult, type StrategyInput } from '../../../src-shared/planner/index.js';
import { parseOrBadInput, objectiveSchema, recomputeSchema, dtypeSchema, offloadSchema } from '../../../src-shared/planner/schemas.js';
import { formatPlan, formatPlanTable, formatSearch, strategyLabel } from '../../../src-shared/planner/format-text.js';
import { formatRate } from '../../../src-shared/units.js';
import { intFlag, parseFlags } from '../args.js';
import { printJson, printLine, type CliCommand } from '../io.js';

const options = {
  model: { type: 'string' }, gpu: { type: 'string' }, gpus: { type: 'string' }, 'gpus-per-node': { type: 'string' },
  dp: { type: 'string' }, tp: { type: 'string' }, pp: { type: 'string' }, 'virtual-stages': { type: 'string' },
  'micro-batch': { type: 'string' }, 'global-batch': { type: 'string' }, 'seq-len': { type: 'string' },
  zero: { type: 'string' }, recompute: { type: 'string' }, 'sequence-parallel': { type: 'boolean' },
  dtype: { type: 'string' }, offload: { type: 'string' },
  search: { type: 'boolean' }, objective: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' },
} as const;

/** A preset id, or a JSON model file `{name, layers, hidden, heads, vocab, seqLen}`. */
function loadModel(value: string): string | ModelSpec {
  if (Object.hasOwn(listPresets().models, value)) return value;
  if (!existsSync(value)) {
    throw new ShardScopeError('bad-input', `--model "${value}" is neither a preset (${Object.keys(listPresets().models).join(', ')}) nor a readable JSON file`);
  }
  const text = readInputFile(value, '--model');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ShardScopeError('bad-input', `model file ${value} is not valid JSON: ${(error as Error).message.split('\n')[0]}`);
  }
  return parseOrBadInput(modelSpecSchema, json, `model file ${value}`);
}

function enumFlag<T extends string>(name: string, value: string | undefined, schema: { options: readonly T[] }): T | undefined {
  if (value === undefined) return undefined;
  if (!(schema.options as readonly string[]).includes(value)) throw new ShardScopeError('bad-input', `--${name} must be one of ${schema.options.join('|')}, got "${value}"`);
  return value as T;
}

function optionalInt(name: string, value: string | undefined, min = 1, max = 1_000_000): number | undefined {
  return value === undefined ? undefined : intFlag(name, value, 0, min, max);
}

/** One-line summary of a plan for the alternatives list. */
function summary(p: PlanResult) {
  return { gpus: p.cluster.gpus, strategy: p.strategy, memoryPerGpuBytes: p.memoryPerGpuBytes.total, stepTimeSeconds: p.stepTimeSeconds, tokensPerSecond: p.tokensPerSecond, joulesPerToken: p.joulesPerToken };
}

/** Strategies that do fit when the requested one does not: same cluster, else with offload and the smallest cluster without offload. */
function alternativesFor(request: PlanRequest) {
  const base = { ...request, strategy: { globalBatch: request.strategy?.globalBatch, seqLen: request.strategy?.seqLen, dtype: request.strategy?.dtype }, limit: 5 };
  const sameCluster = searchStrategies(base).candidates;
  const withOffload = sameCluster.length > 0 ? [] : searchStrategies({ ...base, allowOffload: true }).candidates;
  // A bigger cluster is only worth naming when no strategy fits the one asked for.
  const smallest = sameCluster.length > 0 ? null : smallestFittingCluster(base);
  return { sameCluster, withOffload, smallestCluster: smallest?.best ?? null };
}

/** Runs `plan`; exit 0 with a verdict (fits or not, with alternatives), 2 on bad input. */
export const planCommand: CliCommand = async (args, io) => {
  const { values: f } = parseFlags(args, options);
  if (!f.model) throw new ShardScopeError('bad-input', '--model ID|FILE is required');
  if (!f.gpu) throw new ShardScopeError('bad-input', '--gpu ID is required');
  if (f.gpus === undefined) throw new ShardScopeError('bad-input', '--gpus N is required');
  if (f.objective !== undefined && !f.search) throw new ShardScopeError('bad-input', '--objective only applies with --search');
  const strategy: StrategyInput = {
    dp: optionalInt('dp', f.dp), tp: optionalInt('tp', f.tp), pp: optionalInt('pp', f.pp), virtualStages: optionalInt('virtual-stages', f['virtual-stages']),
    microBatch: optionalInt('micro-batch', f['micro-batch']), globalBatch: optionalInt('global-batch', f['global-batch'], 1, 1e9),
    seqLen: optionalInt('seq-len', f['seq-len'], 1, 1e7), zeroStage: optionalInt('zero', f.zero, 0, 3) as 0 | 1 | 2 | 3 | undefined,
    recompute: enumFlag('recompute', f.recompute, recomputeSchema), sequenceParallel: f['sequence-parallel'],
    dtype: enumFlag('dtype', f.dtype, dtypeSchema), offload: enumFlag('offload', f.offload, offloadSchema),
  };
  const request: PlanRequest = {
    model: loadModel(f.model),
    cluster: { gpu: f.gpu, gpus: intFlag('gpus', f.gpus, 1, 1, 1_000_000), gpusPerNode: optionalInt('gpus-per-node', f['gpus-per-node']) },
    strategy: Object.fromEntries(Object.entries(strategy).filter(([, v]) => v !== undefined)),
  };
  if (f.search) {
    const result = searchStrategies({ ...request, objective: enumFlag('objective', f.objective, objectiveSchema), limit: optionalInt('limit', f.limit, 1, 10_000) });
    if (f.json) printJson(io, result);
    else printLine(io, formatSearch(result));
    return 0;
  }
  const plan = planStrategy(request);
  const alternatives = plan.fits ? undefined : alternativesFor(request);
  if (f.json) {
    printJson(io, alternatives ? { ...plan, alternatives: { sameCluster: alternatives.sameCluster.map(summary), withOffload: alternatives.withOffload.map(summary), smallestCluster: alternatives.smallestCluster && summary(alternatives.smallestCluster) } } : plan);
    return 0;
  }
  printLine(io, formatPlan(plan));
  if (alternatives) {
    if (alternatives.sameCluster.length > 0) printLine(io, `\nstrategies that fit ${plan.cluster.gpus} x ${plan.cluster.gpu}:\n${formatPlanTable(alternatives.sameCluster)}`);
    else printLine(io, `\nno strategy fits ${plan.cluster.gpus} x ${plan.cluster.gpu} without offload.`);
    if (alternatives.withOffload.length > 0) printLine(io, `with ZeRO-Offload (optimizer states, and parameters, in host memory):\n${formatPlanTable(alternatives.withOffload)}`);
    const s = alternatives.smallestCluster;
    if (s) printLine(io, `smallest cluster that fits without offload: ${s.cluster.gpus} x ${s.cluster.gpu}, ${strategyLabel(s)} (${formatRate(s.tokensPerSecond, 'tokens/s')})`);
  }
  return 0;
};
