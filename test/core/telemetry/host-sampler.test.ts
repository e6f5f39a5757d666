/** The one host sampler on this machine: streams from the nvidia-smi stand-in, host counters, gaps and restarts, no process left behind. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus, tmpdir, userInfo } from 'node:os';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { startHostSampler, type HostSampler } from '../../../src-main/core/telemetry/host-sampler.js';
import { CpuPowerTracker, defaultTdpWatts, parseRaplGrep } from '../../../src-main/core/telemetry/cpu-power.js';
import { estimateCpuPowerWatts } from '../../../src-main/core/telemetry/energy.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import { fakeNvidiaSmiPath, fixture } from '../../support/fake-nvidia-smi/fixtures.js';
import { isRunning } from '../../support/processes.js';
import { batchCollector } from '../../support/batch-collector.js';

const dmonFile = new URL('../../fixtures/nvidia-smi/h200-sxm-141gb_dmon-s-t.txt', import.meta.url).pathname;
const MiB = 1024 * 1024;

/** Rows of a recorded `--format=csv` file as header -> value maps (read independently of the stand-in). */
function csvRows(file: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(',').map((c) => c.trim()));
  const names = header.map((h) => h.replace(/\s*\[.*\]$/, ''));
  return rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
}

const number = (cell: string) => Number.parseFloat(cell);
const noSmiEnv = { ...process.env, SHARDSCOPE_NVIDIA_SMI: '', PATH: (process.env.PATH ?? '').split(delimiter).filter((d) => !d.includes('nvidia')).join(delimiter) };

async function stopAndCheck(sampler: HostSampler, pids: number[]): Promise<void> {
  await sampler.stop();
  for (const pid of pids) assert.equal(isRunning(pid), false, `nvidia-smi child ${pid} still running`);
}

test('host samples arrive at the interval with rates and memory; no GPU stream without nvidia-smi', async () => {
  const c = batchCollector(10_000);
  const sampler = startHostSampler({ kind: 'local', env: noSmiEnv }, { intervalMs: 100, onBatch: c.onBatch });
  await c.until(() => c.batches.filter((b) => b.hosts.length > 0).length >= 3);
  await sampler.stop();
  const hosts = c.batches.flatMap((b) => b.hosts);
  const times = hosts.map((h) => h.timestampMs);
  assert.deepEqual(times, [...times].sort((a, b) => a - b));
  for (const sample of hosts) {
    assert.ok(sample.cpuUtilisationPercent >= 0 && sample.cpuUtilisationPercent <= 100);
    assert.ok(sample.memoryUsedBytes > 0 && sample.memoryUsedBytes <= sample.memoryTotalBytes);
    assert.ok(sample.networkRxBytesPerSecond >= 0 && sample.networkTxBytesPerSecond >= 0);
  }
  assert.deepEqual(c.gpus(), []);
  assert.deepEqual(c.noticeMessages(), [], 'a machine without nvidia-smi is not an error');
});

test('GPU samples from the stand-in stream carry timestampMs and the replayed values', async () => {
  const csv = fixture('query-gpu-csv', 'nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv');
  const [row] = csvRows(csv);
  const c = batchCollector(10_000);
  const startedMs = Date.now();
  const sampler = startHostSampler({ kind: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env: { ...process.env, FAKE_SMI_QUERY_CSV: csv } }, { intervalMs: 100, onBatch: c.onBatch });
  await c.until(() => c.gpus().length >= 3);
  const pids = sampler.processIds;
  assert.ok(pids.length > 0);
  await stopAndCheck(sampler, pids);
  for (const sample of c.gpus()) {
    assert.ok(sample.timestampMs >= startedMs && sample.timestampMs <= Date.now());
    assert.equal(sample.gpuIndex, number(row.index));
    assert.equal(sample.gpuUuid, row.uuid);
    assert.equal(sample.memoryUsedBytes, number(row['memory.used']) * MiB);
    assert.equal(sample.memoryTotalBytes, number(row['memory.total']) * MiB);
    assert.equal(sample.utilisationPercent, number(row['utilization.gpu']));
    assert.equal(sample.powerWatts, number(row['power.draw']));
    assert.equal(sample.temperatureCelsius, number(row['temperature.gpu']));
    assert.equal(sample.smClockMhz, number(row['clocks.current.sm']));
  }
});

test('[N/A] utilisation of a MIG-enabled GPU is null, not 0', async () => {
  const csv = fixture('query-gpu-csv', 'nvgpuexp_h100-mig-enabled_590.48.01_idle.csv');
  assert.equal(csvRows(csv)[0]['utilization.gpu'], '[N/A]');
  const c = batchCollector(10_000);
  const sampler = startHostSampler({ kind: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env: { ...process.env, FAKE_SMI_QUERY_CSV: csv } }, { intervalMs: 100, onBatch: c.onBatch });
  await c.until(() => c.gpus().length >= 1);
  await stopAndCheck(sampler, sampler.processIds);
  assert.equal(c.gpus()[0].utilisationPercent, null);
  assert.ok(c.gpus()[0].powerWatts! > 0);
});

test('a dying nvidia-smi stream is reported and restarted; stop() leaves no child', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-sampler-'));
  const log = join(dir, 'smi.log');
  const csv = fixture('query-gpu-csv', 'nvgpuexp_l40s_595.80_load.csv');
  const c = batchCollector(10_000);
  const sampler = startHostSampler(
    { kind: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env: { ...process.env, FAKE_SMI_QUERY_CSV: csv, FAKE_SMI_EXIT_AFTER_TICKS: '2', FAKE_SMI_LOG: log } },
    { intervalMs: 50, restartBackoffMs: 50, onBatch: c.onBatch },
  );
  await c.until(() => c.noticeMessages().some((m) => /stream stopped \(exit code 1\)/.test(m)));
  const samplesAtDeath = c.gpus().length;
  await c.until(() => c.gpus().length > samplesAtDeath && c.noticeMessages().filter((m) => /restarting/.test(m)).length >= 2);
  const pids = readFileSync(log, 'utf8').trim().split('\n').filter((line) => line.includes('--query-gpu')).map((line) => Number(line.split(' ')[0]));
  assert.ok(new Set(pids).size >= 2, 'nvidia-smi was started again');
  await stopAndCheck(sampler, pids);
});

test('the local host sampler adds PCIe, NVLink and estimated CPU power to the local streams; stop leaves no child', async () => {
  const env = {
    ...process.env,
    FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_l40s_595.80_load.csv'),
    FAKE_SMI_DMON: dmonFile, FAKE_SMI_DMON_DELAY_MS: '100',
    FAKE_SMI_NVLINK: fixture('dmon-nvlink', 'llmaction_h800_nvlink-i0-gt-d_training.txt'),
  };
  const batches: TelemetryBatch[] = [];
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => { resolveDone = r; });
  const isReady = () => batches.flatMap((b) => b.gpus).filter((g) => g.pcieRxBytesPerSecond !== undefined && g.nvlinkRxBytesPerSecond !== undefined).length >= 2
    && batches.some((b) => b.hosts.length > 0);
  const sampler = startHostSampler({ kind: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env }, {
    intervalMs: 150, nvlinkIntervalMs: 150, onBatch: (b) => { batches.push(b); if (isReady()) resolveDone(); },
  });
  const timer = setTimeout(() => resolveDone(), 15_000);
  await done;
  clearTimeout(timer);
  const pids = sampler.processIds;
  await sampler.stop();
  assert.ok(isReady(), `not all streams arrived: ${JSON.stringify(batches.flatMap((b) => b.notices))}`);
  const rows = readFileSync(dmonFile, 'utf8').split('\n').filter((l) => /^\s*\d/.test(l)).map((l) => l.trim().split(/\s+/).map(Number));
  for (const g of batches.flatMap((b) => b.gpus).filter((s) => s.pcieRxBytesPerSecond !== undefined)) {
    assert.ok(rows.some(([, rx, tx]) => g.pcieRxBytesPerSecond === rx * 1e6 && g.pcieTxBytesPerSecond === tx * 1e6));
  }
  for (const h of batches.flatMap((b) => b.hosts)) {
    assert.equal(h.cpuPowerSource, 'estimated'); // no readable RAPL on this machine
    assert.equal(h.cpuPowerWatts, estimateCpuPowerWatts(h.cpuUtilisationPercent, defaultTdpWatts(cpus().length)));
  }
  assert.ok(pids.length >= 2, 'query stream and dmon children ran');
  for (const pid of pids) assert.equal(isRunning(pid), false);
});

test('startHostSampler refuses a bad interval with bad-input', () => {
  assert.throws(() => startHostSampler({ kind: 'local' }, { intervalMs: 0, onBatch: () => undefined }), (e: unknown) => e instanceof ShardScopeError && e.kind === 'bad-input');
});

test('CPU power is measured from RAPL deltas (wraparound included) and estimated only without RAPL', () => {
  const tracker = new CpuPowerTracker(200);
  const range = 262143328850;
  const at = (ms: number, uj: number) => parseRaplGrep([`/sys/class/powercap/intel-rapl:0/energy_uj:${uj}`, `/sys/class/powercap/intel-rapl:0/max_energy_range_uj:${range}`, '/sys/class/powercap/intel-rapl:0:0/energy_uj:5'], ms);
  assert.deepEqual(tracker.next(at(0, 1_000_000), 50, 8), { cpuPowerWatts: null, cpuPowerSource: 'measured' });
  assert.deepEqual(tracker.next(at(500, 41_000_000), 50, 8), { cpuPowerWatts: 80, cpuPowerSource: 'measured' });
  assert.deepEqual(tracker.next(at(1000, 71_000_000), 50, 8).cpuPowerWatts, 60);
  assert.deepEqual(tracker.next(at(1500, 5_000_000), 50, 8).cpuPowerWatts, (range - 71_000_000 + 5_000_000) / 1e6 / 0.5);
  assert.deepEqual(tracker.next(null, 25, 8), { cpuPowerWatts: 50, cpuPowerSource: 'estimated' });
  assert.equal(parseRaplGrep(['garbage'], 0), null);
});

test('compute processes of this machine come with their user (ps), as on an SSH host', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-sampler-'));
  const apps = join(dir, 'apps.csv');
  writeFileSync(apps, `gpu_uuid, pid, process_name, used_gpu_memory [MiB]\nGPU-aa, ${process.pid}, node, 812 MiB\n`);
  const c = batchCollector(10_000);
  const sampler = startHostSampler(
    { kind: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env: { ...process.env, FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_l40s_595.80_load.csv'), FAKE_SMI_COMPUTE_APPS: apps } },
    { intervalMs: 100, processIntervalMs: 100, onBatch: c.onBatch },
  );
  await c.until(() => c.batches.some((b) => (b.gpuProcesses ?? []).length > 0));
  await stopAndCheck(sampler, sampler.processIds);
  const [process0] = c.batches.flatMap((b) => b.gpuProcesses ?? [])[0].processes;
  assert.deepEqual(process0, { gpuUuid: 'GPU-aa', pid: process.pid, usedMemoryBytes: 812 * MiB, name: 'node', user: userInfo().username });
});

/** "pid child-pid" lines the hanging stand-in wrote. */
function hungPids(file: string): number[] {
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number) : [];
}

test('a hung nvidia-smi stream (ignores SIGTERM, a child holds its pipe): stop() ends its whole process group', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-sampler-'));
  const pidsFile = join(dir, 'hung');
  const c = batchCollector(10_000);
  const sampler = startHostSampler({ kind: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env: {
    ...process.env, FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_l40s_595.80_load.csv'), FAKE_SMI_HANG_MATCH: '--query-gpu', FAKE_SMI_HANG_PIDS: pidsFile,
  } }, { intervalMs: 100, onBatch: c.onBatch });
  await c.until(() => hungPids(pidsFile).length >= 2 && c.batches.some((b) => b.hosts.length > 0), 'condition', 30_000);
  const pids = hungPids(pidsFile);
  assert.ok(pids.every(isRunning), 'the hung stand-in and its child run');
  await sampler.stop();
  for (const pid of pids) assert.equal(isRunning(pid), false, `process ${pid} left behind`);
  assert.deepEqual(c.gpus(), []);
});

test('a hung probe does not hold up host samples or stop(), and leaves nothing behind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-sampler-'));
  const pidsFile = join(dir, 'hung');
  const c = batchCollector(10_000);
  const sampler = startHostSampler({ kind: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env: {
    ...process.env, FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_l40s_595.80_load.csv'), FAKE_SMI_HANG_MATCH: '*', FAKE_SMI_HANG_PIDS: pidsFile,
  } }, { intervalMs: 100, onBatch: c.onBatch });
  await c.until(() => hungPids(pidsFile).length >= 2 && c.batches.filter((b) => b.hosts.length > 0).length >= 2, 'condition', 30_000);
  const pids = hungPids(pidsFile);
  const stopping = Date.now();
  await sampler.stop();
  // The probe's own limit is 15 s: stop() cancels it rather than waiting for it.
  assert.ok(Date.now() - stopping < 10_000, `stop() took ${Date.now() - stopping} ms`);
  for (const pid of pids) assert.equal(isRunning(pid), false, `process ${pid} left behind`);
});

test('100 MB on one line from the nvidia-smi stream is cut at the line cap, said so, and the stream stopped', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-sampler-'));
  const log = join(dir, 'smi.log');
  const c = batchCollector(10_000);
  const sampler = startHostSampler({ kind: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env: {
    ...process.env, FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_l40s_595.80_load.csv'), FAKE_SMI_FLOOD_MATCH: '--query-gpu', FAKE_SMI_LOG: log,
  } }, { intervalMs: 100, restartBackoffMs: 60_000, maxLineChars: 4096, onBatch: c.onBatch });
  await c.until(() => c.noticeMessages().some((m) => /query stream stopped/.test(m)));
  const notice = c.noticeMessages().find((m) => /query stream stopped/.test(m))!;
  assert.match(notice, /output cut: a line longer than 4096 characters/);
  assert.ok(notice.length < 500, `notice of ${notice.length} characters`);
  const flooders = readFileSync(log, 'utf8').trim().split('\n').filter((l) => l.includes('--query-gpu')).map((l) => Number(l.split(' ')[0]));
  assert.equal(flooders.length, 1);
  for (const pid of flooders) assert.equal(isRunning(pid), false, 'the flooding stand-in was stopped');
  assert.deepEqual(c.gpus(), []);
  await stopAndCheck(sampler, sampler.processIds);
});

test('a query stream that stops printing (hung driver call) is taken for hung, its group stopped, and restarted', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-sampler-'));
  const log = join(dir, 'smi.log');
  const c = batchCollector(10_000);
  const sampler = startHostSampler({ kind: 'local', nvidiaSmiPath: fakeNvidiaSmiPath, env: {
    ...process.env, FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_l40s_595.80_load.csv'), FAKE_SMI_SILENT_AFTER_TICKS: '3', FAKE_SMI_LOG: log,
  } }, { intervalMs: 100, staleAfterMs: 300, restartBackoffMs: 100, onBatch: c.onBatch });
  await c.until(() => c.noticeMessages().some((m) => /query stream stopped \(no output for \d+ ms: taken for hung/.test(m)));
  const noticeCount = c.gpus().length;
  await c.until(() => c.gpus().length > noticeCount, 'condition', 15_000);
  const streams = readFileSync(log, 'utf8').trim().split('\n').filter((l) => l.includes('--query-gpu')).map((l) => Number(l.split(' ')[0]));
  assert.ok(streams.length >= 2, 'a new query stream was started');
  assert.equal(isRunning(streams[0]), false, 'the silent stream was stopped');
  await stopAndCheck(sampler, streams);
});
