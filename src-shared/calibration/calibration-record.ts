/**
 * What `shardscope calibrate` measures on one host, as stored and as predictions read it: the
 * built-in engine's segment times at the model's shapes, matrix-product throughput, memory
 * bandwidth, the per-rank runtime memory baseline, collective times against message size, and
 * where each figure came from (when, which software, or which finished run refined it).
 */
import type { ModelConfig } from '../engine-config.js';

/** A piece of the built-in engine's step that calibrate times on its own (src-worker/engine). */
export type EngineSegment =
  | 'fused' // whole model forward + backward on one tape (dp-only ranks: fused-step.ts)
  | 'embed-forward' | 'embed-backward'
  | 'attn-forward' | 'attn-backward' // backward re-runs the sub-layer's forward inside tf.grads
  | 'mlp-forward' | 'mlp-backward'
  | 'head'; // final LN + LM head + loss, forward and backward on one tape

/** Seconds of one segment for a micro-batch of `batch` sequences on a TP shard of `tp`; `frameworkPeakBytes` = tf.profile's peak of new bytes. */
export interface SegmentTiming {
  segment: EngineSegment;
  tp: number;
  batch: number;
  seconds: number;
  frameworkPeakBytes: number;
}

/** Achieved FLOP/s of one float32 matrix product [m, k] x [k, n] in the engine's backend. */
export interface MatmulThroughput {
  m: number;
  k: number;
  n: number;
  flopsPerSecond: number;
}

/** One engine on one host, measured at one model's shapes. */
export interface EngineCalibration {
  engine: 'tfjs';
  backend: string;
  device: string;
  model: ModelConfig;
  segments: SegmentTiming[];
  matmul: MatmulThroughput[];
  /** Adam's update, per parameter element (typed arrays, adam.ts). */
  adamSecondsPerElement: number;
  /** Rebuilding the parameter tensors after the update, per element (param-store.ts refresh). */
  refreshSecondsPerElement: number;
  /** Streaming copy of a large Float32Array (read + write bytes counted). */
  memoryBandwidthBytesPerSecond: number;
  /** Peak resident memory (VmHWM) of a worker once its backend is up and has run a first kernel, before any model is built. */
  runtimeBaselineBytes: number;
  /**
   * Resident bytes (VmHWM growth) per byte of the framework's activation peak (tf.profile), measured on the whole-model
   * tape in a fresh process: the backend's heap does not hold every byte the framework counts at once.
   */
  activationResidentFraction: number;
  /**
   * Resident bytes a segmented stage (the TP/PP path) holds beyond its tensors — copies between segments and for
   * collectives that the JS heap frees only at its next collection — measured on a TP stage in a fresh process.
   */
  segmentedOverheadBytes: number;
  /** What the copies out of and back into tensors around every TP all-reduce add to a TP stage's peak, at `probeBatch` sequences (absent before it was measured). */
  tpCopyOverheadBytes?: number;
  /** Micro-batch (sequences) of the memory probes. */
  probeBatch?: number;
  /** Compute slowdown when `processes` ranks compute at once on this host (1 = none), from the same workload run alone and together. */
  concurrency: ConcurrencyPoint[];
}

/** The PyTorch engine on one host: its matmul throughput at the model's GEMM shapes and Gloo's all-reduce, 2 local ranks. */
export interface TorchCalibration {
  python: string;
  torchVersion: string;
  pythonVersion: string;
  /** `cpu` or `cuda`. */
  device: string;
  /** torch.get_num_threads() of the measuring process (one rank). */
  threads: number;
  /** The model whose GEMM shapes were timed. */
  model: string;
  matmul: MatmulThroughput[];
  /** Gloo all-reduce, 2 ranks on this host: seconds per call against payload bytes (median). */
  glooAllReduce: Array<{ bytes: number; seconds: number }>;
  /** The reference script's own training step (absent in calibrations made before it was measured). */
  step?: TorchStepTiming;
}

/** train_gpt.py's step timed by calibrate_torch.py: forward + backward per micro-batch and thread count (means), Adam, 2 ranks at once. */
export interface TorchStepTiming {
  forwardBackward: Array<{ batch: number; threads: number; seconds: number }>;
  optimizer: Array<{ threads: number; seconds: number }>;
  /** 2 ranks at 1 thread each computing at once against one alone (interleaved in the same processes). */
  contention?: ConcurrencyPoint;
}

/**
 * Ranks that sync between equal pieces of work (TP all-reduces, the DP all-reduce) still arrive at different
 * times on a host whose cores are shared: measured as the wait beyond the call itself, per second of compute.
 */
export interface LockstepJitter {
  groupSize: number;
  /** Compute between two syncs in the probe. */
  segmentSeconds: number;
  waitFraction: number;
}

/**
 * One TP layer of the built-in engine (its attention and MLP sub-layers, forward then backward) timed by the ranks
 * of a TP group on this host: alone, then in lockstep through their all-reduces, interleaved in the same processes.
 */
export interface TpLockstep {
  tp: number;
  /** Micro-batch sequences of the probe. */
  batch: number;
  /** Compute in lockstep over compute alone (forward sub-layers; backward sub-layers, which re-run their forward). */
  forwardSlowdown: number;
  backwardSlowdown: number;
  /** The layer's forward + backward compute alone (seconds). */
  aloneLayerSeconds: number;
  /** Mean seconds in one TP all-reduce in lockstep (4 per layer), the bare call on the same payload (every rank idle), and the difference: the wait. */
  syncSeconds: number;
  bareAllReduceSeconds: number;
  waitPerSyncSeconds: number;
}

/** How much slower `processes` ranks compute the same work at once than one alone (1 = not at all). */
export interface ConcurrencyPoint {
  processes: number;
  slowdown: number;
}

/** How much a gradient collective's own buffers add to a rank's peak resident memory (VmHWM growth over two calls, fresh process). */
export interface CollectiveMemory {
  op: 'allReduce' | 'reduceScatter' | 'allGather';
  bytes: number;
  growthBytes: number;
}

/** A collective operation calibrate times; `send` is one message to a neighbour, as a pipeline stage sends. */
export type CollectiveOp = 'allReduce' | 'reduceScatter' | 'allGather' | 'send';

/** Seconds of one collective call on `bytes` of payload per rank, in a group of `groupSize` ranks within one host or across hosts. */
export interface CollectiveTiming {
  op: CollectiveOp;
  groupSize: number;
  scope: 'host' | 'cross-host';
  bytes: number;
  seconds: number;
}

/** Where a calibration's figures came from. */
export type CalibrationOrigin = { kind: 'calibrate' } | { kind: 'run'; runId: string; previousId: number | null };

/** Everything measured on one host at one time. */
export interface HostCalibration {
  /** Store row id (absent before it is stored). */
  id?: number;
  hostId: string;
  measuredAtMs: number;
  origin: CalibrationOrigin;
  /** Versions of what was measured: node, shardscope, tfjs, backend. */
  software: Record<string, string>;
  cpu: { model: string; cores: number };
  engines: EngineCalibration[];
  collectives: CollectiveTiming[];
  /** How long lockstep ranks wait for each other, per second of compute (absent in calibrations made before it was measured). */
  lockstep?: LockstepJitter;
  /** TP ranks in lockstep on this host (absent in calibrations made before it was measured, or for models TP cannot split). */
  tpLockstep?: TpLockstep;
  /** The gradient collectives' own buffers (absent in calibrations made before they were measured). */
  collectiveMemory?: CollectiveMemory[];
  /** The PyTorch engine's figures where Python and torch are present (absent: said in `missing`). */
  torch?: TorchCalibration;
  /** The hosts the `cross-host` collectives were timed with (calibrate --hosts; several peers: the slowest pair per size). */
  crossHostPeers?: string[];
  /** Idle and loaded power where a sensor is readable (source named), else null. */
  power: { idleWatts: number; loadedWatts: number; source: string } | null;
  /** What could not be measured and why (said, never filled in with catalogue guesses). */
  missing: string[];
}

/** Calibrations older than this are said to be stale. */
export const calibrationStaleAfterMs = 7 * 24 * 3600 * 1000;

/** "3 min ago", "2 days ago" — the age a calibration is shown with. */
export function calibrationAge(measuredAtMs: number, nowMs: number): string {
  const seconds = Math.max(0, (nowMs - measuredAtMs) / 1000);
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 2 * 86400) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

/** This host's latest calibration and the ones before it (what changed, when, from what), for the app. */
export interface CalibrationState {
  hostId: string;
  latest: HostCalibration | null;
  history: Array<{ id: number; measuredAtMs: number; origin: CalibrationOrigin }>;
}

/** What a calibrate-engine probe prints (src-worker/calibrate/memory-probes.ts): its time and its fresh process's memory. */
export interface CalibrationProbeResult {
  seconds: number;
  /** VmHWM once the backend ran a first kernel (null where /proc is not readable). */
  runtimeBaselineBytes: number | null;
  peakResidentBytes: number | null;
  /** Resident bytes it holds besides activations: parameters twice (flat + tensors) and the flat gradients. */
  heldBytes: number;
  /** tf.profile's peak above the bytes held before one repetition. */
  frameworkPeakBytes: number;
}
