/**
 * GPU power of a host for calibrate: nvidia-smi's query stream (the sampler's own `--query-gpu` arguments,
 * parsed by parseGpuQueryLine) read through the host's spawner, so an SSH host is read where it runs. Idle =
 * mean power.draw per GPU over a short window before any load; loaded = mean power.draw over the samples
 * where a GPU was busy while a GPU workload ran (the PyTorch CUDA calibration). No GPU workload there: the
 * loaded figures are said not measured, never guessed.
 */
import type { GpuPowerCalibration, GpuPowerFigures, TorchCalibration } from '../../../src-shared/calibration/calibration-record.js';
import type { GpuSample } from '../../../src-shared/telemetry.js';
import { locateNvidiaSmi } from '../inventory/nvidia-smi-locate.js';
import { localSpawner, type Spawner } from '../launch/spawner.js';
import { shellQuote } from '../ssh/shell-quote.js';
import { gpuQueryArgs, LineSplitter, parseGpuQueryLine } from '../telemetry/smi-query-parse.js';

/** How the figures are labelled. */
export const gpuPowerSource = 'measured by nvidia-smi power.draw';
/** A sample counts as loaded when its GPU is at least this busy. */
const busyPercent = 50;
const stopWaitMs = 3000;

/** What to measure with. */
export interface MeasureGpuPowerOptions<T> {
  hostId: string;
  /** nvidia-smi on the host (a path, or a command its PATH finds). */
  smiPath: string;
  /** Starts the stream (default: here). */
  spawner?: Spawner;
  idleMs?: number;
  intervalMs?: number;
  /** The workload to read loaded power during; it runs whether or not the GPUs could be read. */
  load: () => Promise<T>;
  /** What the workload ran on a GPU as (e.g. `torch 2.1 matmul on cuda`), or why it did not use a GPU. */
  gpuLoadOf: (result: T) => { gpuLoad: string } | { noGpuLoad: string };
}

/** The figures (null: no nvidia-smi on the host), the workload's result, and what could not be measured. */
export interface MeasuredGpuPower<T> {
  gpuPower: GpuPowerCalibration | null;
  result: T;
  missing: string[];
}

/** A running query stream: its samples so far, or why it gave none. */
interface PowerStream {
  /** Resolves when the stream ends by itself (no nvidia-smi, no driver). */
  ended: Promise<unknown>;
  stop(): Promise<{ samples: GpuSample[] } | { absent: true } | { failed: string }>;
}

function startStream(spawner: Spawner, smiPath: string, hostId: string, intervalMs: number): PowerStream {
  const smi = shellQuote([smiPath]);
  const script = `command -v ${smi} >/dev/null 2>&1 || exit 127; exec ${shellQuote([smiPath, ...gpuQueryArgs(intervalMs)])}`;
  const child = spawner({ rank: 0, command: 'sh', args: ['-c', script], env: {} });
  const samples: GpuSample[] = [];
  const splitter = new LineSplitter();
  let lastOther = '';
  const take = (lines: string[]) => {
    for (const line of lines.filter((l) => l.trim() !== '')) {
      const parsed = parseGpuQueryLine(line, hostId, Date.now());
      if (parsed.ok) samples.push(parsed.sample);
      else lastOther = line.trim();
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => take(splitter.push(chunk)));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => { lastOther = chunk.trim().split('\n').pop() ?? lastOther; });
  let ended: { code: number | null } | null = null;
  void child.exited.then((exit) => { ended = exit; });
  return {
    ended: child.exited,
    async stop() {
      if (!ended) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), stopWaitMs);
        await child.exited;
        clearTimeout(timer);
      } else {
        take(splitter.flush());
        if (ended.code === 127) return { absent: true };
        if (samples.length === 0) return { failed: `nvidia-smi exited ${ended.code}${lastOther ? `: ${lastOther.slice(0, 200)}` : ''}` };
      }
      take(splitter.flush());
      return samples.length ? { samples } : { failed: `nvidia-smi printed no GPU line${lastOther ? ` (${lastOther.slice(0, 200)})` : ''}` };
    },
  };
}

function mean(values: number[]): number | null {
  return values.length ? values.reduce((a, v) => a + v, 0) / values.length : null;
}

/** Idle (and, where the workload used a GPU, loaded) power per GPU. */
export async function measureGpuPower<T>(options: MeasureGpuPowerOptions<T>): Promise<MeasuredGpuPower<T>> {
  const spawner = options.spawner ?? localSpawner;
  const intervalMs = options.intervalMs ?? 200;
  const idleMs = options.idleMs ?? 2000;
  const idleStream = startStream(spawner, options.smiPath, options.hostId, intervalMs);
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([new Promise((resolve) => { timer = setTimeout(resolve, idleMs); }), idleStream.ended]);
  clearTimeout(timer);
  const idle = await idleStream.stop();
  if ('absent' in idle) return { gpuPower: null, result: await options.load(), missing: [] };
  if ('failed' in idle) return { gpuPower: null, result: await options.load(), missing: [`GPU power: not readable on ${options.hostId} (${idle.failed})`] };
  const indices = [...new Set(idle.samples.map((s) => s.gpuIndex))].sort((a, b) => a - b);
  // the workload starts first (its own start-up is idle GPU time: only busy samples count as loaded)
  const running = options.load();
  const loadStream = startStream(spawner, options.smiPath, options.hostId, intervalMs);
  let result: T;
  try {
    result = await running;
  } catch (error) {
    await loadStream.stop();
    throw error;
  }
  const loaded = await loadStream.stop();
  const usage = options.gpuLoadOf(result);
  const missing: string[] = [];
  const gpus: GpuPowerFigures[] = indices.map((index) => {
    const idleOf = idle.samples.filter((s) => s.gpuIndex === index);
    const busy = 'gpuLoad' in usage && 'samples' in loaded
      ? loaded.samples.filter((s) => s.gpuIndex === index && (s.utilisationPercent ?? 0) >= busyPercent && s.powerWatts !== null) : [];
    const last = idleOf[idleOf.length - 1];
    return {
      index, uuid: last.gpuUuid,
      idleWatts: mean(idleOf.flatMap((s) => (s.powerWatts === null ? [] : [s.powerWatts]))),
      loadedWatts: mean(busy.map((s) => s.powerWatts as number)), loadedSamples: busy.length,
      powerLimitWatts: [...idleOf].reverse().find((s) => s.powerLimitWatts != null)?.powerLimitWatts ?? null,
    };
  });
  if (gpus.some((g) => g.idleWatts === null)) missing.push(`GPU power: nvidia-smi on ${options.hostId} reports no power.draw for GPU ${gpus.filter((g) => g.idleWatts === null).map((g) => g.index).join(', ')} ([N/A])`);
  if ('noGpuLoad' in usage) missing.push(`loaded GPU power not measured: no GPU engine on ${options.hostId} (${usage.noGpuLoad})`);
  else if ('failed' in loaded) missing.push(`loaded GPU power not measured on ${options.hostId}: ${loaded.failed} while ${usage.gpuLoad} ran`);
  else if (gpus.every((g) => g.loadedWatts === null)) missing.push(`loaded GPU power not measured on ${options.hostId}: no GPU was busy (utilization.gpu >= ${busyPercent}%) in any of ${'samples' in loaded ? loaded.samples.length : 0} samples while ${usage.gpuLoad} ran`);
  return {
    gpuPower: { source: gpuPowerSource, idleWindowMs: idleMs, loadedBy: 'gpuLoad' in usage ? usage.gpuLoad : null, gpus },
    result, missing,
  };
}

/** The torch calibration as a GPU workload: on CUDA it loads a GPU; anything else says why not. */
export function torchGpuLoad(torch: TorchCalibration | string): { gpuLoad: string } | { noGpuLoad: string } {
  if (typeof torch === 'string') return { noGpuLoad: torch };
  return torch.device.startsWith('cuda') ? { gpuLoad: `torch ${torch.torchVersion} matmul on ${torch.device} (the PyTorch calibration)` }
    : { noGpuLoad: `its PyTorch ${torch.torchVersion} runs on ${torch.device}` };
}

/**
 * The nvidia-smi calibrate reads: on this machine the one runs and inventory use (explicit, SHARDSCOPE_NVIDIA_SMI, PATH;
 * null when there is none); on an SSH host the configured one, else `nvidia-smi` from its PATH (checked there).
 */
export function calibrationSmiPath(isLocal: boolean, env: NodeJS.ProcessEnv | undefined, configured?: string): { path: string | null } | { error: string } {
  if (!isLocal) return { path: configured ?? 'nvidia-smi' };
  try {
    return { path: locateNvidiaSmi({ explicitPath: configured, env: env ?? process.env })?.path ?? null };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
