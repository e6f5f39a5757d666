/** Runs every rank of a strategy grid in this process over real loopback sockets and collects the events. */
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import type { EngineEvent, RunStartEvent, StepEvent } from '../../../../src-shared/engine-events.js';
import type { ModelConfig, StrategyGrid, TrainConfig } from '../../../../src-shared/engine-config.js';
import { initCollective } from '../../../../src-worker/collective/index.js';
import { initBackend } from '../../../../src-worker/engine/backend/index.js';
import { defaultCorpusPath, loadCorpus } from '../../../../src-worker/engine/data-loader.js';
import { runRank } from '../../../../src-worker/engine/run-rank.js';

/** A free TCP port on 127.0.0.1 (bound then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }).on('error', reject);
  });
}

/** Every event of a run, split by type. */
export interface GridRun {
  config: TrainConfig;
  starts: RunStartEvent[];
  steps: StepEvent[];
}

/** Trains `model` on `strategy` with every rank in this process; rejects if any rank fails. */
export async function trainGrid(model: ModelConfig, strategy: StrategyGrid, extra: Partial<TrainConfig> = {}): Promise<GridRun> {
  const config: TrainConfig = { model, strategy, steps: 2, globalBatch: 8, microBatches: 1, schedule: 'gpipe', zeroStage: 0, recompute: false, seed: 7, learningRate: 3e-3, ...extra };
  const worldSize = strategy.dp * strategy.tp * strategy.pp;
  const backend = await initBackend();
  const corpus = loadCorpus(defaultCorpusPath(), model.seqLen);
  const masterPort = await freePort();
  const secret = randomBytes(16).toString('hex');
  const run: GridRun = { config, starts: [], steps: [] };
  const emit = (e: EngineEvent) => {
    if (e.type === 'step') run.steps.push(e);
    if (e.type === 'run-start') run.starts.push(e);
  };
  await Promise.all(Array.from({ length: worldSize }, (_, rank) => runRank({
    config, rank, worldSize, masterAddr: '127.0.0.1', masterPort, secret, corpus, backend, emit, connect: initCollective,
  })));
  return run;
}
