/**
 * `shardscope plan --model ID --cluster local|FILE|known [--known-hosts FILE] [--dp D] [--tp T] [--pp P] ...`: a
 * plan for the cluster the user has (core/calibration/cluster-members.ts, cluster-plan.ts): `local` this
 * machine; FILE a hosts file as `run --hosts` takes; `known` this machine, the saved SSH hosts and the Slurm
 * nodes the store knows. With GPUs: the planner on the catalogue entry they map to (or a spec derived from
 * nvidia-smi, said so), links from topo -m and the link probe, calibrated cross-host bandwidth, dp from the
 * GPUs. Without GPUs: the built-in engine's ranks on the hosts' cores, predicted from their calibrations
 * (never silently from the catalogue: no calibration is an error that says how to make one). With `--search`
 * on CPU hosts: every strategy of the built-in engine that fits their slots, predicted, fastest first — the
 * list the app's Planner shows for "this cluster" (cpu-candidates.ts).
 */
import { existsSync } from 'node:fs';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { formatPlan } from '../../../src-shared/planner/format-text.js';
import { CalibrationStore } from '../../core/calibration/calibration-store.js';
import { knownMembers, localMembers, membersOfHostsFile, type ClusterMembers } from '../../core/calibration/cluster-members.js';
import { planForMembers, thisClusterOf, type ClusterFacts, type ClusterPlanKnobs } from '../../core/calibration/cluster-plan.js';
import { modelPresets } from '../../../src-shared/engine-config.js';
import { formatBytes, formatDuration } from '../../../src-shared/units.js';
import { defaultHostSettingsPath, loadHostSettings } from '../../core/hosts/host-settings.js';
import { knownHostsFlag } from '../args.js';
import { engineModelFlag, hostsFileFlag, plannerModelFlag } from '../input-files.js';
import { defaultStorePath } from '../../core/store/open-store.js';
import { RunStore } from '../../core/store/run-store.js';
import { printJson, printLine, type CliIo } from '../io.js';
import { resolveNvidiaSmi } from '../runtime-paths.js';

/** The flags plan-cluster reads (already parsed and checked by plan). */
export interface ClusterPlanInput extends Omit<ClusterPlanKnobs, 'plannerModel' | 'engineModel'> {
  cluster: string;
  model: string;
  json: boolean;
  /** CPU hosts: every strategy of the built-in engine that fits their slots, predicted (the Planner's "this cluster" list). */
  search?: boolean;
  nvidiaSmi?: string;
  knownHosts?: string;
}

/** Plans for `--cluster local|FILE|known`; prints the plan with where its figures came from. */
export async function planForCluster(input: ClusterPlanInput, io: CliIo): Promise<number> {
  const storePath = defaultStorePath(io.env);
  const store = existsSync(storePath) ? RunStore.open(storePath, { readonly: true }) : null;
  try {
    const discovery = { knownHostsFile: knownHostsFlag(input.knownHosts, io.env), nvidiaSmiPath: resolveNvidiaSmi(input.nvidiaSmi, io.env), env: io.env, signal: io.signal };
    const hostSettingsFile = defaultHostSettingsPath(io.env);
    let found: ClusterMembers;
    if (input.cluster === 'local') found = await localMembers(discovery);
    else if (input.cluster === 'known') found = await knownMembers(hostSettingsFile, store?.db ?? null, discovery);
    else {
      if (!existsSync(input.cluster)) throw new ShardScopeError('bad-input', `--cluster: "${input.cluster}" is neither local, known nor an existing hosts file`);
      const hosts = hostsFileFlag(input.cluster, io.env);
      found = await membersOfHostsFile(hosts, input.cluster, discovery);
    }
    const calibrations = store ? new CalibrationStore(store.db) : null;
    if (input.search) return printCandidates(input, found, { links: loadHostSettings(hostSettingsFile).links, calibrationOf: (id) => calibrations?.latest(id) ?? null, nowMs: Date.now() }, io);
    let result;
    try {
      result = planForMembers(found.members, { ...input, plannerModel: plannerModelFlag(input.model), engineModel: () => engineModelFlag(input.model).model }, { links: loadHostSettings(hostSettingsFile).links, calibrationOf: (id) => calibrations?.latest(id) ?? null, nowMs: Date.now() });
    } catch (error) {
      if (error instanceof ShardScopeError && error.kind === 'not-found' && found.members.every((m) => m.inventory.gpus.length === 0)) {
        throw new ShardScopeError('not-found', `this cluster has no GPU and no calibration of the built-in engine: run shardscope calibrate first (${error.message})`);
      }
      throw error;
    }
    const notes = [...result.derivedFrom, ...found.leftOut.map((l) => `left out: ${l}`)];
    if (result.kind === 'gpu') {
      if (input.json) printJson(io, { ...result.plan, clusterNotes: notes });
      else {
        notes.forEach((n) => printLine(io, n));
        printLine(io, formatPlan(result.plan));
      }
      return 0;
    }
    const { prediction, config } = result;
    if (input.json) {
      printJson(io, { ...prediction, placement: result.placement, clusterNotes: notes });
      return 0;
    }
    notes.forEach((n) => printLine(io, n));
    const { dp, tp, pp } = config.strategy;
    printLine(io, `model ${config.model.name}, dp=${dp} tp=${tp} pp=${pp}, ${config.microBatches} micro-batch(es) of ${config.globalBatch / dp / config.microBatches}, ZeRO-${config.zeroStage}, fp32, Adam fp32`);
    const t = prediction.timeBreakdownSeconds;
    printLine(io, `step      ${prediction.stepTimeSeconds.toFixed(3)} s (mean per rank: compute ${t.compute.toFixed(3)} s, communication ${t.communication.toFixed(3)} s, bubble ${t.bubble.toFixed(3)} s); ${prediction.tokensPerSecond.toFixed(0)} tokens/s`);
    for (const r of prediction.ranks) {
      const m = r.memoryBytes;
      printLine(io, `rank ${r.rank} on ${result.placement[r.rank].host} (stage ${r.stage}): peak ${(m.total / 2 ** 20).toFixed(1)} MiB VmHWM = runtime ${(m.runtime / 2 ** 20).toFixed(1)} + weights ${(m.weights / 2 ** 20).toFixed(1)} + gradients ${(m.gradients / 2 ** 20).toFixed(1)} + Adam ${(m.optimizer / 2 ** 20).toFixed(1)} + activations ${(m.activations / 2 ** 20).toFixed(1)} + buffers ${(m.communication / 2 ** 20).toFixed(1)}; sends dp ${r.bytesSentPerStep.dp} B, tp ${r.bytesSentPerStep.tp} B, pp ${r.bytesSentPerStep.pp} B per step`);
    }
    for (const gap of prediction.gaps) printLine(io, `note: ${gap}`);
    return 0;
  } finally {
    store?.close();
  }
}

/** `--search` on CPU hosts: the candidates the Planner lists, with where their figures came from. */
function printCandidates(input: ClusterPlanInput, found: ClusterMembers, facts: ClusterFacts, io: CliIo): number {
  if (found.members.some((m) => m.inventory.gpus.length > 0)) throw new ShardScopeError('bad-input', '--cluster with --search lists the built-in engine\'s strategies on CPU hosts; this cluster has GPUs: plan one strategy with --cluster, or search a catalogue GPU with --gpu ID --gpus N --search');
  if (!Object.hasOwn(modelPresets, input.model)) throw new ShardScopeError('bad-input', `--cluster with --search predicts the built-in engine: --model takes one of its presets (${Object.keys(modelPresets).join(', ')}), got "${input.model}"`);
  const cluster = thisClusterOf(found.members, found.leftOut, facts, { model: input.model, globalBatch: input.globalBatch });
  if (!cluster.available || cluster.kind !== 'cpu') throw new ShardScopeError('bad-input', `this cluster: ${cluster.available ? 'has GPUs' : cluster.reason}`);
  const { cpu } = cluster;
  if (input.json) {
    printJson(io, { ...cpu, clusterNotes: cluster.derivedFrom });
    return 0;
  }
  cluster.derivedFrom.forEach((line) => printLine(io, line));
  printLine(io, `${cpu.candidates.length} strategies of ${cpu.model}, global batch ${cpu.globalBatch}, on ${cpu.slots} slot(s); calibrated predictions fastest first, then catalogue estimates:`);
  for (const c of cpu.candidates) {
    const bytes = (['dp', 'tp', 'pp'] as const).filter((k) => c.commBytesPerStepPerRank[k] > 0).map((k) => `${k} ${formatBytes(c.commBytesPerStepPerRank[k])}`).join(', ') || 'none';
    printLine(io, `${c.label.padEnd(36)} ${c.ranksPerHost.map((h) => `${h.host} x${h.ranks}`).join(', ')}: step ${formatDuration(c.stepTimeSeconds)}, ${c.tokensPerSecond.toFixed(0)} tokens/s, peak ${formatBytes(Math.max(...c.rankPeakMemoryBytes))} per rank (${c.memorySource}), sends ${bytes} per rank per step`);
    printLine(io, `  from: ${c.source.join('; ')}${c.gaps.length ? ` (${c.gaps.length} gap(s): --json lists them)` : ''}`);
  }
  if (cpu.rejected.length) printLine(io, `left out by the run's rules: ${cpu.rejected.join('; ')}`);
  return 0;
}
