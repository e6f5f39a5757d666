/**
 * `shardscope run` over this machine and an SSH host of the test cluster (real sshd), both with
 * stand-in GPUs drawing ~630 W: the ranks run on CPU, so the run records both hosts (inventory,
 * samples, energy per host, in the JSON, HTML and CSV reports) and 0 J of GPU energy, and lists
 * every GPU as not used by this run.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSshCluster, type SshCluster } from '../support/ssh-cluster/index.js';
import { fakeNvidiaSmiPath, fixture } from '../support/fake-nvidia-smi/fixtures.js';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');
const loadCsv = 'query-gpu-csv/nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv';
let cluster: SshCluster;
let dir: string;

before(async () => {
  cluster = await startSshCluster([{ name: 'gpu-h100x2', smi: { kind: 'fixture', xmlFile: 'xml/telegraf_2x-rtx-2080_590.44.01_v13.xml', topoFile: 'topo/mleng_2gpu_PHB_topo-m_tab-expanded.txt', queryCsvFile: loadCsv, replicateGpus: 2 } }]);
  dir = mkdtempSync(join(tmpdir(), 'shardscope-run-attribution-'));
});
after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env = {
      ...process.env, SHARDSCOPE_HOME: dir, SSH_AUTH_SOCK: '', SHARDSCOPE_NVIDIA_SMI: fakeNvidiaSmiPath,
      FAKE_SMI_XML: fixture('xml', 'telegraf_2x-rtx-2080_590.44.01_v13.xml'), FAKE_SMI_QUERY_CSV: fixture('query-gpu-csv', 'nvgpuexp_h100-80gb-hbm3_590.48.01_load.csv'), FAKE_SMI_REPLICATE_GPUS: '2',
    };
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('a CPU run over this machine and an SSH host keeps both hosts, their CPU energy, and 0 J of GPU energy', async () => {
  const remote = cluster.host('gpu-h100x2');
  const hosts = join(dir, 'hosts.json');
  writeFileSync(hosts, JSON.stringify([{ local: true, slots: 1 }, { id: 'gpu-h100x2', host: remote.address, user: cluster.user, identityFile: cluster.clientKeyFile, slots: 1 }]));
  const db = join(dir, 'runs.db');
  const out = join(dir, 'run.json');
  const result = await runCli(['run', '--model', 'tiny', '--strategy', 'dp=2', '--steps', '40', '--sample-ms', '200', '--hosts', hosts, '--known-hosts', cluster.knownHostsFile, '--db', db, '--json', '--report', out]);
  assert.equal(result.code, 0, result.stderr);
  const run = JSON.parse(readFileSync(out, 'utf8')).runs[0];

  // the placement, shown before launch (stderr with --json), says why the GPUs stay idle
  assert.match(result.stderr, /rank 0 -> local -> cpu -> (wasm|tfjs-node)\n/);
  assert.match(result.stderr, /rank 1 -> gpu-h100x2 -> cpu -> wasm\n/);
  assert.match(result.stderr, /note: gpu-h100x2 has 2 GPUs but its 1 rank will run on the CPU: the built-in engine runs on wasm on SSH hosts .* use the PyTorch engine/);
  assert.match(result.stderr, /note: local has 2 GPUs but its 1 rank will run on the CPU: tfjs-node-gpu is not installed on local — use the PyTorch engine/);
  assert.ok(result.stderr.indexOf('placement (tfjs)') < result.stderr.indexOf('"runId"') || !result.stderr.includes('"runId"'));

  // inventory: both hosts, with their GPUs, none used by the run
  assert.deepEqual(run.inventory.hosts.map((h: { id: string }) => h.id).sort(), ['gpu-h100x2', 'local']);
  const gpus = run.inventory.hosts.flatMap((h: { id: string; gpus: { index: number; usedByRun: boolean }[] }) => h.gpus.map((g) => [h.id, g.index, g.usedByRun]));
  assert.deepEqual(gpus.sort(), [['gpu-h100x2', 0, false], ['gpu-h100x2', 1, false], ['local', 0, false], ['local', 1, false]]);

  // samples of both hosts, no GPU series (the GPUs drew ~630 W each for someone else)
  const hostsWithCpu = new Set(run.series.filter((s: { metric: string }) => s.metric === 'cpuUtilisationPercent').map((s: { host: string }) => s.host));
  assert.deepEqual([...hostsWithCpu].sort(), ['gpu-h100x2', 'local']);
  assert.equal(run.series.filter((s: { gpuIndex: number | null }) => s.gpuIndex !== null).length, 0);

  // energy: per host, CPU labelled, GPU 0 J
  const energy = run.measured.energy;
  assert.equal(energy.gpuJoules, 0);
  assert.deepEqual(energy.perHost.map((h: { host: string }) => h.host), ['gpu-h100x2', 'local']);
  for (const h of energy.perHost) {
    assert.equal(h.gpuJoules, 0);
    assert.ok(h.cpuJoules > 0, `${h.host} CPU energy`);
    assert.match(String(h.cpuSource), /^(estimated|measured)$/);
  }

  // HTML and CSV say the same
  const html = join(dir, 'run.html');
  const htmlResult = await runCli(['report', run.id, '--db', db, '--format', 'html', '--out', html]);
  assert.equal(htmlResult.code, 0, htmlResult.stderr);
  const page = readFileSync(html, 'utf8');
  assert.match(page, /energy on gpu-h100x2/);
  assert.equal(page.match(/not used by this run/g)?.length, 4);
  const csvDir = join(dir, 'csv/');
  const csvResult = await runCli(['report', run.id, '--db', db, '--format', 'csv', '--out', csvDir]);
  assert.equal(csvResult.code, 0, csvResult.stderr);
  const files = readdirSync(csvDir);
  assert.match(readFileSync(join(csvDir, files.find((f) => f.includes('cpuUtilisationPercent'))!), 'utf8').split('\n')[0], /gpu-h100x2\.cpuUtilisationPercent/);
  assert.match(readFileSync(join(csvDir, 'energy-per-host.csv'), 'utf8'), /^gpu-h100x2,0,\d/m);
});
