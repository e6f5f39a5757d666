/** The CLI as a newcomer meets it: per-command --help, --version, a closed pipe, report --out for CSV, plan's advice, run progress on a terminal. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commands } from '../../src-main/cli/commands/index.js';

const cli = new URL('../../dist/cli.cjs', import.meta.url).pathname;
const packageVersion = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version as string;
let home: string;

before(() => { home = mkdtempSync(join(tmpdir(), 'shardscope-cli-polish-')); });
after(() => rmSync(home, { recursive: true, force: true }));

/** Runs the built CLI with stdout and stderr as pipes; resolves with exit code and output whatever the code. */
function shardscope(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, SHARDSCOPE_HOME: home }, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

test('CMD --help prints that command\'s usage and exits 0, for every command of the table', async () => {
  const names = Object.keys(commands);
  assert.ok(names.includes('calibrate') && names.includes('run'), names.join(','));
  for (const name of names) {
    const r = await shardscope(name, '--help');
    assert.equal(r.code, 0, `${name} --help: ${r.stderr}`);
    assert.equal(r.stderr, '');
    assert.match(r.stdout, new RegExp(`^ {2}shardscope ${name} `, 'm'), `${name} --help shows its own usage`);
    const others = [...r.stdout.matchAll(/^ {2}shardscope (\w+)/gm)].map((m) => m[1]).filter((n) => n !== name);
    assert.deepEqual(others, [], `${name} --help shows only its own lines`);
  }
  const withFlags = await shardscope('run', '--model', 'tiny', '-h');
  assert.equal(withFlags.code, 0);
  assert.match(withFlags.stdout, /shardscope run +--model/);
});

test('--version prints the package version', async () => {
  const r = await shardscope('--version');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, `shardscope ${packageVersion}\n`);
});

test('a reader that closes the pipe early (`runs | head`) ends the command quietly with exit 0', async () => {
  const child = spawn(process.execPath, [cli, 'runs'], { env: { ...process.env, SHARDSCOPE_HOME: home }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy(); // the reader is gone before the first line is written: every write gets EPIPE
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => { stderr += c.toString(); });
  const code = await new Promise<number | null>((resolve) => child.once('close', (c) => resolve(c)));
  assert.equal(stderr, '', 'no EPIPE stack trace');
  assert.equal(code, 0);
});

test('plan names a bigger cluster only when no strategy fits the one asked for', async () => {
  const fitsOtherwise = await shardscope('plan', '--model', 'llama2-7b', '--gpu', 'a100-40gb', '--gpus', '8', '--dp', '8');
  assert.equal(fitsOtherwise.code, 0, fitsOtherwise.stderr);
  assert.match(fitsOtherwise.stdout, /fits +NO/);
  assert.match(fitsOtherwise.stdout, /strategies that fit 8 x a100-40gb:/);
  assert.doesNotMatch(fitsOtherwise.stdout, /smallest cluster/);
  const json = JSON.parse((await shardscope('plan', '--model', 'llama2-7b', '--gpu', 'a100-40gb', '--gpus', '8', '--dp', '8', '--json')).stdout);
  assert.ok(json.alternatives.sameCluster.length > 0);
  assert.equal(json.alternatives.smallestCluster, null);
  const nothingFits = await shardscope('plan', '--model', 'opt-66b', '--gpu', 'a100-80gb', '--gpus', '8', '--dp', '8');
  assert.match(nothingFits.stdout, /no strategy fits 8 x a100-80gb without offload/);
  assert.match(nothingFits.stdout, /smallest cluster that fits without offload: 16 x a100-80gb/);
});

test('run prints a line per step when piped, and one updating line with ETA on a terminal', async () => {
  const piped = await shardscope('run', '--model', 'tiny', '--steps', '3', '--sample-ms', '0');
  assert.equal(piped.code, 0, piped.stderr);
  const steps = piped.stdout.split('\n').filter((l) => /^step \d/.test(l));
  assert.equal(steps.length, 3);
  assert.match(steps[2], /^step 3\/3 loss \d\.\d{4} [\d.,]+ (ms|s) [\d,.]+ tokens\/s$/);
  assert.doesNotMatch(piped.stdout, /\r|ETA|e\+/);
  assert.match(piped.stdout, /on 1 rank, backend/, 'one rank, not "1 rank(s)"');

  // `script` gives the CLI a real pseudo-terminal as stdout.
  const command = [process.execPath, cli, 'run', '--model', 'tiny', '--steps', '4', '--sample-ms', '0'].map((a) => `'${a}'`).join(' ');
  const tty = await new Promise<string>((resolve, reject) => {
    execFile('script', ['-qec', command, '/dev/null'], { env: { ...process.env, SHARDSCOPE_HOME: home }, timeout: 120_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
  });
  const redraws = tty.split('\r\x1b[2K').slice(1);
  assert.equal(redraws.length, 4, `one redraw per step: ${JSON.stringify(tty)}`);
  assert.match(redraws[0], /^step 1\/4 .* tokens\/s ETA [\d.]+ (ms|s)$/);
  assert.match(redraws[3], /^step 4\/4 .* ETA 0 s\r?\n/, 'the last redraw ends the line');
  assert.equal(tty.split('\n').filter((l) => l.includes('step ') && !l.startsWith('step time')).length, 1, 'steps share one terminal line');
});

test('report --format csv: a .zip is one file, a name ending in / a folder, x.csv is refused with both choices and nothing created', async () => {
  const out = mkdtempSync(join(home, 'out-'));
  const refused = await shardscope('report', 'latest', '--format', 'csv', '--out', join(out, 'x.csv'));
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /the CSV export is several files.*x\.zip.*x\/\)/);
  assert.equal(existsSync(join(out, 'x.csv')), false);
  const zip = await shardscope('report', 'latest', '--format', 'csv', '--out', join(out, 'x.zip'));
  assert.equal(zip.code, 0, zip.stderr);
  assert.ok(statSync(join(out, 'x.zip')).isFile());
  assert.equal(readFileSync(join(out, 'x.zip')).subarray(0, 4).toString('latin1'), 'PK\x03\x04');
  const folder = await shardscope('report', 'latest', '--format', 'csv', '--out', `${join(out, 'series')}/`);
  assert.equal(folder.code, 0, folder.stderr);
  assert.ok(existsSync(join(out, 'series', 'loss.csv')));
  const runReport = await shardscope('run', '--model', 'tiny', '--steps', '1', '--sample-ms', '0', '--report', join(out, 'r.csv'));
  assert.equal(runReport.code, 2, 'run --report x.csv is refused before training');
  assert.match(runReport.stderr, /\.zip \(the CSV files, zipped\)/);
});
