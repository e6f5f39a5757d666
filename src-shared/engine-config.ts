/** What a training worker is told to do: model shape, strategy grid and run options (shared by controller and worker). */
import { ShardScopeError } from './errors.js';
import type { TraceWindow } from './trace-spans.js';
import { listPresets } from './planner/catalogue.js';
import type { ModelSpec } from './planner/schemas.js';

/** Shape of a GPT decoder; the MLP's inner width is 4 x hidden. */
export interface ModelConfig {
  name: string;
  layers: number;
  hidden: number;
  heads: number;
  vocab: number;
  seqLen: number;
}

/** True when a catalogue model is exactly what the built-in engine trains: GELU MLP of 4 x hidden, learned positions, untied head. */
function isEngineShape(m: ModelSpec): boolean {
  return (m.mlp ?? 'gelu') === 'gelu' && (m.positions ?? 'learned') === 'learned' && m.tiedEmbeddings === false
    && (m.ffnHidden === undefined || m.ffnHidden === 4 * m.hidden) && (m.kvHeads === undefined || m.kvHeads === m.heads);
}

/**
 * The planner's model presets (resources/models.json) that the built-in engine can train as they
 * are — `tiny` for local runs and tests, `bench` = peers/torch_gpt.py (3,323,648 params) — so a
 * run's prediction and its training use the same model.
 */
export const modelPresets: Record<string, ModelConfig> = Object.fromEntries(
  Object.entries(listPresets().models).filter(([, m]) => isEngineShape(m))
    .map(([id, m]) => [id, { name: m.name, layers: m.layers, hidden: m.hidden, heads: m.heads, vocab: m.vocab, seqLen: m.seqLen }]),
);

/** The models the engines here train, in catalogue order: the one list the launch forms offer. */
export function engineModelIds(): string[] {
  return Object.keys(modelPresets);
}

/** Default global batch (sequences per step), as torch_gpt.py. */
export const defaultGlobalBatch = 8;

/** The parallel grid: world size = dp x tp x pp. */
export interface StrategyGrid {
  dp: number;
  tp: number;
  pp: number;
}

/** Everything one rank needs to train (rank identity and the run secret come separately, via env). */
export interface TrainConfig {
  model: ModelConfig;
  strategy: StrategyGrid;
  steps: number;
  globalBatch: number;
  microBatches: number;
  schedule: 'gpipe' | '1f1b';
  zeroStage: 0 | 1;
  recompute: boolean;
  seed: number;
  learningRate: number;
  /** Path of a text file to train on; absent = the shipped corpus. */
  dataPath?: string;
  /** Preferred backend name (tensorflow, wasm, cpu ...); absent = best available. */
  backend?: string;
  /** Steps whose spans are recorded (`run --trace-steps`); absent = every step, null = none. */
  traceSteps?: TraceWindow | null;
}

function fail(message: string): never {
  throw new ShardScopeError('bad-input', message);
}

function positiveInt(value: unknown, what: string): number {
  if (!Number.isInteger(value) || (value as number) < 1) fail(`${what} must be a positive integer, got ${JSON.stringify(value)}`);
  return value as number;
}

/** Checks a model shape; throws `bad-input` naming the offending field. */
export function validateModel(value: unknown): ModelConfig {
  if (typeof value !== 'object' || value === null) fail('model must be a JSON object {name, layers, hidden, heads, vocab, seqLen}');
  const m = value as Record<string, unknown>;
  const [layers, hidden, heads, vocab, seqLen] = (['layers', 'hidden', 'heads', 'vocab', 'seqLen'] as const).map((f) => positiveInt(m[f], `model field "${f}"`));
  if (hidden % heads !== 0) fail(`model hidden (${hidden}) must be divisible by heads (${heads})`);
  if (vocab > 256) fail(`model vocab ${vocab} exceeds the byte-level vocabulary (at most 256)`);
  return { name: typeof m.name === 'string' ? m.name : 'custom', layers, hidden, heads, vocab, seqLen };
}

/** Parses `dp=D,tp=T,pp=P` (any subset, any order; missing = 1). */
export function parseStrategy(text: string): StrategyGrid {
  const grid: StrategyGrid = { dp: 1, tp: 1, pp: 1 };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const match = /^(dp|tp|pp)=(\d+)$/.exec(part);
    if (!match) fail(`--strategy: expected dp=D,tp=T,pp=P, got "${part}"`);
    grid[match[1] as keyof StrategyGrid] = positiveInt(Number(match[2]), `--strategy ${match[1]}`);
  }
  return grid;
}

/** Checks that a strategy can split this model and batch; throws `bad-input` with the reason. */
export function validateTrainConfig(config: TrainConfig): TrainConfig {
  const { model, strategy: s } = config;
  validateModel(model);
  for (const key of ['dp', 'tp', 'pp'] as const) positiveInt(s[key], `strategy ${key}`);
  positiveInt(config.steps, 'steps');
  positiveInt(config.microBatches, 'micro-batches');
  if (model.heads % s.tp !== 0) fail(`tp=${s.tp} must divide the model's ${model.heads} heads`);
  if (s.pp > model.layers) fail(`pp=${s.pp} exceeds the model's ${model.layers} layers`);
  if (config.globalBatch % (s.dp * config.microBatches) !== 0) {
    fail(`global batch ${config.globalBatch} must be divisible by dp x micro-batches = ${s.dp * config.microBatches}`);
  }
  if (config.schedule !== 'gpipe' && config.schedule !== '1f1b') fail(`schedule must be gpipe or 1f1b, got "${String(config.schedule)}"`);
  if (config.zeroStage !== 0 && config.zeroStage !== 1) fail(`zero stage must be 0 or 1, got ${String(config.zeroStage)}`);
  const trace = config.traceSteps;
  if (trace !== undefined && trace !== null && !(Number.isInteger(trace.firstStep) && Number.isInteger(trace.lastStep) && trace.firstStep >= 0 && trace.lastStep >= trace.firstStep)) {
    fail(`trace steps must be {firstStep, lastStep} with 0 <= firstStep <= lastStep, got ${JSON.stringify(trace)}`);
  }
  return config;
}

/** World size of a grid. */
export function worldSizeOf(grid: StrategyGrid): number {
  return grid.dp * grid.tp * grid.pp;
}
