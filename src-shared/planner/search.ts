/** searchStrategies: every valid (dp, tp, pp, micro-batch, ZeRO, recomputation, SP) for a cluster, filtered by fit, ranked. */
import { evaluateStrategy, type PlanResult } from './evaluate.js';
import { explainMisfit } from './explain.js';
import { resolveContext, resolveStrategy, type PlanContext, type ResolvedStrategy } from './resolve.js';
import { parseOrBadInput, searchRequestSchema, type Objective, type SearchRequest, type StrategyInput } from './schemas.js';

/** Ranked strategies of a search, the best one, and the Pareto front of throughput vs energy per token. */
export interface SearchResult {
  objective: Objective;
  best: PlanResult | null;
  candidates: PlanResult[];
  paretoFront: PlanResult[];
  evaluatedCount: number;
  fittingCount: number;
  /** When nothing fits: the strategies needing the least memory, each with its `why`. */
  closest: PlanResult[];
}

const MAX_MICRO_BATCH = 64;

function divisors(n: number): number[] {
  const out: number[] = [];
  for (let d = 1; d <= n; d += 1) if (n % d === 0) out.push(d);
  return out;
}

/** Interleaving depths worth trying: 1, and 2 or 4 virtual stages where layers and micro-batches allow Megatron's schedule. */
function virtualStagesFor(fixed: StrategyInput, layers: number, pp: number, numMicroBatches: number): number[] {
  if (fixed.virtualStages) return [fixed.virtualStages];
  if (pp === 1 || numMicroBatches % pp !== 0) return [1];
  return [1, 2, 4].filter((v) => Math.floor(layers / pp) - 1 >= v);
}

/** Context-parallel sizes worth trying: as given, else 1 and, for sequences of 16K and more, 2 to 16. */
function contextParallelFor(fixed: StrategyInput, seqLen: number, attention: 'flash' | 'standard'): number[] {
  if (fixed.cp) return [fixed.cp];
  if (seqLen < 16384 || attention !== 'flash') return [1];
  return [1, 2, 4, 8, 16].filter((c) => seqLen % c === 0);
}

/** Every strategy the fixed knobs allow, skipping combinations that are invalid for the model or cluster. */
export function enumerateStrategies(ctx: PlanContext, fixed: StrategyInput, allowOffload: boolean): ResolvedStrategy[] {
  const out: ResolvedStrategy[] = [];
  const { model, gpus } = ctx;
  const batch = fixed.globalBatch ?? model.globalBatch ?? 512;
  const ffn = model.moe ? model.moe.expertFfnHidden : model.ffnHidden;
  const seqLen = fixed.seqLen ?? model.maxPositions;
  const tps = fixed.tp ? [fixed.tp] : divisors(gpus).filter((t) => t <= 64 && model.heads % t === 0 && (model.kvHeads % t === 0 || t % model.kvHeads === 0) && ffn % t === 0);
  for (const tp of tps) for (const cp of contextParallelFor(fixed, seqLen, fixed.attention ?? model.attention)) {
    if ((gpus / tp) % cp !== 0) continue;
    // Uneven stages are allowed: any pp that leaves at least two layers per stage.
    const pps = fixed.pp ? [fixed.pp] : divisors(gpus / (tp * cp)).filter((p) => p === 1 || model.layers % p === 0 || p * 2 <= model.layers);
    for (const pp of pps) {
      const dp = gpus / (tp * pp * cp);
      if (!Number.isInteger(dp) || (fixed.dp && fixed.dp !== dp) || batch % dp !== 0) continue;
      const eps = fixed.ep ? [fixed.ep] : model.moe ? divisors(dp).filter((e) => model.moe!.experts % e === 0) : [1];
      const micro = fixed.microBatch ? [fixed.microBatch] : divisors(batch / dp).filter((b) => b <= MAX_MICRO_BATCH);
      const zeros = fixed.zeroStage !== undefined ? [fixed.zeroStage] : ([0, 1, 2, 3] as const).filter((z) => (dp > 1 || z === 0) && (pp === 1 || z <= 1));
      const recomputes = fixed.recompute ? [fixed.recompute] : (['none', 'selective', 'full'] as const);
      const sps = fixed.sequenceParallel !== undefined ? [fixed.sequenceParallel] : tp > 1 ? [false, true] : [false];
      for (const ep of eps) for (const microBatch of micro) for (const virtualStages of virtualStagesFor(fixed, model.layers, pp, batch / (dp * microBatch))) for (const zeroStage of zeros) for (const recompute of recomputes) for (const sequenceParallel of sps) {
        const offloads = fixed.offload ? [fixed.offload] : allowOffload ? (['none', 'optimizer', 'all'] as const).filter((o) => o === 'none' || (o === 'optimizer' ? zeroStage >= 2 : zeroStage === 3)) : ['none' as const];
        for (const offload of offloads) {
          try {
            out.push(resolveStrategy(ctx, { ...fixed, dp, tp, pp, cp, ep, virtualStages, microBatch, globalBatch: batch, zeroStage, recompute, sequenceParallel, offload }));
          } catch {
            // invalid for this model (e.g. sequence length, dtype): not a candidate
          }
        }
      }
    }
  }
  return out;
}

/** Orders plans best first for an objective: tokens/s, joules per token, or memory headroom. */
export function compareByObjective(objective: Objective): (a: PlanResult, b: PlanResult) => number {
  if (objective === 'energy') return (a, b) => a.joulesPerToken - b.joulesPerToken || b.tokensPerSecond - a.tokensPerSecond || a.memoryPerGpuBytes.total - b.memoryPerGpuBytes.total;
  if (objective === 'memory') return (a, b) => a.memoryPerGpuBytes.total - b.memoryPerGpuBytes.total || b.tokensPerSecond - a.tokensPerSecond;
  return (a, b) => b.tokensPerSecond - a.tokensPerSecond || a.joulesPerToken - b.joulesPerToken || a.memoryPerGpuBytes.total - b.memoryPerGpuBytes.total;
}

/** Plans no other plan beats on both throughput and energy per token, by descending throughput. */
export function paretoFront(plans: PlanResult[]): PlanResult[] {
  const sorted = [...plans].sort((a, b) => b.tokensPerSecond - a.tokensPerSecond || a.joulesPerToken - b.joulesPerToken);
  const front: PlanResult[] = [];
  let bestJoules = Infinity;
  for (const p of sorted) {
    if (p.joulesPerToken < bestJoules) { front.push(p); bestJoules = p.joulesPerToken; }
  }
  return front;
}

/**
 * Drops plans within `tolerance` (relative) of an earlier one on both tokens/s and J/token, keeping the first
 * (best-ranked) of each group, so lists and charts show distinct choices rather than equivalent variants.
 */
export function mergeNearDuplicates(plans: PlanResult[], tolerance = 0.005): PlanResult[] {
  const kept: PlanResult[] = [];
  const near = (a: number, b: number) => Math.abs(a - b) <= tolerance * Math.max(Math.abs(a), Math.abs(b));
  for (const p of plans) if (!kept.some((k) => near(k.tokensPerSecond, p.tokensPerSecond) && near(k.joulesPerToken, p.joulesPerToken))) kept.push(p);
  return kept;
}

/** Searches a context directly (no validation): for callers that already hold a PlanContext. */
export function searchContext(ctx: PlanContext, fixed: StrategyInput, objective: Objective, limit: number, allowOffload: boolean): SearchResult {
  const all = enumerateStrategies(ctx, fixed, allowOffload).map((s) => evaluateStrategy(ctx, s, false));
  const fitting = all.filter((p) => p.fits).sort(compareByObjective(objective));
  const closest = fitting.length > 0 ? [] : [...all].sort(compareByObjective('memory')).slice(0, Math.min(limit, 5))
    .map((p) => ({ ...p, why: explainMisfit(p) }));
  return {
    objective,
    best: fitting[0] ?? null,
    candidates: fitting.slice(0, limit),
    paretoFront: mergeNearDuplicates(paretoFront(fitting)).slice(0, limit),
    evaluatedCount: all.length,
    fittingCount: fitting.length,
    closest,
  };
}

/** Searches every valid strategy for the request's cluster; knobs set in `strategy` stay fixed. */
export function searchStrategies(request: SearchRequest): SearchResult {
  const r = parseOrBadInput(searchRequestSchema, request, 'search request');
  const ctx = resolveContext(r.model, r.cluster.gpu, r.cluster.gpus, r.cluster.gpusPerNode, r.overrides);
  return searchContext(ctx, r.strategy, r.objective, r.limit, r.allowOffload);
}

/** The smallest cluster (doubling the GPU count, up to maxGpus) on which some strategy fits without offload, with its best plan. */
export function smallestFittingCluster(request: SearchRequest, maxGpus = 65_536): { gpus: number; best: PlanResult } | null {
  const r = parseOrBadInput(searchRequestSchema, request, 'search request');
  const fixed = { ...r.strategy, dp: undefined, tp: undefined, pp: undefined, cp: undefined, ep: undefined, layersPerStage: undefined };
  for (let gpus = r.cluster.gpus * 2; gpus <= maxGpus; gpus *= 2) {
    const ctx = resolveContext(r.model, r.cluster.gpu, gpus, r.cluster.gpusPerNode, r.overrides);
    const found = searchContext(ctx, fixed, r.objective, 1, false);
    if (found.best) return { gpus, best: found.best };
  }
  return null;
}
