/**
 * Same plan, both engines: `shardscope run` with the built-in engine and with `--engine torch`
 * (bundled reference script, DDP over Gloo), one after the other in this run, on the same model,
 * strategy, batch and data. Prints tokens/s, bytes moved, energy per token (host samples at 200 ms) and the torch/tfjs ratio.
 * Command: `npx tsx bench/engines-dp.ts [--model tiny|bench] [--dp 2] [--steps 20] [--rounds 3] [--json]`
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { model: { type: 'string', default: 'tiny' }, dp: { type: 'string', default: '2' }, steps: { type: 'string', default: '20' }, rounds: { type: 'string', default: '3' }, python: { type: 'string', default: '/usr/bin/python3' }, json: { type: 'boolean', default: false } } });
const cli = join(__dirname, '..', 'bin', 'shardscope.cjs');
const db = join(mkdtempSync(join(tmpdir(), 'shardscope-bench-engines-')), 'runs.db');

interface Figures { tokensPerSecond: number; stepMs: number; commMs: number; allReduceBytes: number; finalLoss: number; joulesPerToken: number | null }

function run(engine: 'tfjs' | 'torch'): Figures {
  const args = [cli, 'run', '--model', values.model as string, '--strategy', `dp=${values.dp}`, '--steps', values.steps as string, '--db', db, '--json', '--sample-ms', '200',
    ...(engine === 'torch' ? ['--engine', 'torch', '--python', values.python as string] : [])];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${engine}: ${result.stderr.trim()}`);
  const s = JSON.parse(result.stdout);
  // Energy of the whole run (host CPU power, estimated from utilisation x TDP where RAPL is not readable), from the store.
  const listed = JSON.parse(spawnSync(process.execPath, [cli, 'runs', '--db', db, '--json'], { encoding: 'utf8' }).stdout) as Array<{ id: string; joulesPerToken: number | null }>;
  const joulesPerToken = listed.find((r) => r.id === s.runId)?.joulesPerToken ?? null;
  return { joulesPerToken, tokensPerSecond: s.tokensPerSecond, stepMs: s.stepTimeSeconds.total * 1e3, commMs: s.stepTimeSeconds.communication * 1e3, allReduceBytes: s.bytes.allReduce?.sent ?? 0, finalLoss: s.loss };
}

const rows: Array<{ round: number; tfjs: Figures; torch: Figures; ratio: number }> = [];
for (let round = 1; round <= Number(values.rounds); round += 1) {
  const tfjs = run('tfjs');
  const torch = run('torch');
  rows.push({ round, tfjs, torch, ratio: torch.tokensPerSecond / tfjs.tokensPerSecond });
}
if (values.json) console.log(JSON.stringify({ model: values.model, dp: Number(values.dp), steps: Number(values.steps), rows }));
else {
  console.log(`| run | tfjs tok/s (ms/step, comm ms) | torch tok/s (ms/step, comm ms) | torch / tfjs | all-reduce MB tfjs / torch | mJ/token tfjs / torch |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  const mj = (x: Figures) => (x.joulesPerToken === null ? '-' : (x.joulesPerToken * 1e3).toFixed(2));
  const f = (x: Figures) => `${x.tokensPerSecond.toFixed(0)} (${x.stepMs.toFixed(1)}, ${x.commMs.toFixed(1)})`;
  for (const r of rows) console.log(`| ${r.round} | ${f(r.tfjs)} | ${f(r.torch)} | ${r.ratio.toFixed(2)} | ${(r.tfjs.allReduceBytes / 1e6).toFixed(2)} / ${(r.torch.allReduceBytes / 1e6).toFixed(2)} | ${mj(r.tfjs)} / ${mj(r.torch)} |`);
}
