/** Zod schemas of the planner's inputs (model files, GPU specs, plan and search requests), shared by CLI, main and UI. */
import { z } from 'zod';
import { ShardScopeError } from '../errors.js';

const positiveInt = z.number().int().positive();

/** A transformer model's shape, as in a model FILE: `{name, layers, hidden, heads, vocab, seqLen}` plus optional details. */
export const modelSpecSchema = z.object({
  name: z.string().min(1).max(200),
  layers: positiveInt,
  hidden: positiveInt,
  heads: positiveInt,
  vocab: positiveInt,
  seqLen: positiveInt,
  ffnHidden: positiveInt.optional(),
  kvHeads: positiveInt.optional(),
  mlp: z.enum(['gelu', 'relu', 'swiglu']).optional(),
  positions: z.enum(['learned', 'rotary']).optional(),
  tiedEmbeddings: z.boolean().optional(),
  bias: z.boolean().optional(),
  /** Dropout in training (two 1-byte masks per layer); default: models with biases (GPT, OPT, BLOOM) have it, Llama-style ones do not. */
  dropout: z.boolean().optional(),
  globalBatch: positiveInt.optional(),
  /** Attention kernel the model's usual stack runs (flash/fused: no s² scores stored); the strategy may override it. */
  attention: z.enum(['flash', 'standard']).optional(),
  /** Mixture-of-experts MLP (every layer but the first `denseLayers`). */
  moe: z.object({
    experts: positiveInt,
    topK: positiveInt,
    sharedExperts: z.number().int().nonnegative().optional(),
    expertFfnHidden: positiveInt.optional(),
    capacityFactor: z.number().positive().optional(),
    denseLayers: z.number().int().nonnegative().optional(),
  }).strict().refine((m) => m.topK <= m.experts, { message: 'topK must not exceed experts' }).optional(),
  source: z.string().optional(),
  /** What a reader of the model's description approximated or did not understand (e.g. from a config.json). */
  notes: z.array(z.string()).optional(),
}).refine((m) => m.kvHeads === undefined || m.heads % m.kvHeads === 0, { message: 'heads must be a multiple of kvHeads' });

/** A model shape with every optional detail filled in. */
export type ModelSpec = z.infer<typeof modelSpecSchema>;

/** One measured collective point: bus bandwidth reached at a message size. */
const busPointSchema = z.object({ bytes: z.number().positive(), busBytesPerSecond: z.number().positive() }).strict();

/**
 * Measured calibration of a device type: achieved matrix FLOP/s per precision (large GEMMs) and
 * collective bus bandwidth against message size inside a node and between nodes.
 */
export const calibrationSchema = z.object({
  matmulFlopsPerSecond: z.object({ bf16: z.number().positive(), fp16: z.number().positive(), fp8: z.number().positive(), fp32: z.number().positive() }).partial().strict().optional(),
  /** Achieved 16-bit flash attention forward + backward, FLOP/s on the causal half it computes (the kernel's own count). */
  flashAttentionFlopsPerSecond: z.number().positive().optional(),
  intraNodeBusBandwidth: z.array(busPointSchema).min(1).optional(),
  interNodeBusBandwidth: z.array(busPointSchema).min(1).optional(),
  source: z.string().optional(),
}).strict();

/** Measured calibration of a device type. */
export type Calibration = z.infer<typeof calibrationSchema>;

/** One accelerator type of the catalogue (peaks, memory, power, links). */
export const gpuSpecSchema = z.object({
  name: z.string().min(1),
  /** Dense BF16 tensor peak; null where the part has none (V100, CPU). */
  bf16FlopsPerSecond: z.number().positive().nullable(),
  /** Dense FP16 tensor peak where it differs from BF16 (V100 has FP16 only). */
  fp16FlopsPerSecond: z.number().positive().nullable().optional(),
  /** Dense FP8 tensor peak (Hopper, Ada, Blackwell, MI300); absent where there is none. */
  fp8FlopsPerSecond: z.number().positive().nullable().optional(),
  fp32FlopsPerSecond: z.number().positive(),
  /** GPU generation, which picks the efficiency model's constants (docs/planner.md). */
  arch: z.enum(['volta', 'ampere', 'ada', 'hopper', 'blackwell', 'cdna2', 'cdna3', 'cpu']).optional(),
  memoryBytes: z.number().positive(),
  memoryBandwidthBytesPerSecond: z.number().positive(),
  tdpWatts: z.number().positive(),
  idleWatts: z.number().nonnegative(),
  hostWattsPerGpu: z.number().nonnegative(),
  intraNodeLink: z.enum(['nvlink', 'pcie', 'loopback']),
  intraNodeBytesPerSecond: z.number().positive(),
  hostLinkBytesPerSecond: z.number().positive(),
  interNodeBytesPerSecond: z.number().positive(),
  defaultGpusPerNode: positiveInt,
  /** A power cap below TDP the GPUs run at (e.g. an H100 capped at 500 W); `overrides.powerCapWatts` wins. */
  powerCapWatts: z.number().positive().optional(),
  /** A fixed achieved fraction of peak: replaces the efficiency model (used for the CPU entry). */
  computeEfficiency: z.number().positive().max(1).optional(),
  runtimeOverheadBytes: z.number().nonnegative(),
  /** Measured figures (e.g. from `shardscope calibrate`) that replace the model's assumptions. */
  calibration: calibrationSchema.optional(),
  sources: z.string(),
});

/** One accelerator type of the catalogue. */
export type GpuSpec = z.infer<typeof gpuSpecSchema>;

/** Recomputation of activations in the backward pass. */
export const recomputeSchema = z.enum(['none', 'selective', 'full']);
/** Training number format: bf16/fp16 are mixed precision with fp32 Adam states. */
export const dtypeSchema = z.enum(['bf16', 'fp16', 'fp8', 'fp32']);
/** Attention kernel: flash/fused (scores recomputed in backward, never stored) or standard (s² scores stored). */
export const attentionSchema = z.enum(['flash', 'standard']);
/** What ZeRO-Offload moves to host memory. */
export const offloadSchema = z.enum(['none', 'optimizer', 'all']);

/** Strategy knobs; any left out are derived (dp from the GPU count, batches from the model preset). */
export const strategyInputSchema = z.object({
  dp: positiveInt.optional(),
  tp: positiveInt.optional(),
  pp: positiveInt.optional(),
  /** Context parallelism: the sequence split over cp ranks (ring attention). */
  cp: positiveInt.optional(),
  /** Expert parallelism (MoE models): experts split over ep ranks carved from dp×cp. */
  ep: positiveInt.optional(),
  virtualStages: positiveInt.optional(),
  /** Explicit transformer layers per pipeline stage (else balanced, embedding and head counted). */
  layersPerStage: z.array(z.number().int().nonnegative()).min(1).optional(),
  microBatch: positiveInt.optional(),
  globalBatch: positiveInt.optional(),
  seqLen: positiveInt.optional(),
  zeroStage: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).optional(),
  recompute: recomputeSchema.optional(),
  sequenceParallel: z.boolean().optional(),
  dtype: dtypeSchema.optional(),
  offload: offloadSchema.optional(),
  attention: attentionSchema.optional(),
  /** Megatron's distributed optimizer: optimizer states sharded over dp (ZeRO-1), allowed with pp. */
  distributedOptimizer: z.boolean().optional(),
  /** HSDP: ZeRO-3/FSDP shards within groups of this many dp ranks and replicates across them. */
  shardGroup: positiveInt.optional(),
  /** Whether the stack overlaps communication with compute (DP buckets, FSDP prefetch, CP ring, TP overlap); default true. */
  overlap: z.boolean().optional(),
  /** Accepted so a resolved strategy can be passed back in; always derived from the batches. */
  numMicroBatches: positiveInt.optional(),
}).strict();

/** Strategy knobs as given by a caller. */
export type StrategyInput = z.infer<typeof strategyInputSchema>;

/** Measured figures that replace catalogue assumptions (effective, not datasheet, values). */
export const overridesSchema = z.object({
  computeEfficiency: z.number().positive().max(1).optional(),
  /** A GPU power cap below TDP: power and clocks scale down (docs/planner.md). */
  powerCapWatts: z.number().positive().optional(),
  intraNodeBytesPerSecond: z.number().positive().optional(),
  interNodeBytesPerSecond: z.number().positive().optional(),
}).strict();

/** A cluster: GPU type (catalogue id or full spec), count and GPUs per node. */
export const clusterSchema = z.object({
  gpu: z.union([z.string().min(1), gpuSpecSchema]),
  gpus: positiveInt.max(1_000_000),
  gpusPerNode: positiveInt.optional(),
}).strict();

/** Input of planStrategy: model (preset id or shape), cluster, strategy. */
export const planRequestSchema = z.object({
  model: z.union([z.string().min(1), modelSpecSchema]),
  cluster: clusterSchema,
  strategy: strategyInputSchema.default({}),
  overrides: overridesSchema.optional(),
}).strict();

/** Input of planStrategy. */
export type PlanRequest = z.input<typeof planRequestSchema>;

/** What the search ranks by. */
export const objectiveSchema = z.enum(['throughput', 'energy', 'memory']);
/** Search objective. */
export type Objective = z.infer<typeof objectiveSchema>;

/** Input of searchStrategies: fixed knobs in `strategy` are kept, the rest are searched. */
export const searchRequestSchema = planRequestSchema.extend({
  objective: objectiveSchema.default('throughput'),
  limit: positiveInt.max(10_000).default(20),
  allowOffload: z.boolean().default(false),
});

/** Input of searchStrategies. */
export type SearchRequest = z.input<typeof searchRequestSchema>;

/** Parses a value with a schema; a failure becomes a one-line `bad-input` error naming the field. */
export function parseOrBadInput<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const where = issue.path.length > 0 ? ` (${issue.path.join('.')})` : '';
  throw new ShardScopeError('bad-input', `invalid ${what}${where}: ${issue.message}`);
}
