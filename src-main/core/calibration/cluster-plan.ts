/**
 * A plan for "this cluster" (plan --cluster, the Planner's "this cluster"): with GPUs, the planner on the
 * discovered GPUs (catalogue entry or derived from nvidia-smi), the hosts' measured link (link probe)
 * and their calibrated cross-host collective bandwidth over the catalogue's assumptions, dp from the
 * GPUs; without GPUs, the built-in engine's ranks on the hosts' cores predicted from their
 * calibrations. Every figure's origin is one line of `derivedFrom`.
 */
import { calibrationAge, type HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import { calibrationLine } from './calibration-line.js';
import { predictEngineRun, type EnginePrediction } from '../../../src-shared/calibration/engine-prediction.js';
import { planningClusterOf } from '../../../src-shared/calibration/planning-cluster.js';
import type { ModelConfig, TrainConfig } from '../../../src-shared/engine-config.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { busBandwidthFromTimings } from '../../../src-shared/planner/calibration-input.js';
import { listPresets, planStrategy, type GpuSpec, type ModelSpec, type PlanRequest, type PlanResult } from '../../../src-shared/planner/index.js';
import type { ThisCluster, ThisClusterRequest } from '../../../src-shared/calibration/this-cluster.js';
import { cpuCandidatesOf } from './cpu-candidates.js';
import { formatBytesPerSecond, formatDuration } from '../../../src-shared/units.js';
import type { LinkMeasurement } from '../probe/link-probe.js';
import { placementOf } from '../runs/run-prediction.js';
import { trainConfigOf } from '../runs/train-config.js';
import type { ClusterMember } from './cluster-members.js';

/** The GPU cluster of some hosts, before a strategy is chosen. */
interface GpuCluster { gpu: GpuSpec; gpus: number; gpusPerNode: number; interNodeBytesPerSecond: number | null; derivedFrom: string[] }

/** The knobs of the plan (left out: derived). */
export interface ClusterPlanKnobs {
  /** The model as the planner takes it (a catalogue id or a spec read from a file). */
  plannerModel: string | ModelSpec;
  /** The model as the built-in engine runs it (read only when the ranks run on CPUs). */
  engineModel: () => ModelConfig;
  dp?: number;
  tp?: number;
  pp?: number;
  microBatch?: number;
  globalBatch?: number;
  zeroStage?: number;
  recompute?: string;
  strategy: PlanRequest['strategy'];
}

/** The plan and what each of its figures was derived from. */
export type ClusterPlan =
  | { kind: 'gpu'; plan: PlanResult; derivedFrom: string[] }
  | { kind: 'cpu'; prediction: EnginePrediction; config: TrainConfig; placement: Array<{ rank: number; host: string }>; derivedFrom: string[] };

/** What a plan for a cluster reads besides its members. */
export interface ClusterFacts {
  /** Measured links (hosts.json), any pairs; the ones between the plan's hosts are used. */
  links: readonly LinkMeasurement[];
  /** A host's latest calibration. */
  calibrationOf: (hostId: string) => HostCalibration | null;
  nowMs: number;
}

function derivedDp(devices: number, tp: number, pp: number, what: string): number {
  if (devices % (tp * pp) !== 0 || devices < tp * pp) throw new ShardScopeError('bad-input', `tp x pp = ${tp * pp} does not divide the ${devices} ${what} of this cluster`);
  return devices / (tp * pp);
}

/** The links measured between hosts of `ids` and the slowest of them. */
function linksBetween(links: readonly LinkMeasurement[], ids: string[]): { used: LinkMeasurement[]; slowest: LinkMeasurement | null } {
  const used = links.filter((l) => ids.includes(l.from) && ids.includes(l.to) && l.from !== l.to);
  return { used, slowest: used.reduce<LinkMeasurement | null>((a, l) => (a === null || l.bytesPerSecond < a.bytesPerSecond ? l : a), null) };
}

/** Plans for the members; throws `bad-input` when they cannot be planned for together, `not-found` when a needed calibration is missing. */
export function planForMembers(members: ClusterMember[], knobs: ClusterPlanKnobs, facts: ClusterFacts): ClusterPlan {
  if (members.length === 0) throw new ShardScopeError('bad-input', 'the cluster has no host');
  const memberLines = memberLinesOf(members);
  const withGpus = members.filter((m) => m.inventory.gpus.length > 0);
  return withGpus.length > 0 ? gpuPlan(withGpus, members, knobs, facts, memberLines) : cpuPlan(members, knobs, facts, memberLines);
}

/** The GPU cluster of the members with GPUs: spec (calibrated figures laid over the catalogue's), counts, link override, and the lines saying where each came from. */
export function gpuClusterOf(withGpus: ClusterMember[], members: ClusterMember[], facts: ClusterFacts, memberLines: string[]): GpuCluster {
  let cluster;
  try {
    cluster = planningClusterOf(withGpus.map((m) => m.inventory), listPresets().gpus);
  } catch (error) {
    throw new ShardScopeError('bad-input', `this cluster: ${(error as Error).message}`);
  }
  const derivedFrom = [...memberLines, `GPUs: ${cluster.gpus} (${cluster.gpusPerNode} per host on ${cluster.hosts.map((h) => h.hostId).join(', ')})`, ...cluster.notes];
  const left = members.filter((m) => m.inventory.gpus.length === 0).map((m) => m.inventory.id);
  if (left.length) derivedFrom.push(`hosts without GPU left out of the GPU plan: ${left.join(', ')}`);
  const ids = withGpus.map((m) => m.inventory.id);
  let interNodeBytesPerSecond: number | null = null;
  const gpu = { ...cluster.gpu };
  if (ids.length > 1) {
    const { slowest } = linksBetween(facts.links, ids);
    if (slowest) {
      interNodeBytesPerSecond = slowest.bytesPerSecond;
      derivedFrom.push(`between hosts: ${formatBytesPerSecond(slowest.bytesPerSecond)}, ${formatDuration(slowest.latencyMs / 1000)} latency, the slowest measured pair ${slowest.from} <-> ${slowest.to} (link probe, ${calibrationAge(slowest.measuredAtMs, facts.nowMs)}) over the catalogue's ${formatBytesPerSecond(gpu.interNodeBytesPerSecond)}`);
    } else derivedFrom.push(`between hosts: catalogue's ${formatBytesPerSecond(gpu.interNodeBytesPerSecond)} (no link probe between ${ids.join(', ')}: run shardscope calibrate --hosts FILE or hosts probe)`);
    const calibrated = ids.map((id) => facts.calibrationOf(id)).filter((c): c is HostCalibration => c !== null && c.collectives.some((t) => t.scope === 'cross-host'));
    if (calibrated.length > 0) {
      // the slowest host's curve: a group spanning the hosts moves at its slowest member
      const curves = calibrated.map((c) => ({ c, curve: busBandwidthFromTimings(c.collectives.filter((t) => t.scope === 'cross-host')).interNodeBusBandwidth ?? [] }));
      const worst = curves.reduce((a, b) => (Math.max(...b.curve.map((p) => p.busBytesPerSecond)) < Math.max(...a.curve.map((p) => p.busBytesPerSecond)) ? b : a));
      if (worst.curve.length) {
        gpu.calibration = { ...gpu.calibration, interNodeBusBandwidth: worst.curve, source: `${calibrationLine(worst.c, facts.nowMs)}: our collectives across hosts` };
        derivedFrom.push(`collective bus bandwidth across hosts: ${worst.curve.map((p) => `${formatBytesPerSecond(p.busBytesPerSecond)} at ${(p.bytes / 2 ** 20).toFixed(2)} MiB`).join(', ')} from ${calibrationLine(worst.c, facts.nowMs)} (our TCP collectives${worst.c.crossHostPeers ? ` with ${worst.c.crossHostPeers.join(', ')}` : ''}), over the catalogue's`);
      }
    } else derivedFrom.push('collectives across hosts: not calibrated (catalogue bandwidth model; run shardscope calibrate --hosts FILE)');
  }
  derivedFrom.push('GPU compute: no GPU calibration (this session has no GPU machine): the catalogue entry\'s efficiency model');
  return { gpu, gpus: cluster.gpus, gpusPerNode: cluster.gpusPerNode, interNodeBytesPerSecond, derivedFrom };
}

function gpuPlan(withGpus: ClusterMember[], members: ClusterMember[], knobs: ClusterPlanKnobs, facts: ClusterFacts, memberLines: string[]): ClusterPlan {
  const cluster = gpuClusterOf(withGpus, members, facts, memberLines);
  const tp = knobs.tp ?? 1;
  const pp = knobs.pp ?? 1;
  const dp = knobs.dp ?? derivedDp(cluster.gpus, tp, pp, 'GPUs');
  const derivedFrom = [...cluster.derivedFrom];
  derivedFrom.splice(memberLines.length + 1, 0, `dp=${dp}${knobs.dp ? ' (given)' : ' derived from the GPUs'}`);
  const overrides = cluster.interNodeBytesPerSecond ? { overrides: { interNodeBytesPerSecond: cluster.interNodeBytesPerSecond } } : {};
  const plan = planStrategy({ model: knobs.plannerModel, cluster: { gpu: cluster.gpu, gpus: cluster.gpus, gpusPerNode: cluster.gpusPerNode }, strategy: { ...knobs.strategy, dp, tp, pp }, ...overrides });
  return { kind: 'gpu', plan, derivedFrom };
}

/** The lines naming each member: its GPUs or cores and where it came from. */
export function memberLinesOf(members: ClusterMember[]): string[] {
  return members.map((m) => `host ${m.inventory.id}: ${m.inventory.gpus.length > 0 ? `${m.inventory.gpus.length} x ${m.inventory.gpus[0].name}` : `no GPU, ${m.inventory.cpu.logicalCores} cores`}, from ${m.source}`);
}

/**
 * "This cluster" as the app's Planner takes it: the GPU cluster of the known hosts; without GPUs, the built-in
 * engine's candidate strategies on their CPU slots for the model and batch asked (cpu-candidates.ts); or why there is none.
 */
export function thisClusterOf(members: ClusterMember[], leftOut: string[], facts: ClusterFacts, request: ThisClusterRequest = {}): ThisCluster {
  const lines = memberLinesOf(members);
  const withGpus = members.filter((m) => m.inventory.gpus.length > 0);
  const left = leftOut.map((l) => `left out: ${l}`);
  if (members.length === 0) return { available: false, reason: 'no known host', derivedFrom: left };
  if (withGpus.length === 0) {
    const cpu = cpuCandidatesOf(members, request, facts);
    const hosts = [...new Set(members.map((m) => m.inventory.id))];
    const calibrations = hosts.map((id) => {
      const c = facts.calibrationOf(id);
      return c ? `figures of ${id}: ${calibrationLine(c, facts.nowMs)}` : `figures of ${id}: no calibration (run shardscope calibrate${id === 'local' ? '' : ' --hosts FILE'}): its ranks are predicted at another host's figures or the catalogue's, as each candidate says`;
    });
    const { slowest } = linksBetween(facts.links, hosts);
    const link = hosts.length < 2 ? [] : [slowest ? `link between hosts: ${formatBytesPerSecond(slowest.bytesPerSecond)}, ${formatDuration(slowest.latencyMs / 1000)} latency (link probe ${slowest.from} <-> ${slowest.to}, ${calibrationAge(slowest.measuredAtMs, facts.nowMs)}); cross-host collectives from the calibration` : 'link between hosts: not probed'];
    return {
      available: true, kind: 'cpu', cpu,
      derivedFrom: [...lines, `no GPU: ${cpu.slots} rank slot(s) of the built-in engine (fp32, Adam fp32), ranks filling the hosts in order`, ...calibrations, ...link, ...cpu.notes, ...left],
    };
  }
  try {
    const c = gpuClusterOf(withGpus, members, facts, lines);
    return { available: true, kind: 'gpu', gpu: c.gpu, gpus: c.gpus, gpusPerNode: c.gpusPerNode, interNodeBytesPerSecond: c.interNodeBytesPerSecond, derivedFrom: [...c.derivedFrom, ...left] };
  } catch (error) {
    return { available: false, reason: (error as Error).message, derivedFrom: [...lines, ...left] };
  }
}

function cpuPlan(members: ClusterMember[], knobs: ClusterPlanKnobs, facts: ClusterFacts, memberLines: string[]): ClusterPlan {
  const tp = knobs.tp ?? 1;
  const pp = knobs.pp ?? 1;
  const slots = members.flatMap((m) => Array.from({ length: m.slots }, () => m.inventory.id));
  const dp = knobs.dp ?? Math.max(1, Math.floor(slots.length / (tp * pp)));
  const world = dp * tp * pp;
  if (world > slots.length) throw new ShardScopeError('bad-input', `dp x tp x pp = ${world} ranks but the hosts offer ${slots.length} slot(s) (${members.map((m) => `${m.inventory.id}: ${m.slots}`).join(', ')})`);
  const globalBatch = knobs.globalBatch ?? 8;
  const config = trainConfigOf({
    model: knobs.engineModel(), dp, tp, pp, steps: 1, globalBatch,
    microBatches: knobs.microBatch ? globalBatch / dp / knobs.microBatch : undefined,
    zeroStage: knobs.zeroStage === 1 ? 1 : 0, recompute: knobs.recompute === 'full',
  } as Parameters<typeof trainConfigOf>[0]);
  const hostOfRank = (rank: number) => slots[rank];
  const used = [...new Set(slots.slice(0, world))];
  const calibrations = new Map(used.map((id) => [id, facts.calibrationOf(id)]));
  const missing = used.filter((id) => !calibrations.get(id));
  if (missing.length) throw new ShardScopeError('not-found', `no calibration of the built-in engine on ${missing.join(', ')}: run shardscope calibrate${missing.some((id) => id !== 'local') ? ' --hosts FILE' : ''} first`);
  const prediction = predictEngineRun(config, calibrations.get(hostOfRank(0)) as HostCalibration, placementOf(config, hostOfRank), (id) => calibrations.get(id) ?? null, hostOfRank);
  const derivedFrom = [...memberLines, `ranks: ${world} of the built-in engine (fp32, Adam fp32) on ${used.map((id) => `${id} x${slots.slice(0, world).filter((s) => s === id).length}`).join(', ')}; dp=${dp}${knobs.dp ? ' (given)' : ' derived from the slots'}`,
    ...used.map((id) => `figures of ${id}: ${calibrationLine(calibrations.get(id) as HostCalibration, facts.nowMs)}`)];
  if (used.length > 1) {
    const { slowest } = linksBetween(facts.links, used);
    derivedFrom.push(slowest ? `link between hosts: ${formatBytesPerSecond(slowest.bytesPerSecond)}, ${formatDuration(slowest.latencyMs / 1000)} latency (link probe ${slowest.from} <-> ${slowest.to}, ${calibrationAge(slowest.measuredAtMs, facts.nowMs)}); cross-host collectives from the calibration` : 'link between hosts: not probed');
  }
  return { kind: 'cpu', prediction, config, placement: slots.slice(0, world).map((host, rank) => ({ rank, host })), derivedFrom };
}
