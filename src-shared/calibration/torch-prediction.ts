/**
 * Prediction of a `run --engine torch` run of the bundled reference script (train_gpt.py, DDP) from the host's
 * calibration of that script's own step (calibrate_torch.py): per rank, micro-batches x forward + backward at the
 * micro-batch's size and the threads the rank gets (cores / ranks on the host), slowed by the measured contention
 * when 2 ranks share the host, then Adam, then DDP's gradient all-reduce and the loss all-reduce at the measured
 * Gloo times plus the ranks' wait for each other there (the host's lockstep jitter). Memory and bytes stay the planner's (its fp32 DDP model counts what the script holds and sends).
 * Pure: the caller passes the calibration and the planner's result for the same run.
 */
import type { TrainConfig } from '../engine-config.js';
import type { PlanResult } from '../planner/index.js';
import type { HostCalibration, TorchStepTiming } from './calibration-record.js';
import { interpolate, robustAffineFit } from './interpolate.js';

/** Where the run's ranks are and what they run. */
export interface TorchRunShape {
  /** Ranks on the most loaded host. */
  ranksPerHost: number;
  /** The bundled train_gpt.py with DDP (a user's script or FSDP is not what the step probe timed). */
  bundledScript: boolean;
}

/** A torch run's prediction from the step probe (the planner's result with the step's figures). */
export type TorchStepPrediction = PlanResult & { kind: 'torch-calibrated'; note: string; gaps: string[] };

function forwardBackwardSeconds(step: TorchStepTiming, batch: number, threads: number, gaps: string[]): number | null {
  const measuredThreads = [...new Set(step.forwardBackward.map((p) => p.threads))];
  if (measuredThreads.length === 0) return null;
  const nearest = measuredThreads.reduce((a, t) => (Math.abs(t - threads) < Math.abs(a - threads) ? t : a));
  if (nearest !== threads) gaps.push(`torch step at ${threads} thread(s) not measured: read at ${nearest}`);
  const points = step.forwardBackward.filter((p) => p.threads === nearest).map((p) => [p.batch, p.seconds] as const);
  if (!points.some(([b]) => b === batch)) gaps.push(`torch step at micro-batch ${batch} (${nearest} thread(s)) not measured: read off the fitted line`);
  return robustAffineFit(points, batch).value;
}

/** The step-based prediction, or null when the calibration has no step probe for this run (the caller falls back to the planner). */
export function torchStepPrediction(config: TrainConfig, calibration: HostCalibration, run: TorchRunShape, plan: PlanResult | null): TorchStepPrediction | null {
  const torch = calibration.torch;
  const { dp, tp, pp } = config.strategy;
  if (!torch?.step || !plan || !run.bundledScript || tp > 1 || pp > 1 || torch.model !== config.model.name) return null;
  const gaps: string[] = [];
  const threads = Math.max(1, Math.floor(calibration.cpu.cores / Math.max(1, run.ranksPerHost)));
  const batch = Math.max(1, Math.floor(config.globalBatch / dp / config.microBatches));
  const forwardBackward = forwardBackwardSeconds(torch.step, batch, threads, gaps);
  if (forwardBackward === null) return null;
  const optimizer = torch.step.optimizer.find((o) => o.threads === threads)?.seconds ?? torch.step.optimizer[0]?.seconds ?? 0;
  let slowdown = 1;
  if (run.ranksPerHost > 1) {
    const measured = torch.step.contention;
    if (!measured) gaps.push('torch ranks sharing the host: contention not measured, taken as 1');
    else if (measured.slowdown < 1) gaps.push(`torch contention measured below 1 (x${measured.slowdown.toFixed(2)}): taken as 1, ranks cannot speed each other up`);
    else slowdown = measured.slowdown * (run.ranksPerHost > measured.processes ? run.ranksPerHost / measured.processes : 1);
  }
  const compute = config.microBatches * forwardBackward * slowdown + optimizer;
  const gloo = torch.glooAllReduce.map((p) => [p.bytes, p.seconds] as const);
  const gradientBytes = plan.model.params * 4;
  // DDP ranks also wait for each other at the gradient sync (the host's calibrated lockstep jitter, as for the
  // built-in engine's ranks); the script's comm hook counts that wait as communication
  const wait = dp > 1 ? (calibration.lockstep?.waitFraction ?? 0) * compute : 0;
  if (dp > 1 && !calibration.lockstep) gaps.push('lockstep jitter not calibrated: DDP ranks assumed to reach their sync together');
  const communication = dp > 1 ? (interpolate(gloo, gradientBytes) ?? 0) + (interpolate(gloo, 4) ?? 0) + wait : 0;
  if (dp > 1 && run.ranksPerHost < dp) gaps.push('DDP ranks on several hosts: Gloo timed between 2 ranks of one host');
  const stepTimeSeconds = compute + communication;
  const scale = stepTimeSeconds / plan.stepTimeSeconds;
  return {
    ...plan,
    kind: 'torch-calibrated',
    stepTimeSeconds,
    tokensPerSecond: (config.globalBatch * config.model.seqLen) / stepTimeSeconds,
    timeBreakdownSeconds: { compute: compute - optimizer, communication, bubble: 0, optimizer },
    bubbleFraction: 0,
    // FLOP rates and energy follow the step time (the planner's FLOPs and power, over the measured step)
    tflopsPerGpu: plan.tflopsPerGpu / scale,
    modelTflopsPerGpu: plan.modelTflopsPerGpu / scale,
    mfu: plan.mfu / scale,
    energyJoulesPerStep: plan.energyJoulesPerStep * scale,
    joulesPerToken: plan.joulesPerToken * scale,
    gaps,
    note: `predicted from calibration #${calibration.id ?? '-'} of ${calibration.hostId} (${new Date(calibration.measuredAtMs).toISOString()}): train_gpt.py's own step `
      + `(micro-batch ${batch}, ${threads} thread(s)${slowdown > 1 ? `, x${slowdown.toFixed(2)} for ${run.ranksPerHost} ranks at once` : ''}), Gloo all-reduce; memory and bytes by the planner`
      + `${gaps.length ? `; ${gaps.join('; ')}` : ''}`,
  };
}
