/** Plain-text renderings of plans and searches, for the CLI's default (non-JSON) output. */
import type { PlanResult } from './evaluate.js';
import { formatBytes } from '../units.js';
import type { SearchResult } from './search.js';

const GIB = 2 ** 30;

/** Short label of a strategy, e.g. "dp=16 tp=8 pp=32 b=1 zero=1 recompute=selective sp". */
export function strategyLabel(p: PlanResult): string {
  const s = p.strategy;
  const parts = [`dp=${s.dp}`, `tp=${s.tp}`, `pp=${s.pp}`, `b=${s.microBatch}`, `zero=${s.zeroStage}`, `recompute=${s.recompute}`];
  if (s.sequenceParallel) parts.push('sp');
  if (s.virtualStages > 1) parts.push(`v=${s.virtualStages}`);
  if (s.offload !== 'none') parts.push(`offload=${s.offload}`);
  return parts.join(' ');
}

function seconds(value: number): string {
  return value >= 1 ? `${value.toFixed(2)} s` : `${(value * 1000).toFixed(1)} ms`;
}

/** A multi-line report of one plan: model, strategy, memory by part, communication, time and energy. */
export function formatPlan(p: PlanResult): string {
  const m = p.memoryPerGpuBytes;
  const c = p.commBytesPerStepPerGpu;
  const t = p.commSecondsPerStep;
  const lines = [
    `model     ${p.model.name}: ${p.model.layers} layers, hidden ${p.model.hidden}, ${p.model.heads} heads, vocab ${p.model.vocab}, seq ${p.model.seqLen}, ${(p.model.params / 1e9).toFixed(2)} B parameters`,
    `cluster   ${p.cluster.gpus} x ${p.cluster.gpu} (${p.cluster.gpusPerNode} per node, ${p.cluster.nodes} node${p.cluster.nodes > 1 ? 's' : ''})`,
    `strategy  ${strategyLabel(p)}, global batch ${p.strategy.globalBatch} (${p.strategy.numMicroBatches} micro-batches), ${p.strategy.dtype}`,
    `memory    ${formatBytes(m.total)} of ${formatBytes(p.cluster.memoryPerGpuBytes)} per GPU${p.strategy.pp > 1 ? ` (${p.worstStage} stage)` : ''}: weights ${formatBytes(m.weights)}, gradients ${formatBytes(m.gradients)}, optimizer ${formatBytes(m.optimizer)}, activations ${formatBytes(m.activations)}, overhead ${formatBytes(m.overhead)}`,
    `fits      ${p.fits ? 'yes' : `NO - ${p.why ?? ''}`}`,
    `comm/GPU  dp ${formatBytes(c.dp)} over ${p.links.dp} (${seconds(t.dp)}), tp ${formatBytes(c.tp)} over ${p.links.tp} (${seconds(t.tp)}), pp ${formatBytes(c.pp)} over ${p.links.pp} (${seconds(t.pp)})${c.offload > 0 ? `, offload ${formatBytes(c.offload)} over pcie (${seconds(t.offload)})` : ''}`,
    `step      ${seconds(p.stepTimeSeconds)} = compute ${seconds(p.timeBreakdownSeconds.compute)} + communication ${seconds(p.timeBreakdownSeconds.communication)} + bubble ${seconds(p.timeBreakdownSeconds.bubble)} (bubble fraction ${p.bubbleFraction.toFixed(3)})`,
    `speed     ${Math.round(p.tokensPerSecond).toLocaleString('en-US')} tokens/s, ${p.tflopsPerGpu.toFixed(1)} TFLOP/s per GPU (hardware), MFU ${(p.mfu * 100).toFixed(1)}%`,
    `energy    ${(p.energyJoulesPerStep / 1e3).toFixed(1)} kJ per step, ${p.joulesPerToken.toFixed(3)} J per token (compute ${(p.energySplitJoulesPerStep.compute / 1e3).toFixed(1)} kJ, communication ${(p.energySplitJoulesPerStep.communication / 1e3).toFixed(1)} kJ, idle ${(p.energySplitJoulesPerStep.idle / 1e3).toFixed(1)} kJ, host ${(p.energySplitJoulesPerStep.host / 1e3).toFixed(1)} kJ)`,
  ];
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
