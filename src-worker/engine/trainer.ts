/** One rank's training loop: builds its shard, runs the pipeline schedule per step, syncs and updates. */
import * as tf from '@tensorflow/tfjs-core';
import type { ParallelismBytes, StepEvent } from '../../src-shared/engine-events.js';
import type { TrainConfig } from '../../src-shared/engine-config.js';
import { chunkBounds } from '../collective/chunk-bounds.js';
import type { CollectiveStats, Communicator } from '../collective/types.js';
import { globalBatch, sliceRows } from './data-loader.js';
import { GradBuffer } from './grad-buffer.js';
import { buildGroups, coordsOf, type GridCoords, type RankGroups } from './grid.js';
import { ParamStore, type ShardPlacement } from './param-store.js';
import { gpipeSchedule } from './schedules/gpipe.js';
import { oneFOneBSchedule } from './schedules/one-f-one-b.js';
import type { PipelineOp } from './schedules/types.js';
import { StageRunner, type MicroBatch } from './stage.js';
import { processPeakMemoryBytes } from './process-peak-memory.js';
import { StepClock } from './step-clock.js';
import type { SpanRecorder } from '../trace/span-recorder.js';
import { OptimizerStep } from './strategies/optimizer-step.js';

const activationTag = 1;
const gradientTag = 2;

/** A rank's trainer; `comm` is null for a single-process run. */
export class Trainer {
  readonly coords: GridCoords;
  readonly placement: ShardPlacement;
  readonly store: ParamStore;
  readonly optimizer: OptimizerStep;
  private readonly groups: RankGroups;
  private readonly grads: GradBuffer;
  private readonly clock = new StepClock();
  private readonly runner: StageRunner;
  private readonly schedule: PipelineOp[];

  /** `recorder` (optional) records the spans of the traced steps; the caller also hands it the communicator's ops. */
  constructor(private readonly config: TrainConfig, private readonly corpus: Uint8Array, private readonly comm: Communicator | null, private readonly recorder: SpanRecorder | null = null) {
    this.clock.recorder = recorder;
    const { strategy: grid, model } = config;
    const rank = comm?.rank ?? 0;
    this.coords = coordsOf(rank, grid);
    this.groups = comm ? buildGroups(comm, grid) : { dp: null, tp: null, pp: null };
    const [firstLayer, endLayer] = chunkBounds(model.layers, grid.pp, this.coords.ppIndex);
    this.placement = {
      firstLayer, endLayer, hasEmbedding: this.coords.ppIndex === 0, hasHead: this.coords.ppIndex === grid.pp - 1,
      tpSize: grid.tp, tpIndex: this.coords.tpIndex,
    };
    this.store = new ParamStore(model, this.placement, config.seed);
    this.grads = new GradBuffer(this.store);
    this.optimizer = new OptimizerStep(this.store.size, this.groups.dp, config.zeroStage === 1, { learningRate: config.learningRate });
    const ctx = { store: this.store, grads: this.grads, tp: this.groups.tp, clock: this.clock, localHeads: model.heads / grid.tp };
    this.runner = new StageRunner(ctx, this.placement, config.microBatches, config.recompute);
    this.schedule = config.schedule === '1f1b' ? oneFOneBSchedule(config.microBatches, grid.pp, this.coords.ppIndex) : gpipeSchedule(config.microBatches);
  }

  /** True on the one rank whose step events carry the loss (last stage, dp 0, tp 0). */
  get reportsLoss(): boolean {
    return this.placement.hasHead && this.coords.dpIndex === 0 && this.coords.tpIndex === 0;
  }

  private microBatches(step: number): MicroBatch[] {
    const { model, globalBatch: batch, strategy, microBatches: m, seed } = this.config;
    const whole = globalBatch(this.corpus, step, batch, model.seqLen, model.vocab, seed);
    const rows = batch / strategy.dp / m;
    return Array.from({ length: m }, (_, i) => {
      const part = sliceRows(whole, (this.coords.dpIndex * m + i) * rows, rows, model.seqLen);
      return { ...part, batch: rows, seqLen: model.seqLen };
    });
  }

  /** Runs one training step and returns its event (without rank/timestamp fields filled by the caller). */
  async step(step: number): Promise<Omit<StepEvent, 'type' | 'rank' | 'timestampMs'>> {
    const before = this.comm?.stats();
    const beforeByLabel = this.comm?.statsByLabel();
    const rec = this.recorder;
    rec?.beginStep(step);
    this.clock.reset();
    this.grads.zero();
    const data = this.clock.compute('data', 'data', () => this.microBatches(step));
    const { pp } = this.groups;
    const shape = [data[0].batch, this.config.model.seqLen, this.config.model.hidden];
    let lossSum = 0;
    let peakBytes = tf.memory().numBytes;
    for (const op of this.schedule) {
      const mb = op.microBatch;
      if (rec) rec.microBatch = mb;
      if (op.kind === 'forward') {
        const input = this.placement.hasEmbedding ? null : tf.tensor(await this.clock.bubble(pp!.recv(pp!.rank - 1, activationTag)), shape);
        const startMs = performance.now();
        const { output, loss } = await this.runner.forward(mb, data[mb], input);
        if (loss !== null) lossSum += loss;
        const buf = output ? Float32Array.from(output.dataSync() as Float32Array) : null;
        output?.dispose();
        rec?.add('forward', this.runner.isFused ? 'forward+backward' : 'forward', startMs, performance.now(), mb);
        if (buf) await this.clock.communication(pp!.send(buf, pp!.rank + 1, activationTag), 'pp');
      } else {
        const dOut = this.placement.hasHead ? null : tf.tensor(await this.clock.bubble(pp!.recv(pp!.rank + 1, gradientTag)), shape);
        const startMs = performance.now();
        const dIn = await this.runner.backward(mb, dOut);
        const buf = dIn ? Float32Array.from(dIn.dataSync() as Float32Array) : null;
        dIn?.dispose();
        if (!this.runner.isFused) rec?.add('backward', 'backward', startMs, performance.now(), mb);
        if (buf) await this.clock.communication(pp!.send(buf, pp!.rank - 1, gradientTag), 'pp');
      }
      peakBytes = Math.max(peakBytes, tf.memory().numBytes);
    }
    if (rec) rec.microBatch = undefined;
    await this.optimizer.apply(this.store.values, this.grads.values, this.clock);
    this.clock.compute('optimizer', 'optimizer refresh', () => this.store.refresh());
    let loss: number | null = null;
    if (this.placement.hasHead) {
      const buf = new Float32Array([lossSum / this.config.microBatches]);
      if (this.groups.dp) await this.clock.communication(this.groups.dp.allReduce(buf), 'dp');
      loss = buf[0] / (this.groups.dp?.size ?? 1);
    }
    const times = this.clock.times();
    return {
      step,
      loss: this.reportsLoss ? loss : null,
      tokens: this.config.globalBatch * this.config.model.seqLen,
      stepTimeSeconds: times,
      bytes: bytesByKind(before, this.comm?.stats()),
      bytesByParallelism: bytesByParallelism(beforeByLabel, this.comm?.statsByLabel()),
      communicationSecondsByParallelism: this.clock.communicationSecondsByKind(),
      frameworkMemoryBytes: tf.memory().numBytes,
      frameworkMemoryPeakBytes: peakBytes,
      processMemoryBytes: process.memoryUsage().rss,
      ...peakMemoryField(),
    };
  }

  /** Frees tensors. */
  dispose(): void {
    this.store.dispose();
  }
}

/** Bytes sent/received through the groups labelled dp, tp and pp between two statsByLabel snapshots (zeros without a communicator). */
function bytesByParallelism(before: Record<string, CollectiveStats> | undefined, after: Record<string, CollectiveStats> | undefined): ParallelismBytes {
  const out: ParallelismBytes = { dp: { sent: 0, received: 0 }, tp: { sent: 0, received: 0 }, pp: { sent: 0, received: 0 } };
  for (const kind of ['dp', 'tp', 'pp'] as const) {
    for (const [op, a] of Object.entries(after?.[kind] ?? {})) {
      const b = before?.[kind]?.[op as keyof CollectiveStats];
      out[kind].sent += a.bytesSent - (b?.bytesSent ?? 0);
      out[kind].received += a.bytesReceived - (b?.bytesReceived ?? 0);
    }
  }
  return out;
}

/** Bytes sent/received per collective kind between two stats snapshots. */
function bytesByKind(before: CollectiveStats | undefined, after: CollectiveStats | undefined): Record<string, { sent: number; received: number }> {
  const out: Record<string, { sent: number; received: number }> = {};
  if (!before || !after) return out;
  for (const [kind, a] of Object.entries(after)) {
    const b = before[kind as keyof CollectiveStats];
    const sent = a.bytesSent - (b?.bytesSent ?? 0);
    const received = a.bytesReceived - (b?.bytesReceived ?? 0);
    if (sent || received) out[kind] = { sent, received };
  }
  return out;
}

/** `processMemoryPeakBytes` when /proc says it. */
function peakMemoryField(): { processMemoryPeakBytes?: number } {
  const peak = processPeakMemoryBytes();
  return peak === null ? {} : { processMemoryPeakBytes: peak };
}
