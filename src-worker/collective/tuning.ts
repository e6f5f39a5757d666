/** The collectives' tuning switches with their defaults filled in, checked once at initCollective. */
import { DEFAULT_SEGMENT_ELEMENTS } from './chunk-bounds.js';
import type { AllReduceAlgorithm, CollectiveTuning } from './types.js';

/** Default pipeline segment of the ring: large enough to amortise per-frame cost, small enough to overlap (the pair-wise all-reduce uses 4 MiB instead). */
export const DEFAULT_SEGMENT_BYTES = DEFAULT_SEGMENT_ELEMENTS * 4;
/** Default scatter segments per peer in flight in the pair-wise all-reduce. */
export const DEFAULT_SCATTER_WINDOW_SEGMENTS = 2;
/** The all-reduce algorithms a caller may ask for. */
export const ALL_REDUCE_ALGORITHMS: readonly AllReduceAlgorithm[] = ['auto', 'ring', 'direct'];

/** Tuning as the library's parts use it: every switch set. */
export interface ResolvedTuning {
  /** Largest ring segment in 4-byte elements. */
  segmentElements: number;
  allReduceAlgorithm: AllReduceAlgorithm;
  zeroCopyReads: boolean;
  simdSum: boolean;
  scatterWindowSegments: number;
}

/** What is wrong with the tuning fields (empty when they are fine). */
export function tuningProblems(tuning: CollectiveTuning): string[] {
  const problems: string[] = [];
  if (tuning.segmentBytes !== undefined && !(tuning.segmentBytes >= 4)) problems.push(`segmentBytes must be at least 4, got ${tuning.segmentBytes}`);
  if (tuning.allReduceAlgorithm !== undefined && !ALL_REDUCE_ALGORITHMS.includes(tuning.allReduceAlgorithm)) {
    problems.push(`allReduceAlgorithm must be one of ${ALL_REDUCE_ALGORITHMS.join(', ')}, got ${String(tuning.allReduceAlgorithm)}`);
  }
  const window = tuning.scatterWindowSegments;
  if (window !== undefined && !(Number.isInteger(window) && window >= 1)) problems.push(`scatterWindowSegments must be a positive integer, got ${window}`);
  return problems;
}

/** Fills in the defaults (the fields are assumed checked by tuningProblems). */
export function resolveTuning(tuning: CollectiveTuning): ResolvedTuning {
  return {
    segmentElements: Math.max(1, Math.floor((tuning.segmentBytes ?? DEFAULT_SEGMENT_BYTES) / 4)),
    allReduceAlgorithm: tuning.allReduceAlgorithm ?? 'auto',
    zeroCopyReads: tuning.zeroCopyReads ?? true,
    simdSum: tuning.simdSum ?? true,
    scatterWindowSegments: tuning.scatterWindowSegments ?? DEFAULT_SCATTER_WINDOW_SEGMENTS,
  };
}
