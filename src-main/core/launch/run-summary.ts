/** Folds the ranks' events into per-step progress and the run's summary (pure: no I/O). */
import type { ByteCounts, ParallelismBytes, RunStartEvent, StepEvent } from '../../../src-shared/engine-events.js';
import type { StrategyGrid } from '../../../src-shared/engine-config.js';

/** One step finished on every rank. */
export interface StepProgress {
  step: number;
  steps: number;
  loss: number | null;
  /** Slowest rank's step wall time. */
  stepSeconds: number;
  tokensPerSecond: number;
}

/** What the engine reports at the end of a training (the `--json` output of `shardscope run`); the stored figures of a run are `RunSummary` in src-shared/run-record.ts. */
export interface TrainingSummary {
  runId: string;
  model: string;
  strategy: StrategyGrid & { microBatches: number; schedule: string; zeroStage: number; recompute: boolean };
  worldSize: number;
  backend: string;
  device: string;
  steps: number;
  losses: number[];
  loss: number;
  /** Global tokens per second over the steps after the first (warm-up) one. */
  tokensPerSecond: number;
  /** Mean over ranks and the timed steps. */
  stepTimeSeconds: { compute: number; communication: number; bubble: number; total: number };
  /** Summed over ranks and all steps, by collective kind. */
  bytes: Record<string, ByteCounts>;
  /** Summed over ranks and all steps, by the group the bytes went through (DP / TP / PP); absent when no step event carried it. */
  bytesByParallelism?: ParallelismBytes;
  paramsPerRank: number[];
  optimizerStatePerRank: number[];
  /** Largest framework memory of any rank during any step. */
  frameworkMemoryBytesMax: number;
  wallSeconds: number;
}

/** Accumulates events of all ranks. */
export class RunAggregator {
  private readonly starts: RunStartEvent[] = [];
  private readonly byStep = new Map<number, StepEvent[]>();

  constructor(private readonly worldSize: number, private readonly steps: number) {}

  /** Records a run-start. */
  addStart(event: RunStartEvent): void {
    this.starts[event.rank] = event;
  }

  /** Records a step; returns the progress once every rank has finished that step. */
  addStep(event: StepEvent): StepProgress | null {
    const list = this.byStep.get(event.step) ?? [];
    list.push(event);
    this.byStep.set(event.step, list);
    if (list.length !== this.worldSize) return null;
    const stepSeconds = Math.max(...list.map((e) => e.stepTimeSeconds.total));
    return { step: event.step, steps: this.steps, loss: lossOf(list), stepSeconds, tokensPerSecond: list[0].tokens / stepSeconds };
  }

  /** The summary once all ranks ended. */
  summary(base: Pick<TrainingSummary, 'runId' | 'model' | 'strategy' | 'wallSeconds'>): TrainingSummary {
    const steps = [...this.byStep.keys()].sort((a, b) => a - b).map((s) => this.byStep.get(s) as StepEvent[]);
    const timed = steps.length > 1 ? steps.slice(1) : steps;
    const losses = steps.map((list) => lossOf(list) ?? Number.NaN);
    const wall = timed.reduce((sum, list) => sum + Math.max(...list.map((e) => e.stepTimeSeconds.total)), 0);
    const tokens = timed.reduce((sum, list) => sum + list[0].tokens, 0);
    const mean = (key: 'compute' | 'communication' | 'bubble' | 'total') =>
      timed.reduce((sum, list) => sum + list.reduce((s, e) => s + e.stepTimeSeconds[key], 0) / list.length, 0) / Math.max(1, timed.length);
    const bytes: Record<string, ByteCounts> = {};
    for (const event of steps.flat()) {
      for (const [kind, counts] of Object.entries(event.bytes)) {
        const total = bytes[kind] ?? { sent: 0, received: 0 };
        total.sent += counts.sent;
        total.received += counts.received;
        bytes[kind] = total;
      }
    }
    const byParallelism = sumByParallelism(steps.flat());
    return {
      ...base,
      worldSize: this.worldSize,
      backend: this.starts[0]?.backend ?? 'unknown',
      device: this.starts[0]?.device ?? 'unknown',
      steps: steps.length,
      losses,
      loss: losses[losses.length - 1] ?? Number.NaN,
      tokensPerSecond: wall > 0 ? tokens / wall : 0,
      stepTimeSeconds: { compute: mean('compute'), communication: mean('communication'), bubble: mean('bubble'), total: mean('total') },
      bytes,
      ...(byParallelism ? { bytesByParallelism: byParallelism } : {}),
      paramsPerRank: this.starts.map((s) => s.paramsOnRank),
      optimizerStatePerRank: this.starts.map((s) => s.optimizerStateOnRank),
      frameworkMemoryBytesMax: Math.max(0, ...steps.flat().map((e) => e.frameworkMemoryPeakBytes ?? e.frameworkMemoryBytes)),
    };
  }
}

/** Sum of the step events' bytesByParallelism; null when none carries it (older workers, the torch engine). */
function sumByParallelism(events: StepEvent[]): ParallelismBytes | null {
  const carrying = events.filter((e) => e.bytesByParallelism);
  if (carrying.length === 0) return null;
  const total: ParallelismBytes = { dp: { sent: 0, received: 0 }, tp: { sent: 0, received: 0 }, pp: { sent: 0, received: 0 } };
  for (const event of carrying) {
    for (const kind of ['dp', 'tp', 'pp'] as const) {
      total[kind].sent += event.bytesByParallelism![kind].sent;
      total[kind].received += event.bytesByParallelism![kind].received;
    }
  }
  return total;
}

function lossOf(list: StepEvent[]): number | null {
  return list.find((e) => e.loss !== null)?.loss ?? null;
}
