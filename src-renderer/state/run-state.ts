/** Accumulates a run's live updates into the series the Run view charts. */
import type { ParallelismKind, StepEvent } from '../../src-shared/engine-events.js';
import { rankMemoryOfStep, type RankMemorySource } from '../../src-shared/measured-vs-predicted.js';
import type { RunEnergyPoint, RunLogLine, RunStepPoint, RunUpdate } from '../../src-shared/run-live.js';

const MAX_LOG_LINES = 2000;

/** Everything the Run view shows about one run, built from its updates (or from a stored run). */
export class RunState {
  points: RunStepPoint[] = [];
  /** Latest step event per rank. */
  latestByRank = new Map<number, StepEvent>();
  /** Bytes sent per step, summed over ranks, per collective kind. */
  bytesPerStepByKind = new Map<string, Map<number, number>>();
  /** Bytes sent per step, summed over ranks, per parallelism kind (DP / TP / PP), from workers that report it. */
  bytesPerStepByParallelism = new Map<ParallelismKind, Map<number, number>>();
  /** Bytes sent per kind summed over every rank-step that reported them, and how many did. */
  private readonly parallelismTotals = { dp: 0, tp: 0, pp: 0, rankSteps: 0 };
  /** Framework memory per rank over steps. */
  memoryByRank = new Map<number, [number, number][]>();
  logs: RunLogLine[] = [];
  /** Largest process memory any rank reported, as measured-vs-predicted counts it (VmHWM, else RSS), and its source. */
  processMemoryPeakBytes = 0;
  processMemorySource: RankMemorySource | null = null;
  /** Energy so far, one point per update that carried it. */
  energy: RunEnergyPoint[] = [];
  last: RunUpdate | null = null;

  constructor(readonly runId: string) {}

  /** Folds one update in. */
  apply(update: RunUpdate): void {
    this.last = update;
    this.points.push(...update.points);
    for (const event of update.rankSteps) this.addRankStep(event);
    this.logs.push(...update.logs);
    if (update.energy && update.energy.timestampMs > 0) this.energy.push(update.energy);
    if (this.logs.length > MAX_LOG_LINES) this.logs.splice(0, this.logs.length - MAX_LOG_LINES);
  }

  /** Adds one rank's step event (also used to rebuild a stored run from its events). */
  addRankStep(event: StepEvent): void {
    const previous = this.latestByRank.get(event.rank);
    if (!previous || previous.step <= event.step) this.latestByRank.set(event.rank, event);
    for (const [kind, counts] of Object.entries(event.bytes)) {
      const perStep = this.bytesPerStepByKind.get(kind) ?? new Map<number, number>();
      this.bytesPerStepByKind.set(kind, perStep);
      perStep.set(event.step, (perStep.get(event.step) ?? 0) + counts.sent);
    }
    if (event.bytesByParallelism) {
      this.parallelismTotals.rankSteps += 1;
      for (const kind of ['dp', 'tp', 'pp'] as const) {
        const sent = event.bytesByParallelism[kind].sent;
        this.parallelismTotals[kind] += sent;
        const perStep = this.bytesPerStepByParallelism.get(kind) ?? new Map<number, number>();
        this.bytesPerStepByParallelism.set(kind, perStep);
        perStep.set(event.step, (perStep.get(event.step) ?? 0) + sent);
      }
    }
    const rankMemory = rankMemoryOfStep(event);
    if (rankMemory && rankMemory.bytes > this.processMemoryPeakBytes) {
      this.processMemoryPeakBytes = rankMemory.bytes;
      this.processMemorySource = rankMemory.source;
    }
    const memory = this.memoryByRank.get(event.rank) ?? [];
    memory.push([event.step, event.frameworkMemoryPeakBytes ?? event.frameworkMemoryBytes]);
    this.memoryByRank.set(event.rank, memory);
  }

  /** Mean bytes one rank sends per step, per parallelism kind (the planner's commBytesPerStepPerGpu); null before any report. */
  meanBytesSentPerRankPerStep(): Record<ParallelismKind, number> | null {
    const { dp, tp, pp, rankSteps } = this.parallelismTotals;
    return rankSteps === 0 ? null : { dp: dp / rankSteps, tp: tp / rankSteps, pp: pp / rankSteps };
  }

  /** Mean step time split per rank over the steps seen so far (the first, warm-up step left out when possible). */
  meanSplitByRank(events: StepEvent[]): Map<number, { compute: number; communication: number; bubble: number }> {
    const sums = new Map<number, { compute: number; communication: number; bubble: number; n: number }>();
    for (const e of events) {
      const s = sums.get(e.rank) ?? { compute: 0, communication: 0, bubble: 0, n: 0 };
      s.compute += e.stepTimeSeconds.compute;
      s.communication += e.stepTimeSeconds.communication;
      s.bubble += e.stepTimeSeconds.bubble;
      s.n += 1;
      sums.set(e.rank, s);
    }
    return new Map([...sums].map(([rank, s]) => [rank, { compute: s.compute / s.n, communication: s.communication / s.n, bubble: s.bubble / s.n }]));
  }
}
