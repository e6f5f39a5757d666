/**
 * "This cluster" without GPUs: the built-in engine's candidates on the hosts' slots, predicted from a calibration
 * recorded on this machine (`shardscope calibrate --model tiny --global-batch 8 --reps 1`, 2 cores): the run's own
 * validity rules, the same prediction a run records, and every figure's source (calibration #id, age, staleness, gaps).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { HostCalibration } from '../../../src-shared/calibration/calibration-record.js';
import type { HostInventory } from '../../../src-shared/inventory.js';
import { cpuCandidatesOf } from '../../../src-main/core/calibration/cpu-candidates.js';
import { thisClusterOf } from '../../../src-main/core/calibration/cluster-plan.js';
import type { ClusterMember } from '../../../src-main/core/calibration/cluster-members.js';
import { predictLocalRun } from '../../../src-main/core/runs/run-prediction.js';
import { trainConfigOf } from '../../../src-main/core/runs/train-config.js';
import { enginePreset } from '../../../src-main/core/runs/train-config.js';

const recorded: HostCalibration = JSON.parse(readFileSync(new URL('../../fixtures/calibration/local-tiny.json', import.meta.url), 'utf8'));
const nowMs = recorded.measuredAtMs + 5 * 60_000;

function member(id: string, slots: number): ClusterMember {
  const inventory: HostInventory = {
    id, hostname: id, isLocal: id === 'local', status: 'ok', os: { platform: 'linux', distro: 'x', release: 'x', arch: 'x64' },
    cpu: { model: 'x', physicalCores: slots, logicalCores: slots }, memoryBytes: 8e9, nics: [], gpus: [], topology: null, devices: [], discoveredAtMs: 0,
  };
  return { inventory, slots, source: id === 'local' ? 'this machine' : `saved SSH host ${id}` };
}

const only = (c: HostCalibration | null) => (id: string) => (id === 'local' ? c : null);

test('two slots of this machine: dp=1, dp=2, dp=2 ZeRO-1, tp=2 and pp=2 with micro-batches, fastest first, each as the run would record it', () => {
  const plan = cpuCandidatesOf([member('local', 2)], { model: 'tiny', globalBatch: 8 }, { calibrationOf: only(recorded), nowMs });
  const labels = plan.candidates.map((c) => c.label);
  for (const label of ['dp=1 tp=1 pp=1', 'dp=2 tp=1 pp=1', 'dp=2 tp=1 pp=1 · ZeRO-1', 'dp=1 tp=2 pp=1', 'dp=1 tp=1 pp=2 · 4 micro-batches']) assert.ok(labels.includes(label), `${label} in ${labels.join(' | ')}`);
  const times = plan.candidates.map((c) => c.stepTimeSeconds);
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  for (const c of plan.candidates) {
    assert.equal(c.kind, 'engine-calibrated');
    assert.equal(c.rankPeakMemoryBytes.length, c.request.dp * c.request.tp * c.request.pp);
    assert.equal(c.memorySource, 'process peak resident memory (VmHWM)');
    assert.match(c.source.join('\n'), /local: calibration #1 of local \(shardscope calibrate, measured 5 min ago\)/);
    assert.equal(c.request.hosts, undefined, 'ranks on this machine only: the Run view places them here');
    // the figures are the ones the run will keep as its prediction
    const config = trainConfigOf({ model: enginePreset('tiny'), dp: c.request.dp, tp: c.request.tp, pp: c.request.pp, steps: 1, globalBatch: 8, microBatches: c.request.microBatches, zeroStage: c.request.zeroStage, recompute: false });
    const run = predictLocalRun(config, recorded, () => 'local', only(recorded));
    assert.equal(c.stepTimeSeconds, run?.stepTimeSeconds);
  }
  const tp = plan.candidates.find((c) => c.label === 'dp=1 tp=2 pp=1');
  const dp = plan.candidates.find((c) => c.label === 'dp=2 tp=1 pp=1');
  assert.ok(tp && tp.commBytesPerStepPerRank.tp > 0 && tp.commBytesPerStepPerRank.dp === 0);
  assert.ok(dp && dp.commBytesPerStepPerRank.dp > 0 && dp.commBytesPerStepPerRank.tp === 0);
});

test('the run\'s rules decide: tp=3 does not divide tiny\'s 4 heads, a batch of 8 does not split over dp=3', () => {
  const plan = cpuCandidatesOf([member('local', 3)], { model: 'tiny', globalBatch: 8 }, { calibrationOf: only(recorded), nowMs });
  assert.ok(plan.rejected.some((r) => /^dp=1 tp=3 pp=1: tp=3 must divide the model's 4 heads/.test(r)), plan.rejected.join('\n'));
  assert.ok(plan.rejected.some((r) => /^dp=3 tp=1 pp=1: global batch 8 must be divisible by dp x micro-batches = 3/.test(r)), plan.rejected.join('\n'));
  assert.ok(!plan.candidates.some((c) => c.request.dp === 3 || c.request.tp === 3));
  assert.ok(plan.candidates.some((c) => c.label === 'dp=1 tp=1 pp=3 · 6 micro-batches') === false, 'pp=3 exceeds tiny\'s 2 layers');
});

test('a host without calibration is said: its ranks at the calibrated host\'s figures (a gap), and the launch carries both hosts', () => {
  const plan = cpuCandidatesOf([member('local', 1), member('h1', 1)], { model: 'tiny', globalBatch: 8 }, { calibrationOf: only(recorded), nowMs });
  const dp = plan.candidates.find((c) => c.label === 'dp=2 tp=1 pp=1');
  assert.ok(dp);
  assert.deepEqual(dp.request.hosts, [{ id: 'local', slots: 1 }, { id: 'h1', slots: 1 }]);
  assert.match(dp.source.join('\n'), /h1: no calibration \(run shardscope calibrate --hosts FILE\)/);
  assert.ok(dp.gaps.some((g) => /host h1 has no calibration at the shapes of tiny: its ranks predicted at local's figures/.test(g)), dp.gaps.join('\n'));
});

test('a stale calibration is said, and without any the catalogue estimate says why, never silently', () => {
  const stale = cpuCandidatesOf([member('local', 1)], { model: 'tiny', globalBatch: 8 }, { calibrationOf: only(recorded), nowMs: recorded.measuredAtMs + 8 * 24 * 3600_000 });
  assert.match(stale.candidates[0].source.join('\n'), /\(STALE: calibrate again\)/);
  const none = cpuCandidatesOf([member('local', 2)], { model: 'tiny', globalBatch: 8 }, { calibrationOf: () => null, nowMs });
  assert.ok(none.candidates.length > 0);
  for (const c of none.candidates) {
    assert.equal(c.kind, 'planner-catalogue');
    assert.match(c.source[0], /estimated from the catalogue's cpu entry: this host has no calibration/);
    assert.doesNotMatch(c.memorySource, /VmHWM/);
  }
});

test('a planning-only model asked for: the candidates are for the model the calibration measured, and that is said', () => {
  const cluster = thisClusterOf([member('local', 2)], [], { links: [], calibrationOf: only(recorded), nowMs }, { model: 'opt-66b', globalBatch: 0 });
  assert.ok(cluster.available && cluster.kind === 'cpu');
  assert.equal(cluster.cpu.model, 'tiny');
  const lines = cluster.derivedFrom.join('\n');
  assert.match(lines, /opt-66b is for planning only .*: candidates for tiny, the model calibration #1 of local measured/);
  assert.match(lines, /global batch 8: the built-in engine's default/);
  assert.match(lines, /host local: no GPU, 2 cores, from this machine/);
  assert.match(lines, /figures of local: calibration #1 of local/);
});

test('a strategy the calibration did not measure (TP over 4 ranks) is a catalogue estimate that says why, listed after every calibrated one', () => {
  const plan = cpuCandidatesOf([member('local', 2), member('h1', 2)], { model: 'tiny', globalBatch: 8 }, { calibrationOf: only(recorded), nowMs });
  const tp4 = plan.candidates.find((c) => c.label === 'dp=1 tp=4 pp=1');
  assert.ok(tp4);
  assert.equal(tp4.kind, 'planner-catalogue');
  assert.match(tp4.source[0], /estimated from the catalogue's cpu entry: no attn-forward timing for a TP shard of 4 in the calibration of tiny/);
  const kinds = plan.candidates.map((c) => c.kind);
  assert.ok(kinds.lastIndexOf('engine-calibrated') < kinds.indexOf('planner-catalogue'), kinds.join(', '));
  const calibrated = plan.candidates.filter((c) => c.kind === 'engine-calibrated').map((c) => c.stepTimeSeconds);
  assert.deepEqual(calibrated, [...calibrated].sort((a, b) => a - b));
});
