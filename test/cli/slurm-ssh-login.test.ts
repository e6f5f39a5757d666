/**
 * A Slurm cluster reached through its login host over SSH (a real sshd on loopback, host key checked):
 * discovery, and a 2-node torch job whose script and helper are copied to the job folder there.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { slurmUnavailableReason, startLoginSshd, startSlurmCluster, type LoginSshd, type SlurmCluster } from '../support/slurm-cluster/index.js';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');
const skip = slurmUnavailableReason() ?? (existsSync('/usr/sbin/sshd') ? false : 'openssh-server missing');
let cluster: SlurmCluster;
let login: LoginSshd;

before(async () => {
  if (skip) return;
  cluster = await startSlurmCluster();
  login = await startLoginSshd(cluster);
});
after(async () => {
  await login?.stop();
  await cluster?.stop();
});

/** The CLI without the cluster's environment: everything Slurm goes through the login host. */
function shardscope(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const env: NodeJS.ProcessEnv = { ...process.env, SHARDSCOPE_HOME: mkdtempSync(join(tmpdir(), 'ss-home-')) };
    delete env.SLURM_CONF;
    const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const sshFlags = () => ['--slurm', login.spec, '--identity', login.identityFile, '--known-hosts', login.knownHostsFile];

test('discover --slurm over SSH: the nodes and their gres GPUs, from the login host', { skip }, async () => {
  const { code, stdout, stderr } = await shardscope(['discover', ...sshFlags(), '--json']);
  assert.equal(code, 0, stderr);
  const found = JSON.parse(stdout);
  assert.equal(found.slurm.loginHost, login.spec);
  assert.deepEqual(found.hosts.map((h: { id: string; gpus: unknown[] }) => [h.id, h.gpus.length]), [['node1', 2], ['node2', 2]]);
});

test('an unknown login host key is refused before any Slurm command runs', { skip }, async () => {
  const empty = join(mkdtempSync(join(tmpdir(), 'ss-kh-')), 'known_hosts');
  const { code, stderr } = await shardscope(['discover', '--slurm', login.spec, '--identity', login.identityFile, '--known-hosts', empty]);
  assert.equal(code, 1);
  assert.match(stderr, /host key|not known|unknown/i);
});

test('a 2-node torch job submitted through the SSH login host trains and is recorded with its job id', { skip }, async () => {
  const jobDir = mkdtempSync(join(tmpdir(), 'ss-jobs-'));
  const { code, stdout, stderr } = await shardscope(['run', '--model', 'tiny', '--strategy', 'dp=2', '--engine', 'torch', '--python', '/usr/bin/python3', '--steps', '6',
    ...sshFlags(), '--nodes', '2', '--gpus-per-node', '1', '--job-dir', jobDir, '--json']);
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(stdout);
  assert.equal(summary.slurm.state, 'COMPLETED');
  assert.match(summary.slurm.jobId, /^\d+$/);
  assert.ok(summary.loss < summary.losses[0]);
  // This cluster has no slurmdbd (sacct refuses): elapsed comes from the controller's record, and no energy is invented.
  const accounting = summary.slurm.accounting;
  assert.equal(accounting.source, 'scontrol');
  assert.ok(typeof accounting.elapsedSeconds === 'number' && accounting.elapsedSeconds >= 1);
  assert.deepEqual([accounting.energyJoules, accounting.energySource], [null, 'not configured (AcctGatherEnergyType=acct_gather_energy/none)']);
  assert.ok(existsSync(join(jobDir, 'engine', 'train_script.py')) && existsSync(join(jobDir, 'engine', 'shardscope_events.py')), 'the torch script went to the job folder over SSH');
});

test('the built-in engine through the SSH login host: Node.js and the worker deployed to its home, the corpus to the job folder', { skip }, async () => {
  const jobDir = mkdtempSync(join(tmpdir(), 'ss-jobs-'));
  const { code, stdout, stderr } = await shardscope(['run', '--model', 'tiny', '--strategy', 'dp=2', '--steps', '6', ...sshFlags(), '--nodes', '2', '--job-dir', jobDir, '--json']);
  assert.equal(code, 0, stderr);
  const summary = JSON.parse(stdout);
  assert.deepEqual([summary.worldSize, summary.slurm.state], [2, 'COMPLETED']);
  assert.ok(summary.loss < summary.losses[0]);
  assert.ok(existsSync(join(jobDir, 'data', 'licenses.txt')), 'the training text went to the job folder over SSH');
  assert.match(stderr, /\/root\/\.cache\/shardscope\/[^ ]*worker\.cjs/, 'the worker runs from the deployed bundle');
});
