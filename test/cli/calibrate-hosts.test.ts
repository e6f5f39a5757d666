/**
 * `calibrate --hosts FILE` against a real sshd host (the SSH test cluster: its workers run through the
 * runtime a run ships there), then `plan --cluster FILE|known`: the hosts, their calibrations and the
 * measured link are what the plan is derived from; GPUs come from the hosts' nvidia-smi stand-in.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { startSshCluster, type SshCluster } from '../support/ssh-cluster/index.js';
import { RunStore } from '../../src-main/core/store/run-store.js';
import { rememberSlurmDiscovery } from '../../src-main/core/slurm/known-slurm-nodes.js';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');
const a100 = { kind: 'fixture' as const, xmlFile: 'xml/telegraf_a100-sxm4-80gb_535.54.03_v12.xml', topoFile: 'topo/nvgpuexp_h100_590.48.01_topo-m_single-gpu.txt' };
let cluster: SshCluster;
let dir: string;

before(async () => {
  cluster = await startSshCluster([{ name: 'cpu-host', smi: { kind: 'missing' } }, { name: 'a100-a', smi: a100 }, { name: 'a100-b', smi: a100 },
    // GPU power is read from the query stream: the recorded idle H100 (71.15 W, limit 700 W; no A100 capture of it exists)
    { name: 'h100-host', smi: { ...a100, queryCsvFile: 'query-gpu-csv/nvgpuexp_h100-mig-enabled_590.48.01_idle.csv' } }]);
  dir = mkdtempSync(join(tmpdir(), 'shardscope-calibrate-hosts-'));
});
after(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

// this machine has no GPU for these tests: nvidia-smi off PATH
const env = { ...process.env, SSH_AUTH_SOCK: '', SHARDSCOPE_NVIDIA_SMI: '', PATH: (process.env.PATH ?? '').split(delimiter).filter((d) => !existsSync(join(d, 'nvidia-smi'))).join(delimiter) };

function runCli(args: string[], home: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, SHARDSCOPE_HOME: home } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const entry = (name: string, slots = 1) => ({ id: name, host: cluster.host(name).address, user: cluster.user, identityFile: cluster.clientKeyFile, slots });

test('calibrate --hosts measures this machine and an SSH host, the collectives and link between them; plan --cluster FILE predicts from them', { timeout: 900_000 }, async () => {
  const home = mkdtempSync(join(dir, 'home-'));
  const file = join(home, 'hosts.file.json');
  writeFileSync(file, JSON.stringify([{ local: true, slots: 1 }, entry('cpu-host')]));
  const calibrated = await runCli(['calibrate', '--hosts', file, '--known-hosts', cluster.knownHostsFile, '--model', 'tiny', '--global-batch', '2', '--reps', '1', '--json'], home);
  assert.equal(calibrated.code, 0, calibrated.stderr);
  assert.match(calibrated.stderr, /cpu-host: built-in engine at the shapes of tiny/);
  assert.match(calibrated.stderr, /local <-> cpu-host: collectives with one rank on each host/);
  const { calibrations, links } = JSON.parse(calibrated.stdout.trim());
  assert.deepEqual(calibrations.map((c: { hostId: string }) => c.hostId), ['local', 'cpu-host']);
  for (const c of calibrations) {
    assert.ok(c.engines[0].segments.length > 0 && c.engines[0].runtimeBaselineBytes > 20 * 2 ** 20, `${c.hostId}: segments and a runtime baseline measured`);
    const cross = c.collectives.filter((t: { scope: string }) => t.scope === 'cross-host');
    assert.deepEqual([...new Set(cross.map((t: { op: string }) => t.op))].sort(), ['allGather', 'allReduce', 'reduceScatter', 'send'], `${c.hostId}: cross-host collectives timed`);
    assert.ok(cross.every((t: { seconds: number }) => t.seconds > 0));
    assert.ok(c.collectives.some((t: { scope: string }) => t.scope === 'host'), `${c.hostId}: its own collectives too`);
    assert.ok(!c.missing.some((m: string) => /collectives across hosts/.test(m)), 'cross-host figures are no longer said missing');
  }
  assert.deepEqual(calibrations[0].crossHostPeers, ['cpu-host']);
  assert.equal(calibrations[1].power, null);
  assert.ok(calibrations[1].missing.some((m: string) => /power: not readable on cpu-host \(no RAPL counter/.test(m)), 'RAPL is read on the remote host itself, and said unreadable there');
  assert.equal(calibrations[1].gpuPower, undefined, 'no nvidia-smi on cpu-host: no GPU figures');
  assert.ok(!calibrations[1].missing.some((m: string) => /GPU power/.test(m)), 'and nothing said missing for GPUs it does not have');
  assert.equal(links.length, 1);
  assert.ok(links[0].bytesPerSecond > 0);
  const saved = JSON.parse(readFileSync(join(home, 'hosts.json'), 'utf8'));
  assert.equal(saved.links.length, 1, 'the link is kept for the planner as hosts probe keeps it');

  const planned = await runCli(['plan', '--model', 'tiny', '--cluster', file, '--known-hosts', cluster.knownHostsFile, '--global-batch', '2', '--json'], home);
  assert.equal(planned.code, 0, planned.stderr);
  const plan = JSON.parse(planned.stdout.trim());
  assert.equal(plan.kind, 'engine-calibrated');
  assert.deepEqual(plan.placement.map((p: { host: string }) => p.host), ['local', 'cpu-host'], 'dp=2 derived from the two slots, one rank per host');
  assert.deepEqual(plan.crossHost, { dp: true, tp: false, pp: false });
  assert.ok(!plan.gaps.some((g: string) => /across hosts not calibrated/.test(g)), plan.gaps.join('; '));
  assert.ok(plan.clusterNotes.some((n: string) => /figures of cpu-host: calibration #2 of cpu-host/.test(n)), plan.clusterNotes.join('\n'));
  assert.ok(plan.clusterNotes.some((n: string) => /link between hosts: .* \(link probe local <-> cpu-host/.test(n)), plan.clusterNotes.join('\n'));

  // the same run, really made across the two hosts, is predicted from both calibrations and the cross-host figures
  const report = join(home, 'r.json');
  const ran = await runCli(['run', '--model', 'tiny', '--strategy', 'dp=2', '--steps', '3', '--global-batch', '2', '--sample-ms', '0', '--hosts', file, '--known-hosts', cluster.knownHostsFile, '--json', '--report', report], home);
  assert.equal(ran.code, 0, ran.stderr);
  const [run] = JSON.parse(readFileSync(report, 'utf8')).runs;
  assert.equal(run.prediction.kind, 'engine-calibrated');
  assert.ok(!run.prediction.gaps.some((g: string) => /across hosts not calibrated|no calibration at the shapes/.test(g)), run.prediction.gaps.join('; '));
  // neither host has RAPL: no energy predicted, each host's reason said
  assert.equal(run.prediction.joulesPerToken, null);
  for (const host of ['local', 'cpu-host']) assert.ok(run.prediction.energy.gaps.some((g: string) => g.startsWith(`no power calibration for the CPU ranks on ${host}: CPU power: not readable on ${host}`)), run.prediction.energy.gaps.join('; '));
});

test('calibrate --hosts reads an SSH host\'s GPU power there (its nvidia-smi, through the host\'s spawner): idle per GPU, loaded said not measured without a GPU engine', { timeout: 600_000 }, async () => {
  const home = mkdtempSync(join(dir, 'home-'));
  const file = join(home, 'hosts.file.json');
  writeFileSync(file, JSON.stringify([entry('h100-host')]));
  const calibrated = await runCli(['calibrate', '--hosts', file, '--known-hosts', cluster.knownHostsFile, '--model', 'tiny', '--global-batch', '2', '--reps', '1', '--json'], home);
  assert.equal(calibrated.code, 0, calibrated.stderr);
  const [c] = JSON.parse(calibrated.stdout.trim()).calibrations;
  assert.equal(c.hostId, 'h100-host');
  assert.equal(c.gpuPower.source, 'measured by nvidia-smi power.draw');
  assert.deepEqual(c.gpuPower.gpus.map((g: { index: number; idleWatts: number; loadedWatts: null; powerLimitWatts: number }) => [g.index, Math.round(g.idleWatts * 100) / 100, g.loadedWatts, g.powerLimitWatts]), [[0, 71.15, null, 700]]);
  const why = c.torch ? `its PyTorch ${c.torch.torchVersion} runs on cpu` : '';
  assert.ok(c.missing.some((m: string) => m.startsWith('loaded GPU power not measured: no GPU engine on h100-host (') && m.includes(why)), c.missing.join('; '));
});

test('plan --cluster known: saved SSH hosts with GPUs (nvidia-smi stand-in), their probed link, dp from the GPUs; drained/down Slurm nodes (store, slurm-clusters.json) are left out, said', { timeout: 300_000 }, async () => {
  const home = mkdtempSync(join(dir, 'home-'));
  const saved = (name: string) => ({ id: name, host: cluster.host(name).address, port: 22, user: cluster.user, identityFiles: [cluster.clientKeyFile], source: 'manual', addedAtMs: Date.now() });
  writeFileSync(join(home, 'hosts.json'), JSON.stringify({ version: 1, hosts: [saved('a100-a'), saved('a100-b')], links: [] }));
  const pair = join(home, 'pair.json');
  writeFileSync(pair, JSON.stringify([entry('a100-a'), entry('a100-b')]));
  const probed = await runCli(['hosts', 'probe', '--hosts', pair, '--known-hosts', cluster.knownHostsFile, '--seconds', '1', '--json'], home);
  assert.equal(probed.code, 0, probed.stderr);
  const link = JSON.parse(probed.stdout.trim()).links[0];

  // a Slurm node as a Slurm run keeps it (the run's inventory event), drained since
  const store = RunStore.open(join(home, 'shardscope.db'));
  store.createRun({ id: 'run-slurm-1', engine: 'tfjs', strategy: {}, model: {}, plan: null, prediction: null, hosts: ['node1'], startedAtMs: Date.now() } as Parameters<RunStore['createRun']>[0]);
  store.writeBatch({ events: [{ run: 'run-slurm-1', event: { type: 'inventory', rank: null, timestampMs: Date.now(), hosts: [{
    id: 'node1', hostname: 'node1', isLocal: false, status: 'ok', os: { platform: 'linux', distro: '', release: '', arch: 'x64' }, cpu: { model: '', physicalCores: 4, logicalCores: 4 },
    memoryBytes: 0, nics: [], gpus: [], topology: null, devices: [], discoveredAtMs: Date.now(),
    slurm: { loginHost: 'local', partitions: ['gpu'], state: 'DRAINED', reason: 'maintenance', isAvailable: false },
  }] } as never }] } as never);
  store.close();
  // and a node of a Slurm cluster discovered before (slurm-clusters.json), down since
  rememberSlurmDiscovery(join(home, 'slurm-clusters.json'), { loginHost: 'login1', clusterName: null, partitions: [], nodes: [], discoveredAtMs: Date.now() }, [{
    id: 'node2', hostname: 'node2', isLocal: false, status: 'ok', os: { platform: 'linux', distro: '', release: '', arch: 'x64' }, cpu: { model: '', physicalCores: 4, logicalCores: 4 },
    memoryBytes: 0, nics: [], gpus: [], topology: null, devices: [], discoveredAtMs: Date.now(),
    slurm: { loginHost: 'login1', partitions: ['gpu'], state: 'DOWN', reason: 'not responding', isAvailable: false },
  }]);

  const planned = await runCli(['plan', '--model', 'gpt2-small', '--cluster', 'known', '--known-hosts', cluster.knownHostsFile, '--global-batch', '8', '--json'], home);
  assert.equal(planned.code, 0, planned.stderr);
  const plan = JSON.parse(planned.stdout.trim());
  assert.equal(plan.cluster.gpus, 2);
  assert.equal(plan.cluster.nodes, 2);
  assert.equal(plan.strategy.dp, 2, 'dp derived from the two GPUs');
  assert.match(plan.cluster.gpu, /A100-SXM4-80GB/);
  const notes = plan.clusterNotes.join('\n');
  assert.match(notes, /host a100-a: 1 x NVIDIA A100-SXM4-80GB, from saved SSH host/);
  assert.match(notes, /host local: no GPU/);
  assert.match(notes, /hosts without GPU left out of the GPU plan: local/);
  assert.match(notes, /between hosts: .*the slowest measured pair a100-a <-> a100-b \(link probe/);
  assert.match(notes, /left out: node1: Slurm node DRAINED \(maintenance\)/);
  assert.match(notes, /left out: node2: Slurm node DOWN \(not responding\)/);
  assert.match(notes, /collectives across hosts: not calibrated/);

  // the measured link is what the plan assumed between nodes: a slower link makes the same plan's DP all-reduce slower
  const settings = JSON.parse(readFileSync(join(home, 'hosts.json'), 'utf8'));
  settings.links = [{ ...link, bytesPerSecond: link.bytesPerSecond / 100 }];
  writeFileSync(join(home, 'hosts.json'), JSON.stringify(settings));
  const slower = JSON.parse((await runCli(['plan', '--model', 'gpt2-small', '--cluster', 'known', '--known-hosts', cluster.knownHostsFile, '--global-batch', '8', '--json'], home)).stdout.trim());
  assert.ok(slower.stepTimeSeconds > plan.stepTimeSeconds, `${slower.stepTimeSeconds} > ${plan.stepTimeSeconds}`);
});

test('plan --cluster with a missing file, or across hosts never calibrated, says what to do', { timeout: 120_000 }, async () => {
  const home = mkdtempSync(join(dir, 'home-'));
  const missing = await runCli(['plan', '--model', 'tiny', '--cluster', join(home, 'nope.json')], home);
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /neither local, known nor an existing hosts file/);
  const file = join(home, 'h.json');
  writeFileSync(file, JSON.stringify([{ local: true, slots: 1 }, entry('cpu-host')]));
  const uncalibrated = await runCli(['plan', '--model', 'tiny', '--cluster', file, '--known-hosts', cluster.knownHostsFile], home);
  assert.equal(uncalibrated.code, 1);
  assert.match(uncalibrated.stderr, /no calibration of the built-in engine on local, cpu-host: run shardscope calibrate --hosts FILE/);
});
