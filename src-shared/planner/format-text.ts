/** Plain-text renderings of plans and searches, for the CLI's default (non-JSON) output. */
import type { PlanResult } from './evaluate.js';
import { formatBytes } from '../units.js';
import { memoryPartNames } from './explain.js';
import type { SearchResult } from './search.js';

const GIB = 2 ** 30;

/** Short label of a strategy, e.g. "dp=16 tp=8 pp=32 b=1 zero=1 recompute=selective sp". */
export function strategyLabel(p: PlanResult): string {
  const s = p.strategy;
  const parts = [`dp=${s.dp}`, `tp=${s.tp}`, `pp=${s.pp}`];
  if (s.cp > 1) parts.push(`cp=${s.cp}`);
  if (s.ep > 1) parts.push(`ep=${s.ep}`);
  parts.push(`b=${s.microBatch}`, `zero=${s.zeroStage}`, `recompute=${s.recompute}`);
  if (s.sequenceParallel) parts.push('sp');
  if (s.shardGroup < s.dp) parts.push(`hsdp=${s.shardGroup}`);
  if (s.virtualStages > 1) parts.push(`v=${s.virtualStages}`);
  if (s.offload !== 'none') parts.push(`offload=${s.offload}`);
  return parts.join(' ');
}

function seconds(value: number): string {
  return value >= 1 ? `${value.toFixed(2)} s` : `${(value * 1000).toFixed(1)} ms`;
}

/** Seconds of communication hidden behind compute in a step. */
function hiddenTotal(p: PlanResult): number {
  return Object.values(p.commHiddenSecondsPerStep).reduce((a, b) => a + b, 0);
}

/** "8x16" style run-length list of layers per stage, e.g. "5,6x10,5". */
function compactStages(layers: number[]): string {
  const out: string[] = [];
  for (let i = 0; i < layers.length;) {
    let j = i;
    while (j + 1 < layers.length && layers[j + 1] === layers[i]) j += 1;
    out.push(j > i ? `${layers[i]}x${j - i + 1}` : String(layers[i]));
    i = j + 1;
  }
  return out.join(',');
}

/** A multi-line report of one plan: model, strategy, memory by part, communication, time and energy. */
export function formatPlan(p: PlanResult): string {
  const m = p.memoryPerGpuBytes;
  const c = p.commBytesPerStepPerGpu;
  const t = p.commSecondsPerStep;
  const parts = (Object.keys(memoryPartNames) as (keyof typeof memoryPartNames)[]).filter((k) => m[k] > 0).map((k) => `${memoryPartNames[k]} ${formatBytes(m[k])}`).join(', ');
  const kinds = (['dp', 'tp', 'pp', 'cp', 'ep', 'offload'] as const).filter((k) => c[k] > 0);
  const comm = kinds.length === 0 ? 'none' : kinds.map((k) => `${k} ${formatBytes(c[k])} over ${k === 'offload' ? 'pcie' : p.links[k]} (${seconds(t[k])}, exposed ${seconds(p.commExposedSecondsPerStep[k])})`).join(', ');
  const s = p.strategy;
  const stages = s.pp > 1 ? `, layers per stage ${compactStages(p.layersPerStage)}` : '';
  const lines = [
    `model     ${p.model.name}: ${p.model.layers} layers, hidden ${p.model.hidden}, ${p.model.heads} heads, vocab ${p.model.vocab}, seq ${p.model.seqLen}, ${(p.model.params / 1e9).toFixed(2)} B parameters`,
    `cluster   ${p.cluster.gpus} x ${p.cluster.gpu} (${p.cluster.gpusPerNode} per node, ${p.cluster.nodes} node${p.cluster.nodes > 1 ? 's' : ''})`,
    `strategy  ${strategyLabel(p)}, global batch ${s.globalBatch} (${s.numMicroBatches} micro-batches), ${s.dtype}, ${s.attention} attention, overlap ${s.overlap ? 'on' : 'off'}${s.distributedOptimizer ? ', distributed optimizer' : ''}${stages}`,
    `memory    ${formatBytes(m.total)} of ${formatBytes(p.cluster.memoryPerGpuBytes)} per GPU${s.pp > 1 ? ` (${p.worstStage} stage)` : ''}: ${parts}`,
    `fits      ${p.fits ? 'yes' : `NO - ${p.why ?? ''}`}`,
    `comm/GPU  ${comm}`,
    `step      ${seconds(p.stepTimeSeconds)} = compute ${seconds(p.timeBreakdownSeconds.compute)} + exposed communication ${seconds(p.timeBreakdownSeconds.communication)} + bubble ${seconds(p.timeBreakdownSeconds.bubble)} + optimizer ${seconds(p.timeBreakdownSeconds.optimizer)} (hidden communication ${seconds(hiddenTotal(p))}; bubble fraction ${p.bubbleFraction.toFixed(3)})`,
    `speed     ${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tokens/s, ${p.modelTflopsPerGpu.toFixed(1)} model / ${p.tflopsPerGpu.toFixed(1)} hardware TFLOP/s per GPU, MFU ${(p.mfu * 100).toFixed(1)}%; GEMMs at ${(p.efficiency.gemmFraction * 100).toFixed(0)}% of ${s.dtype} peak (${p.efficiency.source === 'model' ? 'efficiency model' : p.efficiency.source})`,
    `energy    ${(p.energyJoulesPerStep / 1e3).toFixed(1)} kJ per step, ${p.joulesPerToken.toFixed(3)} J per token (compute ${(p.energySplitJoulesPerStep.compute / 1e3).toFixed(1)} kJ, communication ${(p.energySplitJoulesPerStep.communication / 1e3).toFixed(1)} kJ, idle ${(p.energySplitJoulesPerStep.idle / 1e3).toFixed(1)} kJ, host ${(p.energySplitJoulesPerStep.host / 1e3).toFixed(1)} kJ)`,
  ];
  for (const note of p.model.notes ?? []) lines.push(`note      ${note}`);
  return lines.join('\n');
}

/** A table of ranked plans: one row each with memory, step time, tokens/s, TFLOP/s, MFU and J/token. */
export function formatPlanTable(plans: PlanResult[]): string {
  const header = ['#', 'strategy', 'mem GiB', 'step s', 'tokens/s', 'TFLOP/s', 'MFU', 'J/token'];
  const rows = plans.map((p, i) => [
    String(i + 1), strategyLabel(p), (p.memoryPerGpuBytes.total / GIB).toFixed(1), p.stepTimeSeconds.toFixed(3),
    Math.round(p.tokensPerSecond).toString(), p.tflopsPerGpu.toFixed(1), `${(p.mfu * 100).toFixed(1)}%`, p.joulesPerToken.toFixed(3),
  ]);
  const widths = header.map((h, col) => Math.max(h.length, ...rows.map((r) => r[col].length)));
  return [header, ...rows].map((r) => r.map((cell, col) => (col === 1 ? cell.padEnd(widths[col]) : cell.padStart(widths[col]))).join('  ')).join('\n');
}

/** The search summary: counts, the ranked table and the Pareto front of throughput vs energy. */
export function formatSearch(r: SearchResult): string {
  if (!r.best) {
    return [`no strategy fits (${r.evaluatedCount} evaluated); closest:`, ...r.closest.map((p) => `  ${strategyLabel(p)}: ${p.why ?? ''}`)].join('\n');
  }
  return [
    `${r.fittingCount} of ${r.evaluatedCount} strategies fit; best by ${r.objective}: ${strategyLabel(r.best)}`,
    formatPlanTable(r.candidates),
    `Pareto front (throughput vs energy per token):`,
    formatPlanTable(r.paretoFront),
  ].join('\n');
}
