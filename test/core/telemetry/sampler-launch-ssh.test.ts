import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startHostSampler, type HostSampler, type HostSamplerOptions } from '../../../src-main/core/telemetry/host-sampler.js';
import type { GpuSample } from '../../../src-shared/telemetry.js';
import { clusterTarget, fixturesDir, startSshCluster, type SshCluster } from '../../support/ssh-cluster/index.js';
import { batchCollector } from '../../support/batch-collector.js';

const queryCsv = 'query-gpu-csv/nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv';
const dmonFile = new URL('../../fixtures/nvidia-smi/h200-sxm-141gb_dmon-s-t.txt', import.meta.url).pathname;
const nvlinkFile = 'dmon-nvlink/llmaction_h800_nvlink-i0-gt-d_idle.txt';
const MiB = 1024 * 1024;
let cluster: SshCluster;

before(async () => {
  cluster = await startSshCluster([
    { name: 'gpu-h100', smi: { kind: 'fixture', xmlFile: 'xml/telegraf_a100-sxm4-80gb_535.54.03_v12.xml', topoFile: null, queryCsvFile: queryCsv, dmonFile, nvlinkFile, dmonDelayMs: 200 } },
    { name: 'cpu-only', smi: { kind: 'missing' } },
    // A haywire nvidia-smi: the query stream prints 100 MB on one line, dmon hangs ignoring SIGTERM with a child holding its pipe.
    { name: 'gpu-haywire', smi: { kind: 'fixture', xmlFile: 'xml/telegraf_a100-sxm4-80gb_535.54.03_v12.xml', topoFile: null, queryCsvFile: queryCsv, dmonFile, dmonDelayMs: 200,
      extraEnv: { FAKE_SMI_FLOOD_MATCH: '--query-gpu', FAKE_SMI_HANG_MATCH: 'dmon' } } },
  ]);
});
after(async () => { await cluster?.stop(); });

/** Processes of a host's namespace that we started (anything but sshd), as "pid cmdline". */
function samplerProcesses(name: string): string[] {
  const ns = cluster.host(name).namespace;
  const pids = execFileSync('/usr/sbin/ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split(/\s+/).filter(Boolean);
  const out: string[] = [];
  for (const pid of pids) {
    let cmd = '';
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim(); } catch { continue; }
    if (cmd !== '' && !cmd.startsWith('/usr/sbin/sshd') && !cmd.startsWith('sshd')) out.push(`${pid} ${cmd}`);
  }
  return out;
}

async function waitForNoSamplerProcesses(name: string): Promise<void> {
  const deadline = Date.now() + 5000;
  // Polls the process table: there is no event for "a process in another namespace exited".
  while (samplerProcesses(name).length > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(samplerProcesses(name), [], `processes left on ${name}`);
}

function establishedSshConnections(name: string): number {
  const out = execFileSync('/usr/sbin/ip', ['netns', 'exec', cluster.host(name).namespace, 'ss', '-Htn', 'state', 'established', '( sport = :22 )'], { encoding: 'utf8' });
  return out.split('\n').filter((l) => l.trim() !== '').length;
}

function start(name: string, c: ReturnType<typeof batchCollector>, extra: Partial<HostSamplerOptions> = {}): HostSampler {
  return startHostSampler(
    { kind: 'ssh', target: clusterTarget(cluster, name), knownHostsFile: cluster.knownHostsFile },
    { intervalMs: 200, onBatch: c.onBatch, restartBackoffMs: 400, maxBackoffMs: 1000, connectTimeoutMs: 3000, nvlinkIntervalMs: 400, ...extra },
  );
}

function recordedRow(): Record<string, string> {
  const [header, row] = readFileSync(join(fixturesDir, queryCsv), 'utf8').trim().split('\n').map((l) => l.split(',').map((c) => c.trim()));
  return Object.fromEntries(header.map((h, i) => [h.replace(/\s*\[.*\]$/, ''), row[i]]));
}

test('one connection streams GPU, PCIe, NVLink and host samples with the fixture values; stop leaves nothing on the host', async () => {
  const c = batchCollector(20_000);
  const sampler = start('gpu-h100', c);
  const isComplete = (g: GpuSample) => g.pcieRxBytesPerSecond !== undefined && g.nvlinkRxBytesPerSecond !== undefined;
  await c.until(() => c.gpus().filter(isComplete).length >= 3 && c.batches.some((b) => b.hosts.length > 0), 'complete samples');
  assert.equal(establishedSshConnections('gpu-h100'), 1);
  const row = recordedRow();
  const dmonValues = readFileSync(dmonFile, 'utf8').split('\n').filter((l) => /^\s*\d/.test(l)).map((l) => l.trim().split(/\s+/).map(Number));
  for (const g of c.gpus().filter(isComplete)) {
    assert.equal(g.hostId, 'gpu-h100');
    assert.equal(g.gpuUuid, row.uuid);
    assert.equal(g.memoryUsedBytes, Number.parseFloat(row['memory.used']) * MiB);
    assert.equal(g.memoryTotalBytes, Number.parseFloat(row['memory.total']) * MiB);
    assert.equal(g.powerWatts, Number.parseFloat(row['power.draw']));
    assert.equal(g.smClockMhz, Number.parseFloat(row['clocks.current.sm']));
    assert.ok(dmonValues.some(([, rx, tx]) => g.pcieRxBytesPerSecond === rx * 1e6 && g.pcieTxBytesPerSecond === tx * 1e6), `PCIe ${g.pcieRxBytesPerSecond}/${g.pcieTxBytesPerSecond} not in the dmon fixture`);
    // A replayed counter file does not move: the measured NVLink rate is exactly zero.
    assert.equal(g.nvlinkRxBytesPerSecond, 0);
    assert.equal(g.nvlinkTxBytesPerSecond, 0);
  }
  const hosts = c.batches.flatMap((b) => b.hosts);
  const meminfo = execFileSync('/usr/sbin/ip', ['netns', 'exec', cluster.host('gpu-h100').namespace, 'cat', '/proc/meminfo'], { encoding: 'utf8' });
  for (const h of hosts) {
    assert.equal(h.memoryTotalBytes, Number(/MemTotal:\s+(\d+)/.exec(meminfo)![1]) * 1024);
    assert.ok(h.cpuUtilisationPercent >= 0 && h.cpuUtilisationPercent <= 100);
    assert.ok(h.networkRxBytesPerSecond >= 0 && h.networkTxBytesPerSecond >= 0);
    // No RAPL here: CPU power is a model and says so.
    assert.equal(h.cpuPowerSource, 'estimated');
    assert.ok(Number.isFinite(h.cpuPowerWatts));
  }
  assert.ok(samplerProcesses('gpu-h100').some((p) => p.includes('--query-gpu')), 'the stream runs on the host');
  await sampler.stop();
  await waitForNoSamplerProcesses('gpu-h100');
  assert.deepEqual(c.notices().map((n) => n.message), []);
});

test('a stand-in that dies is restarted with backoff; the gap is a notice and holds no samples', async () => {
  const c = batchCollector(20_000);
  const sampler = start('gpu-h100', c);
  await c.until(() => c.gpus().length >= 3, 'first samples');
  const stream = samplerProcesses('gpu-h100').find((p) => p.includes('--query-gpu'))!;
  const killedAtMs = Date.now();
  process.kill(Number(stream.split(' ')[0]), 'SIGKILL');
  await c.until(() => c.notices().some((n) => /query stream stopped/.test(n.message)), 'restart notice');
  const noticeAt = c.notices().find((n) => /query stream stopped/.test(n.message))!.timestampMs;
  await c.until(() => c.gpus().filter((g) => g.timestampMs > noticeAt).length >= 3, 'samples after the restart');
  const times = c.gpus().map((g) => g.timestampMs);
  const gaps = times.slice(1).map((t, i) => ({ from: times[i], to: t }));
  const gap = gaps.find((g) => g.from <= noticeAt && g.to > noticeAt)!;
  assert.ok(gap.to - gap.from >= 400, `gap ${gap.to - gap.from} ms shorter than the restart backoff`);
  assert.ok(gap.from <= killedAtMs + 200, 'no samples made up after the kill');
  const restarted = samplerProcesses('gpu-h100').find((p) => p.includes('--query-gpu'));
  assert.ok(restarted && restarted !== stream, 'a new stand-in runs');
  await sampler.stop();
  await waitForNoSamplerProcesses('gpu-h100');
});

test('a dropped link is noticed, nothing is sampled meanwhile, and sampling resumes after the link is back', async () => {
  const c = batchCollector(20_000);
  const sampler = start('gpu-h100', c, { staleAfterMs: 1200, connectTimeoutMs: 1500 });
  await c.until(() => c.gpus().length >= 3, 'first samples');
  cluster.dropLink('gpu-h100');
  try {
    await c.until(() => c.notices().some((n) => /connection lost/.test(n.message)), 'connection-lost notice');
  } finally {
    cluster.restoreLink('gpu-h100');
  }
  const lostAt = c.notices().find((n) => /connection lost/.test(n.message))!.timestampMs;
  await c.until(() => c.notices().some((n) => /re-established/.test(n.message)), 'reconnect notice', 30_000);
  const backAt = c.notices().find((n) => /re-established/.test(n.message))!.timestampMs;
  await c.until(() => c.gpus().filter((g) => g.timestampMs > backAt).length >= 3 && c.batches.some((b) => b.hosts.some((h) => h.timestampMs > backAt)), 'samples after reconnect');
  assert.deepEqual(c.gpus().filter((g) => g.timestampMs > lostAt && g.timestampMs < backAt), [], 'samples inside the gap');
  assert.equal(establishedSshConnections('gpu-h100'), 1);
  await sampler.stop();
  await waitForNoSamplerProcesses('gpu-h100');
});

test('a host without nvidia-smi still gives host samples and says GPU telemetry is off', async () => {
  const c = batchCollector(20_000);
  const sampler = start('cpu-only', c);
  await c.until(() => c.batches.filter((b) => b.hosts.length > 0).length >= 2 && c.notices().length > 0, 'host samples and a notice');
  assert.match(c.notices()[0].message, /GPU telemetry off: nvidia-smi not found/);
  assert.deepEqual(c.gpus(), []);
  await sampler.stop();
  await waitForNoSamplerProcesses('cpu-only');
});

test('a haywire nvidia-smi on the host: a 100 MB line is cut and said so, a hung dmon is killed on stop; nothing is left on the host', async () => {
  const c = batchCollector(20_000);
  const sampler = start('gpu-haywire', c, { restartBackoffMs: 30_000, maxBackoffMs: 30_000, maxLineChars: 4096 });
  await c.until(() => c.notices().some((n) => /query stream stopped/.test(n.message)) && samplerProcesses('gpu-haywire').some((p) => p.includes('dmon')), 'cut notice and the hung dmon');
  const notice = c.notices().find((n) => /query stream stopped/.test(n.message))!.message;
  assert.match(notice, /output cut: a line longer than 4096 characters/);
  assert.deepEqual(c.gpus(), []);
  assert.ok(samplerProcesses('gpu-haywire').some((p) => p.startsWith(`${p.split(' ')[0]} sleep`)), 'the hung dmon\'s child runs');
  await sampler.stop();
  await waitForNoSamplerProcesses('gpu-haywire');
});
