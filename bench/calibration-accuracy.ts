/**
 * How well a calibration predicts the built-in engine's runs: `shardscope calibrate` (unless
 * --no-calibrate), then the bench model's runs dp=1, dp=2, tp=2, pp=2 (4 micro-batches) and dp=2 ZeRO-1,
 * one after the other, each compared with the prediction kept with it (report --format json):
 * step time (slowest rank, after the warm-up step) and every rank's peak resident memory (VmHWM).
 * error = (measured - predicted) / predicted. Prints a Markdown table (docs/benchmarks.md).
 * With --two-host, calibrates with `calibrate --hosts` (this machine, one sshd host of the test cluster and the
 * collectives and link between them) and adds dp=2 and pp=2 (4 micro-batches) across the two
 * (test/support/ssh-cluster: an sshd in a network namespace on this same machine, so its rank shares these cores).
 * Before calibrate and before each run, the same fixed probe (the model's fused step at half the global batch, 5
 * repetitions, a fresh worker process) times this host: the "host speed" column is the probe's time before the run
 * over its time before calibrate (1.10 = the host computed 10% slower than when it was calibrated: drift or load
 * that no calibration taken earlier can know about).
 * With --torch, adds runs of the bundled PyTorch script (`--engine torch`: dp=1, dp=2, dp=2 with 2 micro-batches).
 * Command: `npx tsx bench/calibration-accuracy.ts [--model bench] [--steps 12] [--db FILE] [--no-calibrate] [--only 'dp=2;tp=2'] [--two-host] [--torch]`
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { defaultGlobalBatch, modelPresets } from '../src-shared/engine-config.js';

const { values } = parseArgs({ options: {
  model: { type: 'string', default: 'bench' }, steps: { type: 'string', default: '12' }, db: { type: 'string' },
  'no-calibrate': { type: 'boolean', default: false }, only: { type: 'string' }, 'two-host': { type: 'boolean', default: false },
  torch: { type: 'boolean', default: false },
} });
const cli = join(__dirname, '..', 'bin', 'shardscope.cjs');
const dir = mkdtempSync(join(tmpdir(), 'shardscope-bench-calibration-'));
const db = values.db ?? join(dir, 'runs.db');

const cases: Array<{ label: string; args: string[] }> = [
  { label: 'dp=1', args: ['--strategy', 'dp=1'] },
  { label: 'dp=2', args: ['--strategy', 'dp=2'] },
  { label: 'tp=2', args: ['--strategy', 'tp=2'] },
  { label: 'pp=2, 4 micro-batches', args: ['--strategy', 'pp=2', '--micro-batches', '4'] },
  { label: 'dp=2 ZeRO-1', args: ['--strategy', 'dp=2', '--zero', '1'] },
  // --torch: the bundled PyTorch script on this host (predicted from calibrate's timing of its own step)
  ...(values.torch ? [
    { label: 'torch dp=1', args: ['--engine', 'torch', '--strategy', 'dp=1'] },
    { label: 'torch dp=2', args: ['--engine', 'torch', '--strategy', 'dp=2'] },
    { label: 'torch dp=2, 2 micro-batches', args: ['--engine', 'torch', '--strategy', 'dp=2', '--micro-batches', '2'] },
  ] : []),
].filter((c) => !values.only || values.only.split(';').includes(c.label));

/**
 * Runs a command without blocking this process's event loop: with --two-host the sshd of the test cluster logs into
 * a pipe this process drains; a synchronous spawn let that pipe fill, sshd blocked writing its log, could not close
 * the run's SSH connection, and the run's CLI never exited (a deadlock of the bench, not of shardscope).
 */
function runAsync(file: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { encoding: 'utf8', maxBuffer: 64 * 2 ** 20, env }, (error, stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

async function cliJson(args: string[]): Promise<any> {
  const result = await runAsync(process.execPath, [cli, ...args], { ...process.env, SHARDSCOPE_HOME: dir });
  if (result.status !== 0) throw new Error(`shardscope ${args[0]}: ${result.stderr.trim().split('\n').pop()}`);
  return JSON.parse(result.stdout.trim().split('\n').pop() as string);
}

const workerPath = join(__dirname, '..', 'dist', 'worker.cjs');
/** Seconds of the fixed speed probe (fused step, half the global batch, median of 5) in a fresh worker process. */
async function speedProbeSeconds(): Promise<number> {
  const model = modelPresets[values.model as string];
  if (!model) return Number.NaN;
  const result = await runAsync(process.execPath, [workerPath, 'calibrate-engine', '--model', JSON.stringify(model), '--batches', String(defaultGlobalBatch / 2), '--probe', '5']);
  if (result.status !== 0) return Number.NaN;
  return (JSON.parse(result.stdout.trim()) as { seconds: number }).seconds;
}
let referenceSeconds = Number.NaN;

const pct = (e: number | null) => (e === null ? '–' : `${e >= 0 ? '+' : ''}${(e * 100).toFixed(1)}%`);
const mib = (b: number | null) => (b === null ? '–' : `${(b / 2 ** 20).toFixed(1)}`);

/** Calibrates this machine, or with --two-host both hosts of the file and the collectives and link between them (calibrate --hosts). */
async function calibrate(remote: string[]): Promise<void> {
  referenceSeconds = await speedProbeSeconds();
  if (values['no-calibrate']) return;
  const started = Date.now();
  await cliJson(['calibrate', '--model', values.model as string, '--db', db, '--json', ...remote]);
  console.error(`calibrated${remote.length ? ' both hosts' : ''} in ${((Date.now() - started) / 1000).toFixed(0)} s (load average ${loadavg()[0].toFixed(2)})`);
}
async function twoHostCases(): Promise<{ cases: typeof cases; remote: string[]; stop: () => Promise<void> }> {
  const { startSshCluster } = await import('../test/support/ssh-cluster/index.js');
  const cluster = await startSshCluster();
  const host = cluster.host('gpu-a100');
  const file = join(dir, 'two-hosts.json');
  require('node:fs').writeFileSync(file, JSON.stringify([{ local: true, slots: 1 }, { id: 'sshd-host', host: host.address, user: cluster.user, identityFile: cluster.clientKeyFile, slots: 1 }]));
  const remote = ['--hosts', file, '--known-hosts', cluster.knownHostsFile];
  return {
    cases: [
      { label: 'two hosts dp=2', args: ['--strategy', 'dp=2', ...remote] },
      { label: 'two hosts pp=2, 4 micro-batches', args: ['--strategy', 'pp=2', '--micro-batches', '4', ...remote] },
    ],
    remote,
    stop: () => cluster.stop(),
  };
}

async function main(): Promise<void> {
  const remote = values['two-host'] ? await twoHostCases() : null;
  try {
    await calibrate(remote?.remote ?? []);
    console.log(`| run | step time predicted / measured (s) | error | peak VmHWM per rank predicted / measured (MiB) | error per rank | host speed | load avg |`);
    console.log('|---|---|---|---|---|---|---|');
    for (const c of [...cases, ...(remote?.cases ?? [])]) await measureCase(c);
  } finally {
    await remote?.stop();
  }
}

async function measureCase(c: (typeof cases)[number]): Promise<void> {
  const speed = (await speedProbeSeconds()) / referenceSeconds;
  const run = await cliJson(['run', '--model', values.model as string, '--steps', values.steps as string, '--db', db, '--json', ...c.args]);
  await cliJson(['report', run.runId, '--format', 'json', '--out', join(dir, `${run.runId}.json`), '--db', db, '--json']);
  const full = JSON.parse(require('node:fs').readFileSync(join(dir, `${run.runId}.json`), 'utf8'));
  const r = full.runs?.[0] ?? full;
  const checks: Array<{ metric: string; predicted: number | null; measured: number | null; errorFraction: number | null }> = r.predictionChecks;
  const step = checks.find((x) => x.metric === 'stepTimeSeconds');
  // per-rank checks where the prediction is per rank (built-in engine); else the largest rank's peak against the planner's
  const perRank = checks.filter((x) => x.metric.startsWith('peakMemoryBytes.rank'));
  const ranks = perRank.length ? perRank : checks.filter((x) => x.metric === 'peakMemoryPerGpuBytes' && x.measured !== null);
  const note = (r.prediction as { note?: string } | null)?.note ?? 'no prediction';
  console.log(`| ${c.label} | ${step?.predicted?.toFixed(3)} / ${step?.measured?.toFixed(3)} | ${pct(step?.errorFraction ?? null)} | `
    + `${ranks.map((x) => `${mib(x.predicted)} / ${mib(x.measured)}`).join('; ')} | ${ranks.map((x) => pct(x.errorFraction)).join('; ')} | ${Number.isFinite(speed) ? `x${speed.toFixed(2)}` : '–'} | ${loadavg()[0].toFixed(1)} |`);
  console.error(`${c.label}: ${note}${(r.prediction?.gaps ?? []).map((g: string) => `; ${g}`).join('')}`);
}

void main();
