/**
 * The compute-efficiency model: what fraction of a GPU's peak the matrix multiplications, the attention
 * kernel and the memory-bound work of a transformer layer reach, from GEMM sizes, attention kernel and
 * precision. Constants and the public runs they were fitted on: docs/planner.md ("Efficiency model").
 * A measured calibration (achieved matmul FLOP/s) replaces the architecture's ceiling.
 */
import type { GpuSpec } from './schemas.js';

/** Training precision. */
export type Dtype = 'bf16' | 'fp16' | 'fp8' | 'fp32';

/** Fraction of dense peak that large, well-shaped GEMMs reach in training, per GPU generation (cuBLAS/hipBLASLt). */
export const gemmCeiling: Record<NonNullable<GpuSpec['arch']>, number> = {
  volta: 0.7, ampere: 0.71, ada: 0.6, hopper: 0.56, blackwell: 0.5, cdna2: 0.4, cdna3: 0.4, cpu: 0.1,
};

/**
 * Half-saturation of the per-GPU hidden width h/tp, per FLOP/byte of machine balance (peak / memory bandwidth):
 * the memory-bound work of a layer (norms, activations, residuals, casts) and small-GEMM tails scale as 1/(h/t)
 * relative to its GEMMs, more so on GPUs whose peak outruns their memory.
 */
export const WIDTH_HALF_PER_BALANCE = 2.9;
/** Half-saturation of the tokens in one micro-batch on one GPU (b·s/cp): short GEMMs tile poorly. */
export const TOKENS_HALF = 128;
/** FP8 GEMMs reach a lower fraction of their (doubled) peak: scaling, casts and transposes (Transformer Engine). */
export const FP8_GEMM_FACTOR = 0.65;
/**
 * Fraction of 16-bit peak flash attention reaches forward + backward on the causal half it computes, per
 * generation: between FlashAttention-2's published figures (Dao 2023: ~50% of A100, ~30–35% of H100, not
 * Hopper-tuned) and older Triton kernels (MosaicML's long-sequence rows run ~20–40% slower), see docs/planner.md.
 */
export const flashAttentionFraction: Record<NonNullable<GpuSpec['arch']>, number> = {
  volta: 0.25, ampere: 0.45, ada: 0.4, hopper: 0.28, blackwell: 0.3, cdna2: 0.22, cdna3: 0.26, cpu: 0.1,
};
/** Standard attention's batched GEMMs reach this fraction of the ceiling (they compute the whole s² matrix). */
export const STANDARD_ATTENTION_FACTOR = 0.8;
/**
 * Memory traffic of standard attention per score element per layer, in bytes: the scores written, a fused
 * scale-mask-softmax and dropout read and written in forward (about 9 bytes), their gradients in backward (about 15).
 */
export const STANDARD_SCORE_BYTES = 24;
/** Exponent of the clock (and so FLOP rate) against a power cap below TDP: rate ∝ (cap/TDP)^0.4 (assumption, docs/planner.md). */
export const POWER_CAP_EXPONENT = 0.4;

/** The generation of a GPU: its `arch`, else read from its name (a spec file may leave it out), else Ampere. */
export function archOf(gpu: GpuSpec): NonNullable<GpuSpec['arch']> {
  if (gpu.arch) return gpu.arch;
  const name = gpu.name.toLowerCase();
  const rules: [RegExp, NonNullable<GpuSpec['arch']>][] = [
    [/\b(h100|h200|h800|h20|gh200)\b/, 'hopper'], [/\b(b100|b200|gb200|b300|gb300)\b/, 'blackwell'], [/\b(l4|l40s?|rtx 40\d\d|rtx 6000 ada)\b/, 'ada'],
    [/\bv100\b/, 'volta'], [/\bmi300/, 'cdna3'], [/\bmi2[05]0/, 'cdna2'], [/\bcpu\b/, 'cpu'],
  ];
  return rules.find(([re]) => re.test(name))?.[1] ?? 'ampere';
}

/** Peak dense FLOP/s of a precision on a GPU; null where it has no such units. */
export function peakFlops(gpu: GpuSpec, dtype: Dtype): number | null {
  if (dtype === 'fp32') return gpu.fp32FlopsPerSecond;
  if (dtype === 'fp8') return gpu.fp8FlopsPerSecond ?? null;
  if (dtype === 'fp16') return gpu.fp16FlopsPerSecond ?? gpu.bf16FlopsPerSecond;
  return gpu.bf16FlopsPerSecond;
}

/** The 16-bit peak attention and non-FP8 work run at (FP8 training keeps attention in BF16). */
export function sixteenBitPeak(gpu: GpuSpec): number {
  return gpu.bf16FlopsPerSecond ?? gpu.fp16FlopsPerSecond ?? gpu.fp32FlopsPerSecond;
}

/** Saturating factor x/(x + half). */
function saturate(x: number, half: number): number {
  return x / (x + half);
}

/** What the efficiency model needs of a strategy. */
export interface GemmShape {
  /** Effective GEMM width per GPU: h/√tp (TP shrinks one of each GEMM's two weight dimensions by tp). */
  widthPerGpu: number;
  /** Tokens of one micro-batch on one GPU, b·s/cp. */
  tokensPerGpu: number;
  dtype: Dtype;
}

/** Where the achieved rates come from, for the plan's `efficiency` field. */
export interface EfficiencyResult {
  /** Achieved FLOP/s of the layer GEMMs. */
  gemmFlopsPerSecond: number;
  /** Achieved FLOP/s of the attention kernel on the FLOPs Megatron counts (whole s² matrix). */
  attentionFlopsPerSecond: number;
  /** GEMM rate as a fraction of the precision's peak. */
  gemmFraction: number;
  source: 'model' | 'calibration' | 'override';
}

/**
 * Achieved GEMM and attention rates: ceiling(arch) × h/t-saturation × token-saturation (× FP8 factor),
 * or a calibrated large-GEMM rate in place of the ceiling, or a fixed fraction of peak (override / CPU entry).
 */
export function achievedRates(gpu: GpuSpec, shape: GemmShape, attention: 'flash' | 'standard', fixedFraction?: number, clockFactor = 1): EfficiencyResult {
  const peak = (peakFlops(gpu, shape.dtype) ?? sixteenBitPeak(gpu)) * clockFactor;
  const peak16 = (shape.dtype === 'fp32' ? gpu.fp32FlopsPerSecond : sixteenBitPeak(gpu)) * clockFactor;
  const fixed = fixedFraction ?? gpu.computeEfficiency;
  if (fixed !== undefined) {
    return { gemmFlopsPerSecond: peak * fixed, attentionFlopsPerSecond: peak16 * fixed, gemmFraction: fixed, source: fixedFraction !== undefined ? 'override' : 'model' };
  }
  const balance = sixteenBitPeak(gpu) / gpu.memoryBandwidthBytesPerSecond;
  const sizeFactor = saturate(shape.widthPerGpu, WIDTH_HALF_PER_BALANCE * balance) * saturate(shape.tokensPerGpu, TOKENS_HALF);
  const arch = archOf(gpu);
  const ceiling = gemmCeiling[arch];
  const calibrated = gpu.calibration?.matmulFlopsPerSecond?.[shape.dtype];
  const calibrated16 = gpu.calibration?.matmulFlopsPerSecond?.[shape.dtype === 'fp32' ? 'fp32' : 'bf16'];
  const precisionFactor = shape.dtype === 'fp8' ? FP8_GEMM_FACTOR : 1;
  const gemmCeilingRate = calibrated !== undefined ? calibrated * clockFactor : peak * ceiling * precisionFactor;
  // Relative to the GEMM ceiling, so that a calibrated matmul rate moves attention with it.
  const attentionOfCeiling = attention === 'flash' ? flashAttentionFraction[arch] / ceiling * 2 : STANDARD_ATTENTION_FACTOR;
  const attentionCeilingRate = calibrated16 !== undefined ? calibrated16 * clockFactor : peak16 * ceiling;
  const gemm = gemmCeilingRate * sizeFactor;
  const flashCalibrated = attention === 'flash' ? gpu.calibration?.flashAttentionFlopsPerSecond : undefined;
  return {
    gemmFlopsPerSecond: gemm,
    // Flash computes only the causal half of what Megatron's formula counts, hence the factor 2.
    attentionFlopsPerSecond: flashCalibrated !== undefined ? 2 * flashCalibrated * clockFactor
      : attentionCeilingRate * attentionOfCeiling * saturate(shape.tokensPerGpu, TOKENS_HALF),
    gemmFraction: gemm / peak,
    source: calibrated !== undefined || flashCalibrated !== undefined ? 'calibration' : 'model',
  };
}

/** Clock factor of a power cap: (cap/TDP)^0.4, 1 without a cap or at or above TDP. */
export function powerCapClockFactor(gpu: GpuSpec, powerCapWatts?: number): number {
  if (powerCapWatts === undefined || powerCapWatts >= gpu.tdpWatts) return 1;
  return (powerCapWatts / gpu.tdpWatts) ** POWER_CAP_EXPONENT;
}
