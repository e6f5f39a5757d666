/**
 * Microbenchmark of the wasm training kernels: the standalone bench-GPT step (bench/train-gpt-step.ts) on wasm
 * with our kernels and fast paths, on stock wasm (only the missing UnsortedSegmentSum added, so it can train),
 * and PyTorch (1 thread) on the same model, each in its own process, one after the other, in one run.
 * Run: npx tsx bench/train-kernels.ts [--steps N] [--json]
 */
import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { registerKernel } from '@tensorflow/tfjs-core';
import { initBackend } from '../src-worker/engine/backend/index.js';
import { wasmUnsortedSegmentSumConfig } from '../src-worker/engine/backend/wasm-segment-sum.js';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/support/paths.js';
import { benchGptConfig, createGptStep } from './train-gpt-step.js';

const tokensPerStep = benchGptConfig.batch * benchGptConfig.seqLen;

async function measureHere(mode: 'routed' | 'stock', steps: number): Promise<{ msPerStep: number; loss: number }> {
  if (mode === 'stock') {
    registerKernel(wasmUnsortedSegmentSumConfig);
    await tf.setBackend('wasm');
  } else {
    await initBackend('wasm');
  }
  const gpt = createGptStep();
  gpt.step(); // warm-up, as torch_gpt.py does
  const started = performance.now();
  let loss = 0;
  for (let i = 0; i < steps; i++) loss = gpt.step();
  return { msPerStep: (performance.now() - started) / steps, loss };
}

function inChild(mode: string, steps: number): { msPerStep: number } {
  const out = execFileSync(process.execPath, [...process.execArgv, __filename, '--mode', mode, '--steps', String(steps)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return JSON.parse(out.trim().split('\n').pop()!) as { msPerStep: number };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mode: { type: 'string' }, steps: { type: 'string' }, json: { type: 'boolean' } } });
  const steps = Number(values.steps ?? 5);
  if (values.mode) {
    process.stdout.write(`${JSON.stringify(await measureHere(values.mode as 'routed' | 'stock', steps))}\n`);
    return;
  }
  const rows: Array<{ engine: string; msPerStep: number }> = [];
  rows.push({ engine: 'tfjs-wasm-routed', ...inChild('routed', steps) });
  rows.push({ engine: 'tfjs-wasm-stock', ...inChild('stock', 1) });
  const torch = execFileSync('/usr/bin/python3', [join(REPO_ROOT, 'resources', 'peers', 'torch_gpt.py'), '--steps', String(steps)], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } });
  rows.push({ engine: 'torch-1-thread', msPerStep: (JSON.parse(torch.trim().split('\n').pop()!) as { msPerStep: number }).msPerStep });
  const torchMs = rows[2].msPerStep;
  for (const row of rows) {
    const result = { ...row, msPerStep: Math.round(row.msPerStep * 10) / 10, tokensPerSecond: Math.round(tokensPerStep / row.msPerStep * 1e3), vsTorch: Math.round(torchMs / row.msPerStep * 100) / 100 };
    process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${result.engine.padEnd(18)} ${String(result.msPerStep).padStart(8)} ms/step ${String(result.tokensPerSecond).padStart(6)} tokens/s  ${result.vsTorch}x torch\n`);
  }
}

main().catch((error) => { console.error(error); process.exitCode = 1; });
