/** Pure derivations of a run's report figures from its stored events, series and plan: steps per rank, loss, throughput, MFU, memory, power. */
import { gpuSpec, listPresets } from '../../../src-shared/planner/catalogue.js';
import { modelFlopsPerStep, resolveModel } from '../../../src-shared/planner/model-math.js';
import type { GpuSpec, ModelSpec } from '../../../src-shared/planner/schemas.js';
import type { RunDetails, StoredEvent } from '../../../src-shared/run-record.js';
import type { MeasuredFigures, RankStep, ReportSeries } from '../../../src-shared/report-schema.js';
import { rankMemoryOfStep, steadyStepSeconds } from '../../../src-shared/measured-vs-predicted.js';

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

/** Every rank's step events as rows, in step then rank order. */
export function rankStepsOf(events: StoredEvent[]): RankStep[] {
  return events.filter((e) => e.type === 'step' && typeof e.data.step === 'number').map((e) => {
    const d = e.data as Record<string, any>;
    const t = (d.stepTimeSeconds ?? {}) as Record<string, unknown>;
    const bytes = (d.bytes ?? {}) as Record<string, { sent?: unknown }>;
    return {
      step: d.step as number,
      rank: e.rank ?? num(d.rank),
      endTimestampMs: num(d.timestampMs) || e.timestampMs,
      computeSeconds: num(t.compute), communicationSeconds: num(t.communication), bubbleSeconds: num(t.bubble), totalSeconds: num(t.total),
      bytesSent: Object.values(bytes).reduce((sum, b) => sum + num(b?.sent), 0),
      frameworkMemoryPeakBytes: Math.max(num(d.frameworkMemoryPeakBytes), num(d.frameworkMemoryBytes)),
      loss: typeof d.loss === 'number' ? d.loss : null,
      rankMemoryBytes: rankMemoryOfStep(d)?.bytes ?? null,
      rankMemorySource: rankMemoryOfStep(d)?.source ?? null,
    };
  }).sort((a, b) => a.step - b.step || a.rank - b.rank);
}

/** Mean bytes one rank sent per step by parallelism kind, over the step events that carry bytesByParallelism; null when none does. */
export function bytesByParallelismOf(events: StoredEvent[]): { dp: number; tp: number; pp: number } | null {
  const carrying = events.filter((e) => e.type === 'step' && typeof e.data.bytesByParallelism === 'object' && e.data.bytesByParallelism !== null);
  if (carrying.length === 0) return null;
  const sums = { dp: 0, tp: 0, pp: 0 };
  for (const e of carrying) {
    const byKind = e.data.bytesByParallelism as Record<string, { sent?: unknown } | undefined>;
    for (const kind of ['dp', 'tp', 'pp'] as const) sums[kind] += num(byKind[kind]?.sent);
  }
  return { dp: sums.dp / carrying.length, tp: sums.tp / carrying.length, pp: sums.pp / carrying.length };
}

/** The loss per step (from the reporting rank). */
export function lossOf(steps: RankStep[]): { step: number; loss: number }[] {
  const byStep = new Map<number, number>();
  for (const s of steps) if (s.loss !== null && !byStep.has(s.step)) byStep.set(s.step, s.loss);
  return [...byStep].map(([step, loss]) => ({ step, loss })).sort((a, b) => a.step - b.step);
}

/** The catalogue GPU a plan was made for, and its peak FLOP/s at the plan's dtype; null without a plan. */
export function peakFlopsOf(plan: unknown): { gpu: GpuSpec; peakFlopsPerSecond: number } | null {
  const p = plan as { cluster?: { gpu?: unknown }; strategy?: { dtype?: unknown } } | null;
  const id = p?.cluster?.gpu;
  if (typeof id !== 'string') return null;
  let gpu: GpuSpec | undefined;
  try {
    gpu = gpuSpec(id);
  } catch {
    gpu = Object.values(listPresets().gpus).find((g) => g.name === id);
  }
  if (!gpu) return null;
  const peak = p?.strategy?.dtype === 'fp32' || gpu.bf16FlopsPerSecond === null ? gpu.fp32FlopsPerSecond : gpu.bf16FlopsPerSecond;
  return { gpu, peakFlopsPerSecond: peak };
}

function modelSpecOf(model: Record<string, unknown>): ModelSpec | null {
  const fields = ['layers', 'hidden', 'heads', 'vocab', 'seqLen'] as const;
  if (!fields.every((f) => typeof model[f] === 'number' && (model[f] as number) > 0)) return null;
  return model as unknown as ModelSpec;
}

/** Steps grouped: per step, the slowest rank's time, the tokens and the ranks' rows. */
function perStep(steps: RankStep[]): Map<number, RankStep[]> {
  const map = new Map<number, RankStep[]>();
  for (const s of steps) map.set(s.step, [...(map.get(s.step) ?? []), s]);
  return map;
}

function meanOf(rows: RankStep[], key: 'computeSeconds' | 'communicationSeconds' | 'bubbleSeconds' | 'totalSeconds'): number {
  return rows.length === 0 ? 0 : rows.reduce((sum, r) => sum + r[key], 0) / rows.length;
}

/** Mean power over the run: per power series, the count-weighted mean; summed over series. */
function meanPowerWatts(series: ReportSeries[]): number | null {
  const power = series.filter((s) => s.metric === 'powerWatts' || s.metric === 'cpuPowerWatts');
  if (power.length === 0) return null;
  return power.reduce((sum, s) => sum + s.points.reduce((a, p) => a + p.avg, 0) / Math.max(1, s.points.length), 0);
}

/** The measured figures of one run. */
export function measuredFiguresOf(details: RunDetails, steps: RankStep[], series: ReportSeries[], worldSize: number): MeasuredFigures {
  const { summary, run } = details;
  const grouped = perStep(steps);
  const stepTokens = details.events.find((e) => e.type === 'step' && typeof e.data.tokens === 'number')?.data.tokens as number | undefined;
  const spec = modelSpecOf(run.model);
  const seqLen = spec?.seqLen ?? 0;
  const flops = spec && stepTokens ? modelFlopsPerStep(resolveModel(spec), stepTokens / seqLen, seqLen) : null;
  const peak = peakFlopsOf(run.plan ?? run.prediction);
  const devices = Math.max(1, worldSize);
  const tflops = flops !== null && summary.trainingSeconds > 0 ? (flops * summary.steps) / summary.trainingSeconds / devices / 1e12 : null;
  const seconds = summary.trainingSeconds;
  const bandwidth: Record<string, number> = {};
  for (const [kind, bytes] of Object.entries(summary.bytesByKind)) bandwidth[kind] = seconds > 0 ? bytes / seconds : 0;
  const peaks = new Map<number, number>();
  for (const s of steps) peaks.set(s.rank, Math.max(peaks.get(s.rank) ?? 0, s.frameworkMemoryPeakBytes));
  const totals = series.filter((s) => s.metric === 'memoryTotalBytes' && s.gpuIndex !== null);
  const mean = meanOf(steps, 'totalSeconds');
  const gpuPeaks = series.filter((s) => s.metric === 'memoryUsedBytes' && s.gpuIndex !== null).map((s) => ({
    host: s.host, gpuIndex: s.gpuIndex as number, peakBytes: Math.max(0, ...s.points.map((p) => p.max)),
    totalBytes: totals.find((t) => t.host === s.host && t.gpuIndex === s.gpuIndex)?.points.at(-1)?.max ?? null,
  }));
  // ranks on CPU (this machine) next to GPU samples: the device memory that counts is the framework's
  const isOnGpu = details.ranks.some((r) => /gpu|cuda/i.test(r.device));
  const frameworkPeaks = [...peaks.values()];
  const rankPeaks = rankPeakMemory(steps);
  const useGpu = isOnGpu && gpuPeaks.length > 0;
  const devicePeaks = useGpu ? gpuPeaks.map((g) => g.peakBytes) : rankPeaks.length > 0 ? rankPeaks.map((r) => r.peakBytes) : frameworkPeaks;
  const steady = steadyStepSeconds([...grouped.values()].map((rows) => Math.max(...rows.map((r) => r.totalSeconds))));
  return {
    steps: summary.steps,
    tokens: summary.tokens,
    trainingSeconds: seconds,
    tokensPerSecond: summary.tokensPerSecond,
    stepTimeSecondsMean: {
      compute: meanOf(steps, 'computeSeconds'), communication: meanOf(steps, 'communicationSeconds'),
      bubble: meanOf(steps, 'bubbleSeconds'), total: mean,
    },
    bubbleFraction: mean > 0 ? meanOf(steps, 'bubbleSeconds') / mean : null,
    modelFlopsPerStep: flops,
    tflopsPerDevice: tflops,
    peakFlopsPerSecondPerDevice: peak?.peakFlopsPerSecond ?? null,
    mfu: tflops !== null && peak ? (tflops * 1e12) / peak.peakFlopsPerSecond : null,
    lastLoss: summary.lastLoss,
    bytesSentByKind: summary.bytesByKind,
    bandwidthBytesPerSecondByKind: bandwidth,
    bytesSentPerStepPerRank: steps.length > 0 ? steps.reduce((sum, s) => sum + s.bytesSent, 0) / steps.length : 0,
    bytesSentPerStepPerRankByParallelism: bytesByParallelismOf(details.events),
    memoryPeakPerGpu: gpuPeaks,
    frameworkMemoryPeakBytesPerRank: [...peaks].map(([rank, peakBytes]) => ({ rank, peakBytes })).sort((a, b) => a.rank - b.rank),
    rankPeakMemoryBytesPerRank: rankPeaks,
    steadyStepSeconds: steady,
    peakMemoryPerDeviceBytes: devicePeaks.length > 0 ? Math.max(...devicePeaks) : null,
    peakMemorySource: useGpu ? 'gpu-memory' : rankPeaks.length > 0 ? (rankPeaks.some((r) => r.source === 'process-rss') ? 'process-rss' : 'process-peak-vmhwm') : 'framework-memory',
    powerMeanWatts: meanPowerWatts(series),
    energy: summary.energy,
  };
}

/** Each rank's largest process memory over its steps (VmHWM, else RSS), with the source. */
function rankPeakMemory(steps: RankStep[]): Array<{ rank: number; peakBytes: number; source: string }> {
  const byRank = new Map<number, { rank: number; peakBytes: number; source: string }>();
  for (const s of steps) {
    if (s.rankMemoryBytes === null || s.rankMemoryBytes === undefined) continue;
    const seen = byRank.get(s.rank);
    if (!seen || s.rankMemoryBytes > seen.peakBytes) byRank.set(s.rank, { rank: s.rank, peakBytes: s.rankMemoryBytes, source: s.rankMemorySource ?? 'process-rss' });
  }
  return [...byRank.values()].sort((a, b) => a.rank - b.rank);
}

/** `stepsCount` distinct steps (for checks). */
export function stepCount(steps: RankStep[]): number {
  return perStep(steps).size;
}
