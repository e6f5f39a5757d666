/** `shardscope plan`: memory, communication, time and energy of one strategy, or a search over all of them. */
import { ShardScopeError } from '../../../src-shared/errors.js';
import { planStrategy, searchStrategies, smallestFittingCluster, type PlanRequest, type PlanResult, type StrategyInput } from '../../../src-shared/planner/index.js';
import { objectiveSchema, recomputeSchema, dtypeSchema, offloadSchema, attentionSchema } from '../../../src-shared/planner/schemas.js';
import { gpuFlag, plannerModelFlag } from '../input-files.js';
import { formatPlan, formatPlanTable, formatSearch, strategyLabel } from '../../../src-shared/planner/format-text.js';
import { formatRate } from '../../../src-shared/units.js';
import { countListFlag, enumFlag, intFlag, numberFlag, optionalIntFlag as optionalInt, parseFlags } from '../args.js';
import { planForCluster } from './plan-cluster.js';
import { printJson, printLine, type CliCommand } from '../io.js';

const options = {
  model: { type: 'string' }, gpu: { type: 'string' }, gpus: { type: 'string' }, 'gpus-per-node': { type: 'string' },
  dp: { type: 'string' }, tp: { type: 'string' }, pp: { type: 'string' }, 'virtual-stages': { type: 'string' },
  'micro-batch': { type: 'string' }, 'global-batch': { type: 'string' }, 'seq-len': { type: 'string' },
  zero: { type: 'string' }, recompute: { type: 'string' }, 'sequence-parallel': { type: 'boolean' },
  dtype: { type: 'string' }, offload: { type: 'string' },
  attention: { type: 'string' }, cp: { type: 'string' }, ep: { type: 'string' }, 'layers-per-stage': { type: 'string' },
  'distributed-optimizer': { type: 'boolean' }, 'shard-group': { type: 'string' }, 'no-overlap': { type: 'boolean' },
  efficiency: { type: 'string' }, 'inter-node-bandwidth': { type: 'string' }, 'intra-node-bandwidth': { type: 'string' }, 'power-cap': { type: 'string' },
  search: { type: 'boolean' }, objective: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' },
  cluster: { type: 'string' }, 'nvidia-smi': { type: 'string' }, 'known-hosts': { type: 'string' },
} as const;

/** GB/s given on the command line, in bytes per second. */
function scaled(value: number | undefined, factor: number): number | undefined {
  return value === undefined ? undefined : value * factor;
}

/** One-line summary of a plan for the alternatives list. */
function summary(p: PlanResult) {
  return { gpus: p.cluster.gpus, strategy: p.strategy, memoryPerGpuBytes: p.memoryPerGpuBytes.total, stepTimeSeconds: p.stepTimeSeconds, tokensPerSecond: p.tokensPerSecond, joulesPerToken: p.joulesPerToken };
}

/** Strategies that do fit when the requested one does not: same cluster, else with offload and the smallest cluster without offload. */
function alternativesFor(request: PlanRequest) {
  const s = request.strategy ?? {};
  const base = { ...request, strategy: { globalBatch: s.globalBatch, seqLen: s.seqLen, dtype: s.dtype, attention: s.attention, overlap: s.overlap }, limit: 5 };
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
  if (f.cluster !== undefined) {
    if (f.gpu !== undefined || f.gpus !== undefined) throw new ShardScopeError('bad-input', '--cluster replaces --gpu/--gpus: give one or the other');
    return planForCluster({
      cluster: f.cluster, model: f.model, dp: optionalInt('dp', f.dp), tp: optionalInt('tp', f.tp), pp: optionalInt('pp', f.pp),
      microBatch: optionalInt('micro-batch', f['micro-batch']), globalBatch: optionalInt('global-batch', f['global-batch'], 1, 1e9),
      zeroStage: optionalInt('zero', f.zero, 0, 3), recompute: f.recompute, json: f.json ?? false, search: f.search ?? false, nvidiaSmi: f['nvidia-smi'], knownHosts: f['known-hosts'],
      strategy: Object.fromEntries(Object.entries({ microBatch: optionalInt('micro-batch', f['micro-batch']), globalBatch: optionalInt('global-batch', f['global-batch'], 1, 1e9),
        zeroStage: optionalInt('zero', f.zero, 0, 3), recompute: enumFlag('recompute', f.recompute, recomputeSchema), dtype: enumFlag('dtype', f.dtype, dtypeSchema) }).filter(([, v]) => v !== undefined)),
    }, io);
  }
  if (!f.gpu) throw new ShardScopeError('bad-input', '--gpu ID|FILE is required (or --cluster local|FILE|known)');
  if (f.gpus === undefined) throw new ShardScopeError('bad-input', '--gpus N is required');
  if (f.objective !== undefined && !f.search) throw new ShardScopeError('bad-input', '--objective only applies with --search');
  const strategy: StrategyInput = {
    dp: optionalInt('dp', f.dp), tp: optionalInt('tp', f.tp), pp: optionalInt('pp', f.pp), virtualStages: optionalInt('virtual-stages', f['virtual-stages']),
    microBatch: optionalInt('micro-batch', f['micro-batch']), globalBatch: optionalInt('global-batch', f['global-batch'], 1, 1e9),
    seqLen: optionalInt('seq-len', f['seq-len'], 1, 1e7), zeroStage: optionalInt('zero', f.zero, 0, 3) as 0 | 1 | 2 | 3 | undefined,
    recompute: enumFlag('recompute', f.recompute, recomputeSchema), sequenceParallel: f['sequence-parallel'],
    dtype: enumFlag('dtype', f.dtype, dtypeSchema), offload: enumFlag('offload', f.offload, offloadSchema),
    attention: enumFlag('attention', f.attention, attentionSchema), cp: optionalInt('cp', f.cp), ep: optionalInt('ep', f.ep),
    layersPerStage: countListFlag('layers-per-stage', f['layers-per-stage'], 'layer counts'), distributedOptimizer: f['distributed-optimizer'],
    shardGroup: optionalInt('shard-group', f['shard-group']), overlap: f['no-overlap'] ? false : undefined,
  };
  const overrides = {
    computeEfficiency: numberFlag('efficiency', f.efficiency, 1),
    interNodeBytesPerSecond: scaled(numberFlag('inter-node-bandwidth', f['inter-node-bandwidth']), 1e9),
    intraNodeBytesPerSecond: scaled(numberFlag('intra-node-bandwidth', f['intra-node-bandwidth']), 1e9),
    powerCapWatts: numberFlag('power-cap', f['power-cap']),
  };
  const definedOverrides = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const request: PlanRequest = {
    model: plannerModelFlag(f.model),
    cluster: { gpu: gpuFlag(f.gpu), gpus: intFlag('gpus', f.gpus, 1, 1, 1_000_000), gpusPerNode: optionalInt('gpus-per-node', f['gpus-per-node']) },
    strategy: Object.fromEntries(Object.entries(strategy).filter(([, v]) => v !== undefined)),
    ...(Object.keys(definedOverrides).length > 0 ? { overrides: definedOverrides } : {}),
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
