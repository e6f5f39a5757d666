/** Writes a small, fully known run into a store: 2 ranks, `steps` steps, two GPUs at constant power. */
import type { StepEvent } from '../../../../src-shared/engine-events.js';
import type { NewRun } from '../../../../src-shared/run-record.js';
import type { RunStore } from '../../../../src-main/core/store/run-store.js';

/** What the sample run contains, to compare the store's figures against. */
export interface SampleRunFacts {
  run: NewRun;
  steps: number;
  tokensPerStep: number;
  stepSeconds: number;
  bytesSentPerRankPerStep: number;
  gpuWatts: [number, number];
  seconds: number;
}

/** Stores the run, its ranks, step events and 2 Hz power samples, and ends it as finished. */
export function writeSampleRun(store: RunStore, id: string, startedAtMs: number, steps = 10): SampleRunFacts {
  const facts: SampleRunFacts = {
    run: {
      id, engine: 'tfjs', strategy: { dp: 2, tp: 1, pp: 1 }, model: { name: 'tiny', layers: 2 },
      plan: { note: 'planner output' }, prediction: { stepTimeSeconds: 0.4 } as NewRun['prediction'] /* only the step time is read here */, hosts: ['local'], startedAtMs,
    },
    steps, tokensPerStep: 512, stepSeconds: 0.5, bytesSentPerRankPerStep: 1_000_000, gpuWatts: [300, 100], seconds: steps * 0.5,
  };
  store.createRun(facts.run);
  const ranks = [0, 1].map((rank) => ({ rank, host: 'local', device: `gpu${rank}`, backend: 'cpu', paramsOnRank: 1000 }));
  const events = [];
  for (let step = 0; step < steps; step += 1) {
    for (const rank of [0, 1]) {
      const event: StepEvent = {
        type: 'step', rank, step, loss: rank === 0 ? 5 - step * 0.1 : null, tokens: facts.tokensPerStep,
        stepTimeSeconds: { compute: 0.3, communication: 0.15, bubble: 0, total: rank === 0 ? facts.stepSeconds : facts.stepSeconds - 0.1 },
        bytes: { allReduce: { sent: facts.bytesSentPerRankPerStep * 0.75, received: 1 }, broadcast: { sent: facts.bytesSentPerRankPerStep * 0.25, received: 1 } },
        frameworkMemoryBytes: 1e6, frameworkMemoryPeakBytes: 1.5e6, timestampMs: startedAtMs + (step + 1) * 500,
      };
      events.push({ run: id, event: { ...event } });
    }
  }
  const samples = [];
  for (let t = 0; t <= facts.seconds * 1000; t += 500) {
    for (const gpuIndex of [0, 1]) {
      samples.push({ key: { run: id, host: 'local', gpuIndex, metric: 'powerWatts' }, source: 'measured' as const, timestampMs: startedAtMs + t, value: facts.gpuWatts[gpuIndex] });
      samples.push({ key: { run: id, host: 'local', gpuIndex, metric: 'memoryUsedBytes' }, source: 'measured' as const, timestampMs: startedAtMs + t, value: 1e9 + t });
    }
  }
  store.writeBatch({ ranks: [{ run: id, ranks }], events, samples });
  store.endRun(id, { status: 'finished', endedAtMs: startedAtMs + facts.seconds * 1000 });
  return facts;
}
