import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { startHostSampler } from '../../../src-main/core/telemetry/host-sampler.js';
import { CpuPowerTracker, defaultTdpWatts, parseRaplGrep } from '../../../src-main/core/telemetry/cpu-power.js';
import { estimateCpuPowerWatts } from '../../../src-main/core/telemetry/energy.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { TelemetryBatch } from '../../../src-shared/telemetry.js';
import { fakeNvidiaSmiPath, fixture } from '../../support/fake-nvidia-smi/fixtures.js';

const dmonFile = new URL('../../fixtures/nvidia-smi/h200-sxm-141gb_dmon-s-t.txt', import.meta.url).pathname;

function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

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
  for (const pid of pids) assert.equal(isAlive(pid), false);
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
