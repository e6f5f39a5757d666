/**
 * `shardscope run --slurm local` against a real two-node Slurm cluster started for this file: a
 * 2-node PyTorch dp=2 job that trains and is recorded with its job id, a pending job shown with its
 * reason and stopped, scancel of a running job, and a node drained mid-job. The cluster keeps
 * accounting (slurmdbd + MariaDB), so the runs store sacct's figures.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { INVENTORY_EVENT } from '../../src-main/core/report/report-inventory.js';
import { RunStore } from '../../src-main/core/store/run-store.js';
import { processesOfRun } from '../support/processes.js';
import { slurmAccountingUnavailableReason, startSlurmCluster, type SlurmCluster } from '../support/slurm-cluster/index.js';

const cli = join(__dirname, '..', '..', 'bin', 'shardscope.cjs');
const hasTorch = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
const skip = slurmAccountingUnavailableReason() ?? (hasTorch ? false : '/usr/bin/python3 has no torch (apt-get install -y python3-torch libopenblas0-pthread)');
let cluster: SlurmCluster;
let home: string;

before(async () => {
  if (skip) return;
  // With slurmdbd and MariaDB, so sacct answers (a few seconds more to start than without).
  cluster = await startSlurmCluster({ withAccounting: true });
  home = mkdtempSync(join(tmpdir(), 'ss-slurm-home-'));
});
after(async () => { await cluster?.stop(); });

/** A running CLI whose output can be waited on. */
interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  waitFor: (pattern: RegExp, stream?: 'stdout' | 'stderr') => Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

function start(args: string[]): Cli {
  const child = spawn(process.execPath, [cli, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...cluster.env, SHARDSCOPE_HOME: home } });
  const text = { stdout: '', stderr: '' };
  const waiters: Array<() => void> = [];
  for (const stream of ['stdout', 'stderr'] as const) {
    child[stream]!.setEncoding('utf8').on('data', (d: string) => {
      text[stream] += d;
      waiters.splice(0).forEach((w) => w());
    });
  }
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, stream: 'stdout' | 'stderr' = 'stderr') => new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const match = text[stream].match(pattern);
      if (match) return resolve(match);
      waiters.push(check);
    };
    void exited.then(() => setTimeout(() => reject(new Error(`exited before ${pattern}: ${text.stderr}`)), 100));
    check();
  });
  return { child, stdout: () => text.stdout, stderr: () => text.stderr, waitFor, exited };
}

const torchPlan = ['--model', 'tiny', '--strategy', 'dp=2', '--engine', 'torch', '--slurm', 'local', '--partition', 'gpu', '--nodes', '2', '--gpus-per-node', '1', '--time', '10'];

function commandOf(pid: number): string {
  try {
    return `${pid} ${readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ')}`;
  } catch {
    return `${pid} (gone)`;
  }
}

function storedRun(db: string, runId: string) {
  const store = RunStore.open(db, { readonly: true });
  try {
    return { details: store.runDetails(runId), list: store.listRuns().find((r) => r.id === runId)!, series: store.runSeries(runId) };
  } finally {
    store.close();
  }
}

test('a 2-node PyTorch dp=2 job trains, its script is shown and kept, and the run is recorded with its job id and accounting', { skip }, async () => {
  const db = join(home, 'train.db');
  // An account root may charge (with accounting, a job's unknown account falls back to the user's default one).
  cluster.slurm('sacctmgr', ['-i', 'add', 'account', 'research']);
  cluster.slurm('sacctmgr', ['-i', 'add', 'user', 'root', 'account=research']);
  const run = start(['run', ...torchPlan, '--steps', '12', '--account', 'research', '--qos', 'normal', '--db', db, '--json']);
  assert.equal(await run.exited, 0, run.stderr());
  const summary = JSON.parse(run.stdout());
  assert.match(summary.slurm.jobId, /^\d+$/);
  assert.equal(summary.slurm.state, 'COMPLETED');
  assert.equal(summary.worldSize, 2);
  assert.match(summary.backend, /gloo-ddp/);
  assert.ok(summary.loss < summary.losses[0] - 0.5, `loss falls: ${summary.losses[0]} -> ${summary.loss}`);
  assert.ok(summary.bytes.allReduce.sent > 0, 'gradients crossed between the two ranks');
  // Shown before submitting: the script is on stderr (stdout carries only the JSON) and is the one in the job folder.
  const kept = readFileSync(join(summary.slurm.jobDir, 'job.sbatch'), 'utf8');
  assert.ok(run.stderr().includes(kept.trim()), 'the script printed is the script submitted');
  assert.match(kept, /#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=1\n#SBATCH --gpus-per-task=1\n#SBATCH --partition=gpu\n#SBATCH --time=10\n#SBATCH --account=research\n#SBATCH --qos=normal\n/);
  assert.ok(run.stderr().indexOf('#!/bin/bash') < run.stderr().indexOf(`slurm job ${summary.slurm.jobId}: `), 'shown before the job exists');
  const { details, list, series } = storedRun(db, summary.runId);
  assert.equal(list.slurmJobId, summary.slurm.jobId);
  // Telemetry from the sampler step inside the job: each node's GPUs, measured, attributed to the run.
  const power = series.filter((s) => s.metric === 'powerWatts' && s.gpuIndex !== null);
  assert.deepEqual([...new Set(power.map((s) => s.host))].sort(), ['node1', 'node2']);
  assert.ok(power.every((s) => s.source === 'measured' && s.rawCount > 2 && s.run === summary.runId));
  assert.ok(list.energyJoules > 0, 'GPU energy integrated from the nodes\' power samples');
  const cpu = series.filter((s) => s.metric === 'cpuUtilisationPercent');
  assert.deepEqual(cpu.map((s) => s.host).sort(), ['node1', 'node2'], 'host samples of each node from the /proc sampler step');
  assert.ok(cpu.every((s) => s.source === 'measured' && s.rawCount >= 2));
  assert.equal(list.status, 'finished');
  assert.equal((details.run.plan as { slurm: { script: string } }).slurm.script, kept, 'the script is kept with the run');
  assert.deepEqual(details.ranks.map((r) => [r.rank, r.host]), [[0, 'node1'], [1, 'node2']]);
  const states = details.events.filter((e) => e.type === 'slurm-state').map((e) => e.data.state);
  assert.ok(states.includes('RUNNING') && states.at(-1) === 'COMPLETED', `states: ${states}`);
  const inventory = details.events.find((e) => e.type === INVENTORY_EVENT)?.data as { hosts: Array<{ id: string; slurm: { state: string } }> } | undefined;
  assert.deepEqual(inventory?.hosts.map((h) => h.id), ['node1', 'node2'], 'the job\'s nodes are kept with the run for its report');
  const accounting = details.events.find((e) => e.type === 'slurm-accounting')!.data;
  // Elapsed as the accounting database has it (sacct asked here too); no energy plugin on this cluster, so none is invented.
  const [sacctState, sacctElapsed] = cluster.slurm('sacct', ['-j', summary.slurm.jobId, '-X', '-n', '-P', '-o', 'State,ElapsedRaw']).trim().split('|');
  assert.deepEqual([accounting.source, accounting.state, accounting.elapsedSeconds], ['sacct', sacctState, Number(sacctElapsed)]);
  assert.ok(Number(accounting.elapsedSeconds) >= 1);
  assert.equal(cluster.slurm('sacct', ['-j', summary.slurm.jobId, '-X', '-n', '-P', '-o', 'Account,QOS']).trim(), 'research|normal', 'the job ran under the account and QoS asked for');
  assert.deepEqual([accounting.energyJoules, accounting.energySource], [null, 'not configured (AcctGatherEnergyType=acct_gather_energy/none)']);
  const { type: _type, rank: _rank, timestampMs: _at, ...figures } = accounting;
  assert.deepEqual(summary.slurm.accounting, figures, 'the same figures in run --json');
  const runs = JSON.parse(spawnSync(process.execPath, [cli, 'runs', '--db', db, '--json'], { encoding: 'utf8' }).stdout);
  assert.equal(runs[0].slurmJobId, summary.slurm.jobId);
});

test('the built-in engine runs the same way: one worker per node, ranks from Slurm, trained and recorded', { skip }, async () => {
  const db = join(home, 'builtin.db');
  const run = start(['run', '--model', 'tiny', '--strategy', 'dp=2', '--steps', '6', '--slurm', 'local', '--nodes', '2', '--db', db, '--json']);
  assert.equal(await run.exited, 0, run.stderr());
  const summary = JSON.parse(run.stdout());
  assert.deepEqual([summary.worldSize, summary.slurm.state], [2, 'COMPLETED']);
  assert.ok(summary.loss < summary.losses[0], `loss falls: ${summary.losses[0]} -> ${summary.loss}`);
  assert.ok(summary.bytes.allReduce.sent > 0);
  assert.doesNotMatch(run.stderr(), /slurm node /, 'allocation changes (completing) are not reported as node trouble');
  const { details } = storedRun(db, summary.runId);
  assert.deepEqual(details.ranks.map((r) => r.host), ['node1', 'node2']);
});

test('a job asking for more nodes than exist is shown PENDING with its reason; Stop cancels it and the run is recorded cancelled', { skip }, async () => {
  const db = join(home, 'pending.db');
  const run = start(['run', '--model', 'tiny', '--strategy', 'dp=3', '--engine', 'torch', '--slurm', 'local', '--nodes', '3', '--steps', '2', '--global-batch', '12', '--db', db]);
  const [, jobId] = await run.waitFor(/slurm job (\d+): PENDING \(PartitionNodeLimit\)/);
  run.child.kill('SIGINT');
  const stoppedAt = Date.now();
  assert.equal(await run.exited, 1);
  assert.ok(Date.now() - stoppedAt < 10_000);
  assert.match(run.stderr(), new RegExp(`run cancelled: slurm job ${jobId} cancelled \\(scancel\\) before it started`));
  assert.match(cluster.slurm('scontrol', ['-o', 'show', 'job', jobId]), /JobState=CANCELLED/);
  const runs = JSON.parse(spawnSync(process.execPath, [cli, 'runs', '--db', db, '--json'], { encoding: 'utf8' }).stdout);
  assert.deepEqual([runs[0].status, runs[0].slurmJobId], ['cancelled', jobId]);
});

test('scancel of a running job ends the run within 10 s with nothing left on the nodes', { skip }, async (t) => {
  const db = join(home, 'scancel.db');
  const run = start(['run', ...torchPlan, '--steps', '2000', '--db', db]);
  const [, jobId] = await run.waitFor(/slurm job (\d+): RUNNING on node1,node2/);
  const [, runId] = await run.waitFor(/run (run-\S+) recorded/);
  await run.waitFor(/^step 1\//m, 'stdout');
  assert.ok(processesOfRun(runId).length >= 2, 'both ranks run on the nodes');
  assert.ok(cluster.jobProcesses().length >= 2, 'the job\'s processes are seen (the check below can fail)');
  const cancelledAt = Date.now();
  cluster.slurm('scancel', [jobId]);
  assert.equal(await run.exited, 1);
  const seconds = (Date.now() - cancelledAt) / 1000;
  t.diagnostic(`the run ended ${seconds.toFixed(1)} s after scancel`);
  assert.ok(seconds < 10, `the run ended ${seconds.toFixed(1)} s after scancel`);
  assert.match(run.stderr(), new RegExp(`slurm job ${jobId} was cancelled outside ShardScope`));
  assert.deepEqual(processesOfRun(runId), [], 'no rank left');
  const left = cluster.jobProcesses();
  assert.deepEqual(left, [], `nothing of the job left on the nodes: ${left.map(commandOf).join('; ')}`);
  const { list, details } = storedRun(db, runId);
  assert.deepEqual([list.status, list.slurmJobId], ['cancelled', jobId]);
  const accounting = details.events.find((e) => e.type === 'slurm-accounting')?.data;
  assert.deepEqual([accounting?.source, accounting?.state], ['sacct', 'CANCELLED'], 'sacct has the cancelled job');
});

test('a node drained mid-job: the job runs to its end, the drain is shown and recorded, and the node stays drained', { skip }, async () => {
  const db = join(home, 'drain.db');
  const run = start(['run', ...torchPlan, '--steps', '8', '--db', db]);
  const [, runId] = await run.waitFor(/run (run-\S+) recorded/);
  await run.waitFor(/^step 1\//m, 'stdout');
  cluster.slurm('scontrol', ['update', 'nodename=node2', 'state=drain', 'reason=disk check']);
  try {
    await run.waitFor(/slurm node node2: \S*drain \(disk check\)/);
    assert.equal(await run.exited, 0, run.stderr());
    assert.match(run.stdout(), /slurm job \d+ COMPLETED/);
    assert.match(run.stdout(), /^slurm accounting \(sacct\): elapsed \d+ s, energy not configured \(AcctGatherEnergyType=acct_gather_energy\/none\)$/m);
    const { details, list } = storedRun(db, runId);
    assert.equal(list.status, 'finished');
    const drained = details.events.find((e) => e.type === 'slurm-node');
    assert.deepEqual([drained?.data.node, drained?.data.reason], ['node2', 'disk check']);
    assert.match(String(drained?.data.state), /drain/);
    // The report carries the job: its states, the drain, and sacct's figures (JSON and HTML).
    const out = mkdtempSync(join(tmpdir(), 'ss-slurm-report-'));
    for (const format of ['json', 'html']) {
      const made = spawnSync(process.execPath, [cli, 'report', runId, '--db', db, '--format', format, '--out', join(out, `report.${format}`)], { encoding: 'utf8' });
      assert.equal(made.status, 0, made.stderr);
    }
    const job = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).runs[0].slurm;
    assert.equal(job.jobId, list.slurmJobId);
    assert.ok(job.states.some((st: { state: string }) => st.state === 'RUNNING') && job.states.at(-1).state === 'COMPLETED');
    assert.deepEqual(job.nodeEvents.map((n: { node: string; reason: string }) => [n.node, n.reason]), [['node2', 'disk check']]);
    assert.deepEqual([job.accounting.source, job.accounting.state, job.accounting.energyJoules], ['sacct', 'COMPLETED', null]);
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    assert.match(html, /<h3>Slurm job<\/h3>/);
    assert.match(html, /energy<\/th><td>not configured \(AcctGatherEnergyType=acct_gather_energy\/none\)/);
    assert.match(cluster.slurm('sinfo', ['-h', '-n', 'node2', '-o', '%T']), /drained/);
  } finally {
    cluster.slurm('scontrol', ['update', 'nodename=node2', 'state=resume']);
  }
});

test('a rank that fails fails the job: the run ends FAILED with the rank\'s exit and its stderr streamed back', { skip }, async () => {
  const db = join(home, 'failed.db');
  const script = join(mkdtempSync(join(tmpdir(), 'ss-fail-')), 'fail.py');
  writeFileSync(script, 'import os, sys\nprint("rank", os.environ["RANK"], "gives up", file=sys.stderr)\nsys.exit(3)\n');
  const run = start(['run', ...torchPlan, '--steps', '2', '--script', script, '--db', db]);
  const [, runId] = await run.waitFor(/run (run-\S+) recorded/);
  assert.equal(await run.exited, 1);
  // Both ranks give up; the first to exit ends the step (--kill-on-bad-exit), so the other may not get to say so.
  assert.match(run.stderr(), /\[rank (\d)\] rank \1 gives up/);
  assert.match(run.stderr(), /slurm job (\d+) ended FAILED \(NonZeroExitCode\): rank \d \(host node\d, gpu0[^)]*\) exited with code 3/);
  const { list } = storedRun(db, runId);
  assert.equal(list.status, 'failed');
  assert.match(list.slurmJobId ?? '', /^\d+$/);
});

test('bad input is a one-line error before anything is submitted or recorded; --dry-run only prints the script', { skip }, async () => {
  const db = join(home, 'bad.db');
  const cases: Array<[string[], RegExp]> = [
    [['--partition', 'gpu'], /--partition only applies with --slurm local\|HOST/],
    [['--slurm', 'local', '--nodes', '3'], /--nodes 3 does not divide the 2 ranks/],
    [['--slurm', 'local', '--time', 'soon'], /--time must be a Slurm time limit/],
    [['--slurm', 'local', '--partition', 'nope'], /sbatch refused the job: Batch job submission failed: Invalid partition name specified$/m],
  ];
  for (const [flags, message] of cases) {
    const run = start(['run', '--model', 'tiny', '--strategy', 'dp=2', '--db', db, ...flags]);
    assert.equal(await run.exited, 2, `${flags.join(' ')}: ${run.stderr()}`);
    assert.match(run.stderr(), message);
    assert.equal(run.stderr().trim().split('\n').filter((l) => l.startsWith('shardscope')).length, 1);
  }
  const dry = start(['run', '--model', 'tiny', '--strategy', 'dp=2', '--slurm', 'local', '--nodes', '2', '--dry-run', '--db', db]);
  assert.equal(await dry.exited, 0, dry.stderr());
  assert.match(dry.stdout(), /#SBATCH --nodes=2\n#SBATCH --ntasks-per-node=1\n/);
  assert.equal(cluster.slurm('squeue', ['-h']).trim(), '', 'nothing submitted');
  const runs = JSON.parse(spawnSync(process.execPath, [cli, 'runs', '--db', db, '--json'], { encoding: 'utf8' }).stdout || '[]');
  assert.deepEqual(runs, [], 'nothing recorded');
});
