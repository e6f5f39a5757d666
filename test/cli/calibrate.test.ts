/**
 * `shardscope calibrate`: real worker processes measure this host, the result is stored with its time
 * and versions, shown with its age, and the next run of the built-in engine is predicted from it, with
 * bytes counted the same way on both sides and memory measured as each rank's VmHWM.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeNvidiaSmiPath, fixture } from '../support/fake-nvidia-smi/fixtures.js';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');

function runCli(args: string[], home: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SHARDSCOPE_HOME: home, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('calibrate measures, stores and shows; a run is then predicted from that calibration', { timeout: 600_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'shardscope-calibrate-'));
  // this host's nvidia-smi for calibrate: the stand-in replaying a recorded idle H100 (71.15 W, limit 700 W)
  const gpu = { SHARDSCOPE_NVIDIA_SMI: fakeNvidiaSmiPath, FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_h100-mig-enabled_590.48.01_idle.csv') };
  const calibrated = await runCli(['calibrate', '--model', 'tiny', '--global-batch', '2', '--reps', '1', '--json'], home, gpu);
  assert.equal(calibrated.code, 0, calibrated.stderr);
  assert.match(calibrated.stderr, /built-in engine at the shapes of tiny/);
  assert.match(calibrated.stderr, /stored as calibration #1/);
  const record = JSON.parse(calibrated.stdout.trim());
  assert.equal(record.hostId, 'local');
  assert.equal(record.software.node, process.versions.node);
  assert.ok(record.software.tfjs, 'the tfjs version is kept');
  const [engine] = record.engines;
  assert.deepEqual([...new Set(engine.segments.map((s: { batch: number }) => s.batch))], [1, 2]);
  assert.ok(engine.segments.some((s: { segment: string; tp: number }) => s.segment === 'attn-backward' && s.tp === 2), 'TP shards of 1/2 are timed');
  assert.ok(engine.runtimeBaselineBytes > 20 * 2 ** 20, `a Node + tfjs worker peaks above 20 MiB before any model (${engine.runtimeBaselineBytes})`);
  assert.ok(engine.matmul.every((m: { flopsPerSecond: number }) => m.flopsPerSecond > 0));
  assert.deepEqual([...new Set(record.collectives.map((c: { op: string }) => c.op))].sort(), ['allGather', 'allReduce', 'reduceScatter', 'send']);
  assert.ok(record.missing.some((m: string) => /power/.test(m)), 'what was not measured is said');
  assert.deepEqual(record.collectiveMemory.map((m: { op: string }) => m.op), ['allReduce', 'reduceScatter', 'allGather']);
  assert.ok(record.collectiveMemory.every((m: { bytes: number; growthBytes: number }) => m.bytes === 16 * 2 ** 20 && m.growthBytes >= 0));
  assert.ok(record.lockstep.waitFraction >= 0 && record.lockstep.segmentSeconds > 0.005, JSON.stringify(record.lockstep));
  // 2 ranks' contention on the fused step and a TP layer in lockstep, measured in one group of real rank processes
  const two = engine.concurrency.find((c: { processes: number }) => c.processes === 2);
  assert.ok(two && two.slowdown > 0.3 && two.slowdown < 10, JSON.stringify(engine.concurrency));
  assert.match(calibrated.stderr, /2 ranks computing the fused step at once run [\d.]+x slower than one alone/);
  const t = record.tpLockstep;
  assert.equal(t.tp, 2);
  assert.equal(t.batch, 1, 'the probe runs at half the global batch');
  assert.ok(t.forwardSlowdown > 0.3 && t.backwardSlowdown > 0.3 && t.aloneLayerSeconds > 0, JSON.stringify(t));
  assert.ok(t.syncSeconds > 0 && t.bareAllReduceSeconds > 0 && Math.abs(t.waitPerSyncSeconds - Math.max(0, t.syncSeconds - t.bareAllReduceSeconds)) < 1e-9, JSON.stringify(t));
  // PyTorch is installed here (Debian's python3-torch): its matmul and Gloo all-reduce are measured too
  assert.match(record.torch.torchVersion, /^1\.13/);
  assert.equal(record.torch.device, 'cpu');
  assert.equal(record.torch.matmul.length, 5, 'the five GEMMs of a layer and the head');
  assert.ok(record.torch.matmul.every((m: { flopsPerSecond: number }) => m.flopsPerSecond > 1e8));
  assert.deepEqual(record.torch.glooAllReduce.map((p: { bytes: number }) => p.bytes), [4, 65536, 262144, 1048576, 4194304, 16777216]);
  assert.ok(record.torch.glooAllReduce.every((p: { seconds: number }) => p.seconds > 0));
  // GPU power: idle read from the stand-in; no GPU engine here (torch on CPU), so loaded is said not measured
  assert.equal(record.gpuPower.source, 'measured by nvidia-smi power.draw');
  assert.deepEqual(record.gpuPower.gpus.map((g: { index: number; idleWatts: number; loadedWatts: null; powerLimitWatts: number }) => [g.index, Math.round(g.idleWatts * 100) / 100, g.loadedWatts, g.powerLimitWatts]), [[0, 71.15, null, 700]]);
  assert.ok(record.missing.includes(`loaded GPU power not measured: no GPU engine on local (its PyTorch ${record.torch.torchVersion} runs on cpu)`), record.missing.join('; '));

  const shown = await runCli(['calibrate', '--show'], home);
  assert.equal(shown.code, 0, shown.stderr);
  assert.match(shown.stdout, /calibration #1 measured .* \(\d+ s ago\) by shardscope calibrate/);
  assert.match(shown.stdout, /GPU 0 power: idle 71\.[12] W \(2\.0 s before load\), loaded not measured, limit 700\.0 W \(measured by nvidia-smi power\.draw\)/);

  const ran = await runCli(['run', '--model', 'tiny', '--strategy', 'tp=2', '--steps', '3', '--global-batch', '2', '--sample-ms', '0', '--json', '--report', join(home, 'r.json')], home);
  assert.equal(ran.code, 0, ran.stderr);
  const [run] = JSON.parse(readFileSync(join(home, 'r.json'), 'utf8')).runs;
  assert.equal(run.prediction.kind, 'engine-calibrated');
  assert.match(run.prediction.note, /predicted from calibration #1 of local/);
  const check = (metric: string) => run.predictionChecks.find((c: { metric: string }) => c.metric === metric);
  // no RAPL here: the energy is not predicted, and the prediction says why; the measured side stands alone
  assert.equal(run.prediction.joulesPerToken, null);
  assert.ok(run.prediction.energy.gaps.some((g: string) => /^no power calibration for the CPU ranks on local: CPU power: not readable on local/.test(g)), run.prediction.energy.gaps.join('; '));
  assert.deepEqual([check('joulesPerToken').predicted, check('joulesPerToken').errorFraction], [null, null]);
  const tpBytes = check('commBytesPerStepPerGpu.tp');
  assert.ok(tpBytes.measured > 0);
  assert.equal(tpBytes.predicted, tpBytes.measured, 'TP bytes are counted identically by the prediction and the engine');
  assert.equal(run.measured.peakMemorySource, 'process-peak-vmhwm');
  for (const rank of [0, 1]) {
    const c = check(`peakMemoryBytes.rank${rank}`);
    assert.ok(c.measured > engine.runtimeBaselineBytes * 0.8, `rank ${rank} measured its VmHWM`);
    assert.equal(c.errorFraction, (c.measured - c.predicted) / c.predicted);
  }
  // the History list carries the same step-time check as the report
  const listed = await runCli(['runs', '--json'], home);
  const item = JSON.parse(listed.stdout).find((r: { id: string }) => r.id === run.id);
  const step = check('stepTimeSeconds');
  assert.deepEqual(item.stepTimeCheck, { predictedSeconds: step.predicted, measuredSeconds: step.measured, errorFraction: step.errorFraction });
});

test('a PyTorch run is predicted from the torch figures of the calibration', { timeout: 600_000 }, async () => {
  const home = mkdtempSync(join(tmpdir(), 'shardscope-calibrate-'));
  const uncalibrated = await runCli(['run', '--model', 'tiny', '--engine', 'torch', '--strategy', 'dp=2', '--steps', '2', '--global-batch', '2', '--sample-ms', '0', '--json', '--report', join(home, 'a.json')], home);
  assert.equal(uncalibrated.code, 0, uncalibrated.stderr);
  const before = JSON.parse(readFileSync(join(home, 'a.json'), 'utf8')).runs[0].prediction;
  assert.equal(before.kind, 'planner-catalogue');
  assert.match(before.note, /this host has no calibration/);
  const calibrated = await runCli(['calibrate', '--model', 'tiny', '--global-batch', '2', '--reps', '1', '--json'], home);
  assert.equal(calibrated.code, 0, calibrated.stderr);
  const { torch } = JSON.parse(calibrated.stdout.trim());
  const ran = await runCli(['run', '--model', 'tiny', '--engine', 'torch', '--strategy', 'dp=2', '--steps', '2', '--global-batch', '2', '--sample-ms', '0', '--json', '--report', join(home, 'b.json')], home);
  assert.equal(ran.code, 0, ran.stderr);
  const after = JSON.parse(readFileSync(join(home, 'b.json'), 'utf8')).runs[0].prediction;
  // the reference script's own step was timed (1 thread and all cores, micro-batches 1 and 2, Adam, 2 ranks at once)
  assert.deepEqual([...new Set(torch.step.forwardBackward.map((p: { batch: number }) => p.batch))].sort(), [1, 2]);
  assert.ok(torch.step.forwardBackward.every((p: { seconds: number }) => p.seconds > 0));
  assert.ok(torch.step.optimizer.length >= 1 && torch.step.contention.processes === 2, JSON.stringify(torch.step));
  assert.equal(after.kind, 'torch-calibrated');
  assert.match(after.note, /predicted from calibration #1 of local .*train_gpt\.py's own step \(micro-batch 1, 1 thread\(s\)/);
  // dp=2 on 2 cores: 1 thread per rank at micro-batch 1, the measured figures (contention taken as at least 1)
  const fb = torch.step.forwardBackward.find((p: { batch: number; threads: number }) => p.batch === 1 && p.threads === 1).seconds;
  const slowdown = Math.max(1, torch.step.contention.slowdown);
  const optimizer = torch.step.optimizer.find((o: { threads: number }) => o.threads === 1).seconds;
  assert.ok(Math.abs(after.timeBreakdownSeconds.compute - fb * slowdown) < 1e-9 && after.timeBreakdownSeconds.optimizer === optimizer, JSON.stringify(after.timeBreakdownSeconds));
  assert.ok(after.timeBreakdownSeconds.communication > 0, 'the DDP all-reduce at the measured Gloo time');
  // the run refined the torch figures it was predicted from (learning from runs), the calibrate record kept
  const runB = JSON.parse(readFileSync(join(home, 'b.json'), 'utf8')).runs[0].id;
  const shown = await runCli(['calibrate', '--show'], home);
  assert.match(shown.stdout, new RegExp(`calibration #2 measured .* by refined from run ${runB} \\(previous calibration #1 kept\\)`));
  // a script of the user's own is not what the step probe timed: the planner from the matmul rate, said so
  const script = join(home, 'mine.py');
  writeFileSync(script, readFileSync(join(__dirname, '..', '..', 'resources', 'torch', 'train_gpt.py'), 'utf8'));
  const own = await runCli(['run', '--model', 'tiny', '--engine', 'torch', '--script', script, '--data', join(__dirname, '..', '..', 'resources', 'corpus', 'licenses.txt'), '--strategy', 'dp=2', '--steps', '2', '--global-batch', '2', '--sample-ms', '0', '--json', '--report', join(home, 'c.json')], home);
  assert.equal(own.code, 0, own.stderr);
  const mine = JSON.parse(readFileSync(join(home, 'c.json'), 'utf8')).runs[0].prediction;
  assert.equal(mine.kind, 'planner-torch-calibrated');
  assert.match(mine.note, /predicted by the planner from calibration #2 of local .*torch 1\.13.* matmul on cpu at the GEMM shapes of tiny, Gloo all-reduce between 2 ranks/);
  const rates = torch.matmul.map((m: { flopsPerSecond: number }) => m.flopsPerSecond).sort((a: number, b: number) => a - b);
  assert.match(mine.note, new RegExp(`${(rates[2] / 1e9).toFixed(1)} GFLOP/s per rank`), 'the median measured matmul rate is the rank\'s compute rate');
  assert.notEqual(after.stepTimeSeconds, before.stepTimeSeconds);
});

test('calibrate --hosts with a missing file is bad input, and --show before any calibration says so', async () => {
  const home = mkdtempSync(join(tmpdir(), 'shardscope-calibrate-'));
  const hosts = await runCli(['calibrate', '--hosts', 'x.json'], home);
  assert.equal(hosts.code, 2);
  assert.match(hosts.stderr, /--hosts: no such file x\.json/);
  const show = await runCli(['calibrate', '--show'], home);
  assert.equal(show.code, 1);
  assert.match(show.stderr, /no store|never been calibrated/);
});
