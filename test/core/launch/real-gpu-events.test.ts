/**
 * Outputs captured on a real H200 (test/fixtures/torch/SOURCE.md, test/fixtures/nvidia-smi/SOURCE.md):
 * the PyTorch reference script's events under NCCL, and nvidia-smi streams during that training,
 * go through the same parsers and aggregation as a live run.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { RunAggregator } from '../../../src-main/core/launch/run-summary.js';
import { parseDmonText } from '../../../src-main/core/telemetry/smi-dmon-parse.js';
import { parseGpuQueryLine } from '../../../src-main/core/telemetry/smi-query-parse.js';
import { EngineEventParser, type EngineEvent, type RunStartEvent, type StepEvent } from '../../../src-shared/engine-events.js';
import { REPO_ROOT } from '../../support/paths.js';

const fixtures = join(REPO_ROOT, 'test', 'fixtures');

function parseInChunks(text: string, chunkSize: number): EngineEvent[] {
  const parser = new EngineEventParser();
  const out: EngineEvent[] = [];
  for (let i = 0; i < text.length; i += chunkSize) out.push(...parser.feed(text.slice(i, i + chunkSize)).filter((e): e is EngineEvent => e.type !== 'log'));
  out.push(...parser.end().filter((e): e is EngineEvent => e.type !== 'log'));
  return out;
}

for (const name of ['h200-nccl-ddp-1rank-bench-model.jsonl', 'h200-nccl-fsdp-1rank-bench-model.jsonl']) {
  test(`the torch events of ${name} summarise like a live run`, () => {
    const text = readFileSync(join(fixtures, 'torch', name), 'utf8');
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as EngineEvent);
    const events = parseInChunks(text, 7);
    assert.deepEqual(events, lines, 'chunked parsing gives exactly the lines written');
    const start = events.find((e): e is RunStartEvent => e.type === 'run-start')!;
    const steps = events.filter((e): e is StepEvent => e.type === 'step');
    assert.equal(start.device, 'cuda:0');
    assert.match(start.backend, /nccl/);
    assert.equal(start.paramsOnRank, 3_323_648, 'the bench model');
    const aggregator = new RunAggregator(start.worldSize, steps.length);
    aggregator.addStart(start);
    for (const step of steps) aggregator.addStep(step);
    const summary = aggregator.summary({ runId: 'h200', model: 'bench', wallSeconds: 1, strategy: { dp: 1, tp: 1, pp: 1, microBatches: 1, schedule: '1f1b', zeroStage: 0, recompute: false } });
    assert.equal(summary.losses.length, steps.length);
    assert.equal(summary.losses[0], steps[0].loss);
    assert.ok(summary.loss < summary.losses[0] - 2, `loss falls on the GPU (${summary.losses[0]} -> ${summary.loss})`);
    const timed = steps.slice(1);
    const expectedTps = timed.reduce((n, e) => n + e.tokens, 0) / timed.reduce((n, e) => n + e.stepTimeSeconds.total, 0);
    assert.ok(Math.abs(summary.tokensPerSecond - expectedTps) / expectedTps < 1e-9);
    assert.equal(summary.frameworkMemoryBytesMax, Math.max(...steps.map((e) => Math.max(e.frameworkMemoryBytes, e.frameworkMemoryPeakBytes))));
  });
}

test('the H200 stream captured during training parses with the load it shows', () => {
  const lines = readFileSync(join(fixtures, 'nvidia-smi', 'h200-sxm-141gb_query-gpu-lms_training.csv'), 'utf8').trim().split('\n');
  const samples = lines.map((line, i) => parseGpuQueryLine(line, 'h200', i * 200));
  assert.ok(samples.every((s) => s.ok), 'every line parses');
  const powers = samples.flatMap((s) => (s.ok && s.sample.powerWatts !== null ? [s.sample.powerWatts] : []));
  const fileMax = Math.max(...lines.map((l) => Number(l.split(',')[5])));
  assert.equal(Math.max(...powers), fileMax);
  const utilisation = samples.flatMap((s) => (s.ok && s.sample.utilisationPercent !== null ? [s.sample.utilisationPercent] : []));
  assert.equal(Math.max(...utilisation), Math.max(...lines.map((l) => Number(l.split(',')[4]))));
});

test('the H200 dmon -s t capture during training parses to PCIe rows for GPU 0', () => {
  const text = readFileSync(join(fixtures, 'nvidia-smi', 'h200-sxm-141gb_dmon-s-t_training.txt'), 'utf8');
  const { rows, errors } = parseDmonText(text);
  assert.deepEqual(errors, []);
  const dataLines = text.split('\n').filter((l) => /^\s+\d/.test(l));
  assert.equal(rows.length, dataLines.length);
  assert.ok(rows.every((r) => r.gpuIndex === 0));
});
