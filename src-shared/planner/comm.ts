/** Communication volumes of each parallelism kind and the NCCL bus-bandwidth conventions. */

/** Collective operations with their NCCL-tests bus-bandwidth factor. */
export type Collective = 'all-reduce' | 'reduce-scatter' | 'all-gather' | 'all-to-all' | 'broadcast' | 'reduce';

/** busbw = algbw × factor (NCCL-tests PERFORMANCE.md): all-reduce 2(n−1)/n; RS, AG, all-to-all (n−1)/n; broadcast, reduce 1. */
export function busBandwidthFactor(op: Collective, ranks: number): number {
  if (op === 'all-reduce') return (2 * (ranks - 1)) / ranks;
  if (op === 'broadcast' || op === 'reduce') return 1;
  return (ranks - 1) / ranks;
}

/** Bytes each rank sends in a ring collective over an S-byte buffer (S = the whole array for RS/AG). */
export function ringBytesSentPerRank(op: Collective, ranks: number, bufferBytes: number): number {
  return ranks <= 1 ? 0 : busBandwidthFactor(op, ranks) * bufferBytes;
}

/** Megatron SC21: tensor-parallel elements sent per device per layer per micro-batch, 8·b·s·h·(t−1)/t (2 all-reduces forward, 2 backward). */
export function tpElementsPerLayerPerMicroBatch(microBatch: number, seqLen: number, hidden: number, tp: number): number {
  return (8 * microBatch * seqLen * hidden * (tp - 1)) / tp;
}

/** Megatron SC21: pipeline point-to-point elements per micro-batch per stage boundary and direction, b·s·h (÷t with scatter/gather). */
export function ppElementsPerMicroBatch(microBatch: number, seqLen: number, hidden: number, tp = 1, scatterGather = false): number {
  return (microBatch * seqLen * hidden) / (scatterGather ? tp : 1);
}

/** ZeRO communication per step in parameter elements: 2Ψ for DP, ZeRO-1 and ZeRO-2; 3Ψ for ZeRO-3 (in the large-N limit). */
export function zeroCommElements(params: number, zeroStage: 0 | 1 | 2 | 3): number {
  return (zeroStage === 3 ? 3 : 2) * params;
}

/** Bytes a rank sends per step for gradient sync over a DP group of `dp`: ring all-reduce, or ZeRO-3's RS + 2 AG. */
export function dpBytesSentPerRank(paramsPerGpu: number, bytesPerElement: number, dp: number, zeroStage: 0 | 1 | 2 | 3): number {
  if (dp <= 1) return 0;
  return (zeroCommElements(paramsPerGpu, zeroStage) * bytesPerElement * (dp - 1)) / dp;
}

/** Pipeline bubble as a fraction of ideal compute time: (p−1)/(v·m) (Narayanan et al. SC21). */
export function bubbleFraction(pp: number, numMicroBatches: number, virtualStages = 1): number {
  return (pp - 1) / (virtualStages * numMicroBatches);
}

/** Which link a process group uses: ranks laid out tp innermost, then dp, then pp (Megatron order). */
export function groupSpansNodes(groupSize: number, stride: number, gpusPerNode: number): boolean {
  return groupSize > 1 && groupSize * stride > gpusPerNode;
}
