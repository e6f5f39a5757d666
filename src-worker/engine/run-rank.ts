/** Runs one rank end to end: connect, build the shard, train, report events. In-process callable (tests) and used by the `train` worker command. */
import type { EngineEvent } from '../../src-shared/engine-events.js';
import type { TrainConfig } from '../../src-shared/engine-config.js';
import type { CollectiveOptions, Communicator } from '../collective/types.js';
import { ShardScopeError } from '../../src-shared/errors.js';
import { alignClocks } from '../collective/clock-sync.js';
import { SpanRecorder } from '../trace/span-recorder.js';
import { workerClockMs } from '../trace/worker-clock.js';
import { coordsOf } from './grid.js';
import { Trainer } from './trainer.js';

/** Who this rank is and how it reaches the others. */
export interface RankOptions {
  config: TrainConfig;
  rank: number;
  worldSize: number;
  masterAddr: string;
  masterPort: number;
  secret: string;
  corpus: Uint8Array;
  backend: { name: string; device: string };
  /** Receives every event (the worker command writes them to stdout). */
  emit: (event: EngineEvent) => void;
  /** Joins the collective world (initCollective); only called when worldSize > 1. */
  connect: (options: CollectiveOptions) => Promise<Communicator>;
  timeoutMs?: number;
}

/** Ping round trips per rank at rendezvous: the fastest one sets the offset, so more of them tighten it on a busy host. */
const CLOCK_ROUND_TRIPS = 16;

/** Trains `config.steps` steps on this rank; throws on failure (the caller reports it). */
export async function runRank(options: RankOptions): Promise<void> {
  const { config, rank, worldSize, emit } = options;
  const comm = worldSize > 1
    ? await options.connect({ rank, worldSize, masterAddr: options.masterAddr, masterPort: options.masterPort, secret: options.secret, timeoutMs: options.timeoutMs })
    : null;
  try {
    // One clock for the run: every rank's spans are put on rank 0's clock, aligned here at rendezvous.
    const clock = comm ? await alignClocks(comm.world, () => workerClockMs(), CLOCK_ROUND_TRIPS) : { offsetMs: 0, errorMs: 0, roundTrips: 0 };
    const stage = coordsOf(rank, config.strategy).ppIndex;
    const recorder = config.traceSteps === null ? null : new SpanRecorder(config.traceSteps, stage, clock);
    if (recorder) comm?.traceOps((op) => recorder.addOp(op));
    const trainer = new Trainer(config, options.corpus, comm, recorder);
    emit({
      type: 'run-start', rank, worldSize, backend: options.backend.name, device: options.backend.device,
      paramsOnRank: trainer.store.size, optimizerStateOnRank: trainer.optimizer.stateElements,
      coords: trainer.coords, pid: process.pid, clock, timestampMs: Date.now(),
    });
    for (let step = 0; step < config.steps; step += 1) {
      const startMs = performance.now();
      const result = await trainer.step(step);
      const endMs = performance.now();
      emit({ type: 'step', rank, ...result, timestampMs: Date.now() });
      if (recorder?.isRecording) {
        emit({ type: 'spans', rank, step, stepStartMs: recorder.toRunMs(startMs), stepEndMs: recorder.toRunMs(endMs), spans: recorder.take(), timestampMs: Date.now() });
      }
      // A NaN or infinite loss never recovers: end the run as failed, naming the step (shown 1-based, like the progress lines).
      if (result.loss !== null && !Number.isFinite(result.loss)) {
        throw new ShardScopeError('diverged', `loss is ${result.loss} at step ${step + 1}: training diverged (try a lower --lr)`, { step: step + 1 });
      }
    }
    comm?.traceOps(null);
    // No rank closes its sockets while a peer may still be waiting on it.
    if (comm) await comm.world.barrier();
    trainer.dispose();
    emit({ type: 'run-end', rank, steps: config.steps, timestampMs: Date.now() });
  } finally {
    await comm?.close();
  }
}
