/**
 * Cost of recording spans: the same `shardscope run` with every step traced (the default) and with
 * `--trace-steps none`, interleaved round by round on the same model, strategy and data. Prints the
 * mean step time of each, the traced/untraced ratio, spans per rank-step and the stored bytes of the
 * spans events per step (from the run store); and, in this process, what recording one span costs
 * (SpanRecorder.addOp/add, the work a traced step adds per span besides emitting the event).
 * Command: `npx tsx bench/trace-spans-overhead.ts [--model tiny] [--strategy tp=2] [--micro-batches 1] [--steps 30] [--rounds 3] [--json]`
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { SpanRecorder } from '../src-worker/trace/span-recorder.js';

const { values } = parseArgs({ options: {
  model: { type: 'string', default: 'tiny' }, strategy: { type: 'string', default: 'tp=2' }, 'micro-batches': { type: 'string', default: '1' },
  steps: { type: 'string', default: '30' }, rounds: { type: 'string', default: '3' }, json: { type: 'boolean', default: false },
} });
const cli = join(__dirname, '..', 'bin', 'shardscope.cjs');
const db = join(mkdtempSync(join(tmpdir(), 'shardscope-bench-spans-')), 'runs.db');

interface Figures { runId: string; stepMs: number; spansPerRankStep: number; spanBytesPerStep: number }

function run(isTraced: boolean): Figures {
  const args = [cli, 'run', '--model', values.model as string, '--strategy', values.strategy as string, '--micro-batches', values['micro-batches'] as string,
    '--steps', values.steps as string, '--db', db, '--json', '--sample-ms', '0', ...(isTraced ? [] : ['--trace-steps', 'none'])];
  const result = spawnSync(process.execPath, args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(result.stderr.trim());
  const summary = JSON.parse(result.stdout) as { runId: string; stepTimeSeconds: { total: number }; steps: number };
  const store = new Database(db, { readonly: true });
  const rows = store.prepare("SELECT data_json FROM events WHERE run = ? AND type = 'spans'").all(summary.runId) as { data_json: string }[];
  store.close();
  const spans = rows.reduce((n, r) => n + (JSON.parse(r.data_json) as { spans: unknown[] }).spans.length, 0);
  return {
    runId: summary.runId, stepMs: summary.stepTimeSeconds.total * 1e3,
    spansPerRankStep: rows.length ? spans / rows.length : 0, spanBytesPerStep: rows.reduce((n, r) => n + r.data_json.length, 0) / summary.steps,
  };
}

/** Nanoseconds per recorded span (a collective and a compute span per iteration, 100 per step). */
function recorderCostNs(): number {
  const recorder = new SpanRecorder(undefined, 0, { offsetMs: 0, errorMs: 0, roundTrips: 0 });
  const op = { label: 'tp', kind: 'allReduce' as const, startMs: 1, endMs: 2, firstArrivalMs: 1.5, bytesSent: 1024, bytesReceived: 1024 };
  const iterations = 200_000;
  const startNs = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) {
    if (i % 50 === 0) {
      recorder.take();
      recorder.beginStep(i);
    }
    recorder.addOp(op);
    recorder.add('forward', 'forward', 1, 2, 0);
  }
  return Number(process.hrtime.bigint() - startNs) / (2 * iterations);
}

const rounds: Array<{ traced: Figures; untraced: Figures; ratio: number }> = [];
for (let round = 0; round < Number(values.rounds); round += 1) {
  const untraced = run(false);
  const traced = run(true);
  rounds.push({ traced, untraced, ratio: traced.stepMs / untraced.stepMs });
}
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const perSpanNs = recorderCostNs();
if (values.json) console.log(JSON.stringify({ ...values, rounds, perSpanNs }));
else {
  console.log('| round | untraced ms/step | traced ms/step | traced / untraced | spans per rank-step | span bytes stored per step |');
  console.log('|---|---:|---:|---:|---:|---:|');
  rounds.forEach((r, i) => console.log(`| ${i + 1} | ${r.untraced.stepMs.toFixed(2)} | ${r.traced.stepMs.toFixed(2)} | ${r.ratio.toFixed(3)} | ${r.traced.spansPerRankStep.toFixed(0)} | ${r.traced.spanBytesPerStep.toFixed(0)} |`));
  console.log(`| mean | ${mean(rounds.map((r) => r.untraced.stepMs)).toFixed(2)} | ${mean(rounds.map((r) => r.traced.stepMs)).toFixed(2)} | ${mean(rounds.map((r) => r.ratio)).toFixed(3)} | | |`);
  console.log(`recording one span: ${perSpanNs.toFixed(0)} ns (SpanRecorder in this process)`);
}
