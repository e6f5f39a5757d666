/**
 * `shardscope plan --model ID --cluster local [--dp D] [--tp T] [--pp P] ...`: a plan for the cluster the
 * user has. With GPUs discovered here: the planner on the catalogue entry they map to (or a spec derived
 * from nvidia-smi, said so), the link from topo -m, dp derived from the GPUs. Without GPUs: the built-in
 * engine's ranks on this host's cores, predicted from this host's calibration (never silently from the
 * catalogue: no calibration is an error that says how to make one). `FILE` and `known` are not implemented yet.
 */
import { cpus } from 'node:os';
import { planningClusterOf } from '../../../src-shared/calibration/planning-cluster.js';
import { calibrationAge, calibrationStaleAfterMs } from '../../../src-shared/calibration/calibration-record.js';
import { predictEngineRun } from '../../../src-shared/calibration/engine-prediction.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { listPresets, planStrategy, type PlanRequest } from '../../../src-shared/planner/index.js';
import { formatPlan } from '../../../src-shared/planner/format-text.js';
import { CalibrationStore } from '../../core/calibration/calibration-store.js';
import { discoverLocalHost } from '../../core/inventory/discover-local.js';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import { placementOf } from '../../core/runs/run-prediction.js';
import { trainConfigOf } from '../../core/runs/train-config.js';
import { engineModelFlag, plannerModelFlag } from '../input-files.js';
import { defaultStorePath } from '../../core/store/open-store.js';
import { RunStore } from '../../core/store/run-store.js';
import { existsSync } from 'node:fs';
import { printJson, printLine, type CliIo } from '../io.js';
import { resolveNvidiaSmi } from '../runtime-paths.js';

/** The flags plan-cluster reads (already parsed and checked by plan). */
export interface ClusterPlanInput {
  cluster: string;
  model: string;
  dp?: number;
  tp?: number;
  pp?: number;
  microBatch?: number;
  globalBatch?: number;
  zeroStage?: number;
  recompute?: string;
  strategy: PlanRequest['strategy'];
  json: boolean;
  nvidiaSmi?: string;
}

function derivedDp(devices: number, tp: number, pp: number): number {
  if (devices % (tp * pp) !== 0) throw new ShardScopeError('bad-input', `tp x pp = ${tp * pp} does not divide the ${devices} devices of this cluster`);
  return devices / (tp * pp);
}

/** Plans for `--cluster local`; prints the plan with where its figures came from. */
export async function planForCluster(input: ClusterPlanInput, io: CliIo): Promise<number> {
  if (input.cluster !== 'local') throw new ShardScopeError('bad-input', `--cluster ${input.cluster}: only "local" is implemented yet (hosts files and known hosts are not)`);
  const host = await discoverLocalHost({ nvidiaSmiPath: resolveNvidiaSmi(input.nvidiaSmi, io.env), env: io.env, signal: io.signal });
  const tp = input.tp ?? 1;
  const pp = input.pp ?? 1;
  if (host.gpus.length > 0) {
    let cluster;
    try {
      cluster = planningClusterOf([host], listPresets().gpus);
    } catch (error) {
      throw new ShardScopeError('bad-input', `--cluster local: ${(error as Error).message}`);
    }
    const dp = input.dp ?? derivedDp(cluster.gpus, tp, pp);
    const plan = planStrategy({ model: plannerModelFlag(input.model), cluster: { gpu: cluster.gpu, gpus: cluster.gpus, gpusPerNode: cluster.gpusPerNode }, strategy: { ...input.strategy, dp, tp, pp } });
    const notes = [`cluster: ${cluster.gpus} GPU(s) on ${cluster.hosts.map((h) => h.hostId).join(', ')}; dp=${dp}${input.dp ? '' : ' derived from the GPUs'}`, ...cluster.notes,
      'calibration: none on GPUs yet (compute efficiency and bandwidth from the catalogue entry)'];
    if (input.json) printJson(io, { ...plan, clusterNotes: notes });
    else {
      notes.forEach((n) => printLine(io, n));
      printLine(io, formatPlan(plan));
    }
    return 0;
  }
  const cores = Math.max(1, cpus().length);
  const dp = input.dp ?? Math.max(1, Math.floor(cores / (tp * pp)));
  const globalBatch = input.globalBatch ?? 8;
  const config = trainConfigOf({
    model: engineModelFlag(input.model).model, dp, tp, pp, steps: 1, globalBatch,
    microBatches: input.microBatch ? globalBatch / dp / input.microBatch : undefined,
    zeroStage: input.zeroStage === 1 ? 1 : 0, recompute: input.recompute === 'full',
  } as Parameters<typeof trainConfigOf>[0]);
  const path = defaultStorePath(io.env);
  const store = existsSync(path) ? RunStore.open(path, { readonly: true }) : null;
  const calibration = store ? new CalibrationStore(store.db).latest(LOCAL_HOST_ID) : null;
  store?.close();
  if (!calibration) throw new ShardScopeError('not-found', 'this host has no GPU and no calibration of the built-in engine: run shardscope calibrate first');
  const prediction = predictEngineRun(config, calibration, placementOf(config, () => LOCAL_HOST_ID));
  const age = calibrationAge(calibration.measuredAtMs, Date.now());
  const stale = Date.now() - calibration.measuredAtMs > calibrationStaleAfterMs ? ' (STALE: calibrate again)' : '';
  const basis = `calibration #${calibration.id} of ${calibration.hostId}, ${prediction.basis.origin}, measured ${age}${stale}`;
  if (input.json) {
    printJson(io, { ...prediction, clusterNotes: [`cluster: this host's CPU, ${dp * tp * pp} rank(s) of the built-in engine (${cores} cores)`, `figures: ${basis}`] });
    return 0;
  }
  printLine(io, `cluster: this host's CPU (no GPU discovered), ${dp * tp * pp} rank(s) of the built-in engine on ${cores} cores; dp=${dp}${input.dp ? '' : ' derived from the cores'}`);
  printLine(io, `figures last changed: ${basis}`);
  printLine(io, `model ${config.model.name}, dp=${dp} tp=${tp} pp=${pp}, ${config.microBatches} micro-batch(es) of ${globalBatch / dp / config.microBatches}, ZeRO-${config.zeroStage}, fp32, Adam fp32`);
  const t = prediction.timeBreakdownSeconds;
  printLine(io, `step      ${prediction.stepTimeSeconds.toFixed(3)} s (mean per rank: compute ${t.compute.toFixed(3)} s, communication ${t.communication.toFixed(3)} s, bubble ${t.bubble.toFixed(3)} s); ${prediction.tokensPerSecond.toFixed(0)} tokens/s`);
  for (const r of prediction.ranks) {
    const m = r.memoryBytes;
    printLine(io, `rank ${r.rank} (stage ${r.stage}): peak ${(m.total / 2 ** 20).toFixed(1)} MiB VmHWM = runtime ${(m.runtime / 2 ** 20).toFixed(1)} + weights ${(m.weights / 2 ** 20).toFixed(1)} + gradients ${(m.gradients / 2 ** 20).toFixed(1)} + Adam ${(m.optimizer / 2 ** 20).toFixed(1)} + activations ${(m.activations / 2 ** 20).toFixed(1)} + buffers ${(m.communication / 2 ** 20).toFixed(1)}; sends dp ${r.bytesSentPerStep.dp} B, tp ${r.bytesSentPerStep.tp} B, pp ${r.bytesSentPerStep.pp} B per step`);
  }
  for (const gap of prediction.gaps) printLine(io, `note: ${gap}`);
  return 0;
}
