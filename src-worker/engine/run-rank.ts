/** Runs one rank end to end: connect, build the shard, train, report events. In-process callable (tests) and used by the `train` worker command. */
import type { EngineEvent } from '../../src-shared/engine-events.js';
import type { TrainConfig } from '../../src-shared/engine-config.js';
import type { CollectiveOptions, Communicator } from '../collective/types.js';
import { ShardScopeError } from '../../src-shared/errors.js';
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

/** Trains `config.steps` steps on this rank; throws on failure (the caller reports it). */
export async function runRank(options: RankOptions): Promise<void> {
  const { config, rank, worldSize, emit } = options;
  const comm = worldSize > 1
    ? await options.connect({ rank, worldSize, masterAddr: options.masterAddr, masterPort: options.masterPort, secret: options.secret, timeoutMs: options.timeoutMs })
    : null;
  try {
    const trainer = new Trainer(config, options.corpus, comm);
    emit({
      type: 'run-start', rank, worldSize, backend: options.backend.name, device: options.backend.device,
      paramsOnRank: trainer.store.size, optimizerStateOnRank: trainer.optimizer.stateElements,
      coords: trainer.coords, pid: process.pid, timestampMs: Date.now(),
    });
    for (let step = 0; step < config.steps; step += 1) {
      const result = await trainer.step(step);
      emit({ type: 'step', rank, ...result, timestampMs: Date.now() });
      // A NaN or infinite loss never recovers: end the run as failed, naming the step (shown 1-based, like the progress lines).
      if (result.loss !== null && !Number.isFinite(result.loss)) {
        throw new ShardScopeError('diverged', `loss is ${result.loss} at step ${step + 1}: training diverged (try a lower --lr)`, { step: step + 1 });
      }
    }
    // No rank closes its sockets while a peer may still be waiting on it.
    if (comm) await comm.world.barrier();
    trainer.dispose();
    emit({ type: 'run-end', rank, steps: config.steps, timestampMs: Date.now() });
  } finally {
    await comm?.close();
  }
}
