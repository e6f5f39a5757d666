/**
 * Records a REAL short training run into a store: the real run controller trains (worker processes,
 * TCP collectives), the real local sampler streams host samples and GPU samples from the stand-in
 * nvidia-smi (recorded outputs of a 2-GPU host, the only stand-in allowed: this machine has no GPU),
 * and the real StoreWriter stores events, ranks and samples. Stands in for the run controller, which
 * does not write to the store yet.
 */
import { discoverLocalHost } from '../../../../src-main/core/inventory/discover-local.js';
import { runTraining } from '../../../../src-main/core/launch/run-controller.js';
import type { TrainingSummary as ControllerSummary } from '../../../../src-main/core/launch/run-summary.js';
import { RunStore } from '../../../../src-main/core/store/run-store.js';
import { StoreWriter } from '../../../../src-main/core/store/store-writer.js';
import { startHostSampler } from '../../../../src-main/core/telemetry/host-sampler.js';
import type { ModelConfig, StrategyGrid, TrainConfig } from '../../../../src-shared/engine-config.js';
import type { HostInventory } from '../../../../src-shared/inventory.js';
import { planStrategy } from '../../../../src-shared/planner/index.js';
import type { TelemetryBatch } from '../../../../src-shared/telemetry.js';
import { fakeNvidiaSmiPath, fixture } from '../../../support/fake-nvidia-smi/fixtures.js';
import { WORKER_PATH } from '../../../support/paths.js';

/** A 4-layer variant of the `tiny` preset, so that pp=4 is possible. */
export const TINY4: ModelConfig = { name: 'tiny4', layers: 4, hidden: 64, heads: 4, vocab: 256, seqLen: 64 };
/** TDP used for the estimated CPU power series (the planner's `cpu` catalogue entry). */
export const CPU_TDP_WATTS = 125;

/** Stand-in nvidia-smi: inventory and topology of a recorded 2 x GTX 1080 host; streamed samples of a recorded H100 under load (no recorded host has all three). */
export const fakeSmiEnv: NodeJS.ProcessEnv = {
  ...process.env,
  FAKE_SMI_XML: fixture('xml', 'a0s_2x-gtx-1080_460.27.04.xml'),
  FAKE_SMI_TOPO: fixture('topo', 'mleng_2gpu_NV2_topo-m_tab-expanded.txt'),
  FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv'),
};

/** Discovers this host through the stand-in nvidia-smi. */
export function discoverTestHost(): Promise<HostInventory> {
  return discoverLocalHost({ nvidiaSmiPath: fakeNvidiaSmiPath, env: fakeSmiEnv });
}

/** What to run. */
export interface RecordRunOptions {
  id: string;
  strategy: StrategyGrid;
  steps: number;
  model?: ModelConfig;
  inventory: HostInventory;
  globalBatch?: number;
}

/** Trains for real and stores everything; resolves with the controller's own summary. */
export async function recordRealRun(store: RunStore, options: RecordRunOptions): Promise<ControllerSummary> {
  const model = options.model ?? TINY4;
  const { dp, tp, pp } = options.strategy;
  const globalBatch = options.globalBatch ?? 8;
  const microBatches = pp > 1 ? 2 * pp : 1;
  const config: TrainConfig = {
    model, strategy: options.strategy, steps: options.steps, globalBatch, microBatches, schedule: '1f1b',
    zeroStage: 0, recompute: false, seed: 0, learningRate: 3e-3,
  };
  const plan = planStrategy({
    model: { ...model, ffnHidden: 4 * model.hidden, globalBatch },
    cluster: { gpu: 'cpu', gpus: dp * tp * pp },
    strategy: { dp, tp, pp, globalBatch, microBatch: globalBatch / (dp * microBatches), dtype: 'fp32' },
  });
  const startedAtMs = Date.now();
  store.createRun({ id: options.id, engine: 'tfjs', strategy: { dp, tp, pp, microBatches, schedule: '1f1b' }, model: { ...model }, plan, prediction: plan, hosts: ['local'], startedAtMs });
  const writer = new StoreWriter(store, { flushIntervalMs: 200 });
  writer.addEvent(options.id, { type: 'inventory', rank: null, timestampMs: startedAtMs, hosts: [options.inventory] });

  // wait on sampler batches (events), never on sleeps
  let batches = 0;
  let waiter: { count: number; resolve: () => void } | null = null;
  const batchCount = (count: number) => new Promise<void>((resolve) => {
    if (batches >= count) resolve();
    else waiter = { count, resolve };
  });
  const onBatch = (batch: TelemetryBatch) => {
    writer.addTelemetry(batch, options.id); // host samples carry CPU power estimated from CPU_TDP_WATTS (no RAPL here)
    if (batch.gpus.length > 0) batches += 1;
    if (waiter && batches >= waiter.count) { waiter.resolve(); waiter = null; }
  };
  const sampler = startHostSampler({ kind: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env: fakeSmiEnv }, { intervalMs: 100, cpuTdpWatts: CPU_TDP_WATTS, onBatch });
  try {
    await batchCount(1);
    const ranks: { rank: number; host: string; device: string; backend: string; paramsOnRank: number }[] = [];
    const summary = await runTraining({
      config, workerPath: WORKER_PATH,
      onEvent: (event) => {
        writer.addEvent(options.id, event);
        if (event.type === 'run-start') ranks.push({ rank: event.rank, host: 'local', device: event.device, backend: event.backend, paramsOnRank: event.paramsOnRank });
      },
    });
    await batchCount(batches + 2); // samples that cover the end of the run
    writer.addRanks(options.id, ranks.sort((a, b) => a.rank - b.rank));
    return summary;
  } finally {
    await sampler.stop();
    writer.close();
    store.endRun(options.id, { status: 'finished', endedAtMs: Date.now() });
  }
}
