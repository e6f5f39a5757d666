import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import type { Inventory } from '../../src-shared/inventory.js';
import { fakeNvidiaSmiPath, fixture } from '../support/fake-nvidia-smi/fixtures.js';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;
const cli = join(root, 'dist/cli.cjs');
/** PATH without nvidia-smi, so the GPU-less case is what this test sees on any machine. */
const env = {
  ...process.env,
  SHARDSCOPE_NVIDIA_SMI: '',
  PATH: (process.env.PATH ?? '').split(delimiter).filter((dir) => !existsSync(join(dir, 'nvidia-smi'))).join(delimiter),
};

async function discover(args: string[], extraEnv: Record<string, string> = {}) {
  return run(process.execPath, [cli, 'discover', ...args], { env: { ...env, ...extraEnv }, timeout: 30_000 });
}

test('the built CLI exists (npm test builds it first)', () => {
  assert.ok(existsSync(cli), `${cli} missing: run node scripts/build.mjs`);
});

test('discover --json on a GPU-less machine shows the CPU as the device', async () => {
  const { stdout } = await discover(['--json']);
  const inventory = JSON.parse(stdout) as Inventory;
  assert.equal(inventory.hosts.length, 1);
  const [host] = inventory.hosts;
  assert.equal(host.isLocal, true);
  assert.deepEqual(host.gpus, []);
  assert.deepEqual(host.devices.map((d) => d.kind), ['cpu']);
  assert.ok(host.memoryBytes > 0 && host.cpu.logicalCores > 0);
  assert.match(host.gpuNote ?? '', /nvidia-smi/);
});

test('discover --json --nvidia-smi <stand-in> shows the fixture\'s GPUs and topology', async () => {
  const xmlFile = fixture('xml', 'telegraf_2x-rtx-2080_590.44.01_v13.xml');
  const xml = readFileSync(xmlFile, 'utf8');
  const { stdout } = await discover(['--json', '--nvidia-smi', fakeNvidiaSmiPath], {
    FAKE_SMI_XML: xmlFile, FAKE_SMI_TOPO: fixture('topo', 'mleng_2gpu_PHB_topo-m_tab-expanded.txt'),
  });
  const [host] = (JSON.parse(stdout) as Inventory).hosts;
  assert.deepEqual(host.gpus.map((g) => g.uuid), [...xml.matchAll(/<uuid>([^<]*)<\/uuid>/g)].map((m) => m[1]));
  assert.deepEqual(host.devices.map((d) => d.name), [...xml.matchAll(/<product_name>([^<]*)</g)].map((m) => m[1]));
  assert.ok(host.topology?.links.every((l) => l.connection === 'PHB'));
});

test('readable output names the devices; bad flags exit 2; a --host it cannot log in to is a per-host error (exit 1)', async () => {
  const { stdout } = await discover([]);
  assert.match(stdout, /devices:\n\s+cpu\s+cpu /);
  await assert.rejects(discover(['--bogus']), (error: { code?: number; stderr?: string }) => error.code === 2 && /bogus/.test(error.stderr ?? ''));
  await assert.rejects(discover(['--host', '127.0.0.1:1', '--json']), (error: { code?: number; stdout?: string }) => {
    const hosts = (JSON.parse(error.stdout ?? '{}') as Inventory).hosts ?? [];
    const remote = hosts.find((h) => !h.isLocal);
    return error.code === 1 && hosts.some((h) => h.isLocal && h.status === 'ok') && remote?.status === 'error' && /^ssh-/.test(remote.error?.kind ?? '') && (remote.error?.message ?? '').includes('127.0.0.1');
  });
});

test('a malformed --host or a missing --identity file is bad usage: one line, exit 2, nothing discovered', async () => {
  for (const args of [['--host', 'bad:host:xx'], ['--identity', '/nonexistent/id_ed25519', '--host', '127.0.0.1:1']]) {
    await assert.rejects(discover(args), (error: { code?: number; stdout?: string; stderr?: string }) =>
      error.code === 2 && error.stdout === '' && /^shardscope discover: .*\n$/.test(error.stderr ?? ''));
  }
});
