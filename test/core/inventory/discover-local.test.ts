import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { discoverLocalHost } from '../../../src-main/core/inventory/discover-local.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { fakeNvidiaSmiPath, fixture } from '../../support/fake-nvidia-smi/fixtures.js';

/** PATH without any directory holding an nvidia-smi, so "no GPU" is what this test sees on any machine. */
function pathWithoutSmi(): string {
  return (process.env.PATH ?? '').split(delimiter).filter((dir) => {
    try { readFileSync(join(dir, 'nvidia-smi')); return false; } catch { return true; }
  }).join(delimiter);
}

function envWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, PATH: pathWithoutSmi(), SHARDSCOPE_NVIDIA_SMI: '', ...extra };
}

test('without nvidia-smi the host shows its CPU as the one device, and says why', async () => {
  const host = await discoverLocalHost({ env: envWith({}) });
  assert.equal(host.status, 'ok');
  assert.equal(host.isLocal, true);
  assert.deepEqual(host.gpus, []);
  assert.equal(host.devices.length, 1);
  assert.equal(host.devices[0].kind, 'cpu');
  assert.equal(host.devices[0].name, host.cpu.model);
  assert.ok(host.cpu.logicalCores >= 1);
  assert.ok(host.memoryBytes > 0);
  assert.match(host.gpuNote ?? '', /nvidia-smi not found/);
});

test('through the stand-in nvidia-smi: GPUs from -q -x, links from topo -m', async () => {
  const xmlFile = fixture('xml', 'a0s_2x-gtx-1080_460.27.04.xml');
  const xml = readFileSync(xmlFile, 'utf8');
  const host = await discoverLocalHost({
    nvidiaSmiPath: fakeNvidiaSmiPath,
    env: envWith({ FAKE_SMI_XML: xmlFile, FAKE_SMI_TOPO: fixture('topo', 'mleng_2gpu_NV2_topo-m_tab-expanded.txt') }),
  });
  assert.equal(host.status, 'ok');
  assert.deepEqual(host.gpus.map((g) => g.name), [...xml.matchAll(/<product_name>([^<]*)</g)].map((m) => m[1]));
  assert.deepEqual(host.devices.map((d) => d.kind), ['gpu', 'gpu']);
  assert.deepEqual(host.topology?.devices, ['GPU0', 'GPU1']);
  for (const device of host.devices) assert.ok(device.links.includes('NVLink x2'), device.links.join());
  const [gen] = /<current_link_gen>(\d+)</.exec(xml)!.slice(1);
  const [width] = /<current_link_width>(\d+)x</.exec(xml)!.slice(1);
  assert.ok(host.devices[0].links.includes(`PCIe ${gen} x${width}`));
});

test('SHARDSCOPE_NVIDIA_SMI is used when no path is given', async () => {
  const host = await discoverLocalHost({
    env: envWith({ SHARDSCOPE_NVIDIA_SMI: fakeNvidiaSmiPath, FAKE_SMI_XML: fixture('xml', 'telegraf_tesla-t4_515.105.01_v11.xml'), FAKE_SMI_TOPO: fixture('topo', 'nvgpuexp_h100_590.48.01_topo-m_single-gpu.txt') }),
  });
  assert.deepEqual(host.gpus.map((g) => g.name), ['Tesla T4']);
});

test('garbage XML from nvidia-smi marks the host smi-parse, with no GPU half-filled', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-smi-'));
  const truncated = join(dir, 'truncated.xml');
  const xml = readFileSync(fixture('xml', 'telegraf_rtx-3090_525.147.05_v12.xml'), 'utf8');
  writeFileSync(truncated, xml.slice(0, xml.length / 2));
  const host = await discoverLocalHost({ nvidiaSmiPath: fakeNvidiaSmiPath, env: envWith({ FAKE_SMI_XML: truncated }) });
  assert.equal(host.status, 'error');
  assert.equal(host.error?.kind, 'smi-parse');
  assert.deepEqual(host.gpus, []);
});

test('a driver that does not answer leaves a CPU host with a note; a failing topo -m leaves topology unknown', async () => {
  const noDriver = await discoverLocalHost({ nvidiaSmiPath: fakeNvidiaSmiPath, env: envWith({}) });
  assert.equal(noDriver.status, 'ok');
  assert.equal(noDriver.devices[0].kind, 'cpu');
  assert.match(noDriver.gpuNote ?? '', /couldn't communicate with the NVIDIA driver/);
  const noTopo = await discoverLocalHost({
    nvidiaSmiPath: fakeNvidiaSmiPath,
    env: envWith({ FAKE_SMI_XML: fixture('xml', 'netdata_rtx-2080-windows_516.59_v11.xml'), FAKE_SMI_TOPO: fixture('topo', 'nvgpuexp_rtx-2080-super_591.86-windows_topo-m_ERROR.txt') }),
  });
  assert.equal(noTopo.gpus.length, 1);
  assert.equal(noTopo.topology, null);
  assert.match(noTopo.topologyNote ?? '', /Option -m is missing/);
});

test('an explicit nvidia-smi path that is not executable is smi-missing', async () => {
  await assert.rejects(discoverLocalHost({ nvidiaSmiPath: '/nonexistent/nvidia-smi', env: envWith({}) }),
    (error: unknown) => error instanceof ShardScopeError && error.kind === 'smi-missing' && error.message.includes('/nonexistent/nvidia-smi'));
});
