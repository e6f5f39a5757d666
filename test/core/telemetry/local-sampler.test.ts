import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startLocalSampler, type LocalSampler } from '../../../src-main/core/telemetry/local-sampler.js';
import type { GpuSample, TelemetryBatch } from '../../../src-shared/telemetry.js';
import { fakeNvidiaSmiPath, fixture } from '../../support/fake-nvidia-smi/fixtures.js';

const MiB = 1024 * 1024;

/** Collects batches and lets a test wait for a condition on them (event-driven, no sleeps). */
function collector() {
  const batches: TelemetryBatch[] = [];
  const waiters: { check: () => boolean; resolve: () => void }[] = [];
  return {
    batches,
    onBatch(batch: TelemetryBatch) {
      batches.push(batch);
      for (const waiter of [...waiters]) if (waiter.check()) { waiters.splice(waiters.indexOf(waiter), 1); waiter.resolve(); }
    },
    until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`condition not met within ${timeoutMs} ms`)), timeoutMs);
        waiters.push({ check, resolve: () => { clearTimeout(timer); resolve(); } });
      });
    },
    gpus(): GpuSample[] { return batches.flatMap((b) => b.gpus); },
    notices(): string[] { return batches.flatMap((b) => b.notices.map((n) => n.message)); },
  };
}

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

/** Rows of a recorded `--format=csv` file as header -> value maps (read independently of the stand-in). */
function csvRows(file: string): Record<string, string>[] {
  const [header, ...rows] = readFileSync(file, 'utf8').trim().split('\n').map((l) => l.split(',').map((c) => c.trim()));
  const names = header.map((h) => h.replace(/\s*\[.*\]$/, ''));
  return rows.map((row) => Object.fromEntries(names.map((n, i) => [n, row[i]])));
}

const number = (cell: string) => Number.parseFloat(cell);
const noSmiEnv = { ...process.env, SHARDSCOPE_NVIDIA_SMI: '', PATH: (process.env.PATH ?? '').split(delimiter).filter((d) => !d.includes('nvidia')).join(delimiter) };

async function stopAndCheck(sampler: LocalSampler, pids: number[]): Promise<void> {
  await sampler.stop();
  for (const pid of pids) assert.equal(isAlive(pid), false, `nvidia-smi child ${pid} still running`);
}

test('host samples arrive at the interval with rates and memory; no GPU stream without nvidia-smi', async () => {
  const c = collector();
  const sampler = startLocalSampler({ hostId: 'local', intervalMs: 100, env: noSmiEnv, onBatch: c.onBatch });
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
  assert.equal(sampler.gpuStreamPid, undefined);
});

test('GPU samples from the stand-in stream carry timestampMs and the replayed values', async () => {
  const csv = fixture('query-gpu-csv', 'nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv');
  const [row] = csvRows(csv);
  const c = collector();
  const startedMs = Date.now();
  const sampler = startLocalSampler({ hostId: 'local', intervalMs: 100, nvidiaSmiPath: fakeNvidiaSmiPath, env: { ...process.env, FAKE_SMI_QUERY_CSV: csv }, onBatch: c.onBatch });
  await c.until(() => c.gpus().length >= 3);
  const pid = sampler.gpuStreamPid!;
  assert.ok(pid > 0);
  await stopAndCheck(sampler, [pid]);
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
  const c = collector();
  const sampler = startLocalSampler({ hostId: 'local', intervalMs: 100, nvidiaSmiPath: fakeNvidiaSmiPath, env: { ...process.env, FAKE_SMI_QUERY_CSV: csv }, onBatch: c.onBatch });
  await c.until(() => c.gpus().length >= 1);
  await stopAndCheck(sampler, [sampler.gpuStreamPid].filter((p): p is number => p !== undefined));
  assert.equal(c.gpus()[0].utilisationPercent, null);
  assert.ok(c.gpus()[0].powerWatts! > 0);
});

test('a dying nvidia-smi stream is reported and restarted; stop() leaves no child', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-sampler-'));
  const log = join(dir, 'smi.log');
  const csv = fixture('query-gpu-csv', 'nvgpuexp_l40s_595.80_load.csv');
  const c = collector();
  const sampler = startLocalSampler({
    hostId: 'local', intervalMs: 50, restartBackoffMs: 50, nvidiaSmiPath: fakeNvidiaSmiPath,
    env: { ...process.env, FAKE_SMI_QUERY_CSV: csv, FAKE_SMI_EXIT_AFTER_TICKS: '2', FAKE_SMI_LOG: log },
    onBatch: c.onBatch,
  });
  await c.until(() => c.notices().some((m) => /stream stopped \(exit code 1\)/.test(m)));
  const samplesAtDeath = c.gpus().length;
  await c.until(() => c.gpus().length > samplesAtDeath && c.notices().filter((m) => /restarting/.test(m)).length >= 2);
  const pids = readFileSync(log, 'utf8').trim().split('\n').map((line) => Number(line.split(' ')[0]));
  assert.ok(new Set(pids).size >= 2, 'nvidia-smi was started again');
  await stopAndCheck(sampler, pids);
});
