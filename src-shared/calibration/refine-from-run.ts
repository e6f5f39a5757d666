/**
 * Learning from a finished run: its measured compute time and per-parallelism communication time,
 * against what its calibrated prediction said, scale the figures that predicted them (segment times;
 * the collectives the run used) into a new calibration record. The previous record is kept and named,
 * so the planner can say when and from what its figures last changed. A step-time ratio is noisy on
 * a shared host, so the new figure moves half way: new = old x (1 + (ratio - 1) / 2).
 */
import type { ParallelismKind } from '../engine-events.js';
import type { CollectiveOp, HostCalibration } from './calibration-record.js';
import type { EnginePrediction } from './engine-prediction.js';
import type { TorchStepPrediction } from './torch-prediction.js';

/** Mean seconds per step of one run, over its ranks and its steps after the first. */
export interface RunMeasuredSeconds {
  computeSeconds: number;
  /** All communication, however the engine splits it (the torch script does not split it by parallelism). */
  communicationSeconds?: number;
  communicationSecondsByParallelism: Record<ParallelismKind, number>;
}

/** How far a new measurement moves a figure (0 = not at all, 1 = all the way). */
export const refineWeight = 0.5;

const opsOf: Record<ParallelismKind, CollectiveOp[]> = { dp: ['allReduce', 'reduceScatter', 'allGather'], tp: ['allReduce'], pp: ['send'] };

function blend(ratio: number): number {
  return Number.isFinite(ratio) && ratio > 0 ? 1 + (ratio - 1) * refineWeight : 1;
}

/** Predicted communication seconds by kind, summed over ranks' means, from the prediction's ranks (bytes say which kinds were used). */
function predictedCommunication(prediction: EnginePrediction): Record<ParallelismKind, number> {
  const out = { dp: 0, tp: 0, pp: 0 };
  const total = prediction.timeBreakdownSeconds.communication;
  const bytes = prediction.commBytesPerStepPerGpu;
  const sum = bytes.dp + bytes.tp + bytes.pp;
  for (const k of ['dp', 'tp', 'pp'] as const) out[k] = sum > 0 ? (total * bytes[k]) / sum : 0;
  return out;
}

/** The refined calibration (not yet stored), or null when the run says nothing new (no calibrated prediction, no steps). */
export function refineFromRun(previous: HostCalibration, prediction: EnginePrediction, measured: RunMeasuredSeconds, runId: string, nowMs: number): HostCalibration | null {
  if (prediction.kind !== 'engine-calibrated' || !(measured.computeSeconds > 0) || !(prediction.timeBreakdownSeconds.compute > 0)) return null;
  // ranks on other hosts computed at their hosts' pace: a run spanning hosts says nothing about this host's compute alone
  const spansHosts = prediction.crossHost !== undefined && Object.values(prediction.crossHost).some(Boolean);
  const computeScale = spansHosts ? 1 : blend(measured.computeSeconds / prediction.timeBreakdownSeconds.compute);
  const predictedComm = predictedCommunication(prediction);
  const opScale = new Map<string, number>();
  for (const kind of ['dp', 'tp', 'pp'] as const) {
    if (predictedComm[kind] <= 0 || measured.communicationSecondsByParallelism[kind] <= 0) continue;
    const scope = prediction.crossHost?.[kind] ? 'cross-host' : 'host';
    for (const op of opsOf[kind]) opScale.set(`${op}:${scope}`, blend(measured.communicationSecondsByParallelism[kind] / predictedComm[kind]));
  }
  const { id: previousId, ...rest } = previous;
  return {
    ...rest,
    measuredAtMs: nowMs,
    origin: { kind: 'run', runId, previousId: previousId ?? null },
    engines: previous.engines.map((e) => (e.backend === prediction.basis.backend
      ? { ...e, segments: e.segments.map((s) => ({ ...s, seconds: s.seconds * computeScale })), adamSecondsPerElement: e.adamSecondsPerElement * computeScale }
      : e)),
    collectives: previous.collectives.map((c) => ({ ...c, seconds: c.seconds * (opScale.get(`${c.op}:${c.scope}`) ?? 1) })),
  };
}

/**
 * The same for a run of the bundled torch script predicted from the torch step (torch-prediction.ts): measured compute
 * (its optimizer step included, as the rank's clock counts it) scales the step and Adam timings, measured
 * communication the Gloo all-reduce timings; half way, as above.
 */
export function refineTorchFromRun(previous: HostCalibration, prediction: TorchStepPrediction, measured: RunMeasuredSeconds, runId: string, nowMs: number): HostCalibration | null {
  const torch = previous.torch;
  const predictedCompute = prediction.timeBreakdownSeconds.compute + prediction.timeBreakdownSeconds.optimizer;
  if (!torch?.step || !(measured.computeSeconds > 0) || !(predictedCompute > 0)) return null;
  const computeScale = blend(measured.computeSeconds / predictedCompute);
  const comm = measured.communicationSeconds ?? 0;
  const commScale = comm > 0 && prediction.timeBreakdownSeconds.communication > 0 ? blend(comm / prediction.timeBreakdownSeconds.communication) : 1;
  const { id: previousId, ...rest } = previous;
  return {
    ...rest,
    measuredAtMs: nowMs,
    origin: { kind: 'run', runId, previousId: previousId ?? null },
    torch: {
      ...torch,
      glooAllReduce: torch.glooAllReduce.map((p) => ({ ...p, seconds: p.seconds * commScale })),
      step: {
        ...torch.step,
        forwardBackward: torch.step.forwardBackward.map((p) => ({ ...p, seconds: p.seconds * computeScale })),
        optimizer: torch.step.optimizer.map((o) => ({ ...o, seconds: o.seconds * computeScale })),
      },
    },
  };
}
