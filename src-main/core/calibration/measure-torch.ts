/**
 * The PyTorch engine's calibration of a host, where Python and torch are present (checked like a torch
 * run checks them, through the same spawner): float32 matmul throughput at the model's GEMM shapes (CUDA
 * when torch sees a GPU, else CPU) and Gloo all-reduce time against message size between two local ranks
 * (resources/torch/calibrate_torch.py), and the reference script's own training step (forward + backward per
 * micro-batch size, Adam, 2 ranks at once). No torch: the reason, said in the calibration.
 */
import { dirname, join } from 'node:path';
import type { TorchCalibration, TorchStepTiming } from '../../../src-shared/calibration/calibration-record.js';
import type { ModelConfig } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { checkTorch } from '../launch/torch-check.js';
import { eventHelperPath, referenceScriptPath } from '../launch/torch-rank-command.js';
import { localSpawner, type Spawner } from '../launch/spawner.js';

/** Payloads of the Gloo all-reduce (as the built-in collectives are timed). */
const glooSizesBytes = [4, 65536, 262144, 1048576, 4194304, 16777216];

/** The local calibration script (next to the bundled torch reference script). */
export function torchCalibrationScriptPath(): string {
  return join(dirname(referenceScriptPath()), 'calibrate_torch.py');
}

/** What to measure with. */
export interface MeasureTorchOptions {
  hostId: string;
  model: ModelConfig;
  globalBatch: number;
  reps?: number;
  /** Starts the script (default: here). */
  spawner?: Spawner;
  /** The host's Python (default: python3, then /usr/bin/python3). */
  python?: string;
  /** The script's path where it runs (default: the local one). */
  scriptPath?: string;
  onProgress?: (line: string) => void;
  signal?: AbortSignal;
}

/** The model's GEMMs of one rank without TP at half the global batch (the shapes the built-in engine is timed at). */
function gemmShapes(model: ModelConfig, globalBatch: number): Array<[number, number, number]> {
  const rows = Math.max(1, Math.floor(globalBatch / 2)) * model.seqLen;
  const h = model.hidden;
  return [[rows, h, 3 * h], [rows, h, h], [rows, h, 4 * h], [rows, 4 * h, h], [rows, h, model.vocab]];
}

/** Sequences per micro-batch the strategies of this global batch can give a rank (its divisors). */
export function microBatchSizes(globalBatch: number): number[] {
  return Array.from({ length: globalBatch }, (_, i) => i + 1).filter((b) => globalBatch % b === 0);
}

/** The files calibrate_torch.py needs where it runs: itself, and the reference script whose model it times (with its event helper). */
export function torchCalibrationFiles(): string[] {
  return [torchCalibrationScriptPath(), referenceScriptPath(), eventHelperPath()];
}

/** Measures; resolves with the figures, or with the reason they could not be measured. */
export async function measureTorch(options: MeasureTorchOptions): Promise<TorchCalibration | string> {
  const spawner = options.spawner ?? localSpawner;
  let python: string;
  try {
    python = (await checkTorch(spawner, options.hostId, options.python)).python;
  } catch (error) {
    if (error instanceof ShardScopeError && error.kind === 'unavailable') return error.message;
    throw error;
  }
  const args = [options.scriptPath ?? torchCalibrationScriptPath(), '--gemm', gemmShapes(options.model, options.globalBatch).map((s) => s.join(',')).join(';'),
    '--sizes-bytes', glooSizesBytes.join(','), '--reps', String(options.reps ?? 5),
    '--step-model', JSON.stringify({ layers: options.model.layers, hidden: options.model.hidden, heads: options.model.heads, vocab: options.model.vocab, seqLen: options.model.seqLen }),
    '--batches', microBatchSizes(options.globalBatch).join(',')];
  const child = spawner({ rank: 0, command: python, args, env: {} });
  const onAbort = (): void => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let stdout = '';
  let lastErr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    for (const line of d.split('\n').filter(Boolean)) {
      lastErr = line;
      options.onProgress?.(`  ${options.hostId}: ${line}`);
    }
  });
  const exit = await child.exited;
  options.signal?.removeEventListener('abort', onAbort);
  if (options.signal?.aborted) throw new ShardScopeError('cancelled', 'calibrate: interrupted');
  if (exit.code !== 0) return `torch engine: the calibration script failed on ${options.hostId} (${exit.reason ?? lastErr ?? `exit ${exit.code}`})`;
  const out = JSON.parse(stdout.trim().split('\n').pop() as string) as { torch: string; python: string; device: string; threads: number; matmul: TorchCalibration['matmul']; allReduce: Array<{ bytes: number; seconds: number }>; step?: TorchStepTiming };
  return { python, torchVersion: out.torch, pythonVersion: out.python, device: out.device, threads: out.threads, model: options.model.name, matmul: out.matmul, glooAllReduce: out.allReduce, ...(out.step ? { step: out.step } : {}) };
}
