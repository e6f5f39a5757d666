/**
 * `shardscope bench train [--json] [--steps N]`: the bench GPT (resources/peers/torch_gpt.py: 4 layers, hidden 256,
 * 4 heads, seq 128, vocab 256, batch 8) trained by our engine on 1 rank and dp=2, and by PyTorch on 1 thread and
 * DDP over 2 ranks, in one run; prints tokens/s and the ratios. Runs one measurement at a time so they do not
 * share cores; timings on a shared machine are noisy, ratios within one run are what count.
 */
import { existsSync } from 'node:fs';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { formatCount } from '../../../src-shared/units.js';
import { intFlag, parseFlags } from '../args.js';
import { runChild } from '../child-output.js';
import { cliBundlePath, peerScript } from '../runtime-paths.js';
import { findFreePort } from '../../core/launch/free-port.js';
import { printJson, printLine, type CliIo } from '../io.js';

/** One measured configuration, as printed with --json. */
export interface TrainBenchResult {
  engine: 'shardscope' | 'torch';
  ranks: number;
  msPerStep: number;
  tokensPerSecond: number;
}

/** A result plus where it ran (text output only; --json keeps the four fields above). */
type Measured = TrainBenchResult & { backend?: string };

/** The PyTorch peer and its interpreter (Debian's python3-torch installs into /usr/bin/python3). */
const torchScript = peerScript('torch_gpt.py');
const pythonPath = '/usr/bin/python3';
const benchTokensPerStep = 8 * 128;

function lastLine(text: string): string {
  return text.trim().split('\n').filter(Boolean).pop() ?? '';
}

/** PyTorch on `ranks` processes of 1 thread each (DDP over Gloo when ranks > 1). */
export async function runTorchPeer(ranks: number, steps: number, io: CliIo): Promise<TrainBenchResult> {
  if (!existsSync(pythonPath) || !existsSync(torchScript)) throw new ShardScopeError('unavailable', `PyTorch peer not found (${pythonPath} ${torchScript})`);
  const port = await findFreePort();
  const runs = Array.from({ length: ranks }, (_, rank) => runChild(pythonPath, [torchScript, '--steps', String(steps)], {
    ...io.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1',
    ...(ranks > 1 ? { RANK: String(rank), WORLD_SIZE: String(ranks), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port) } : {}),
  }, io.signal));
  const outputs = await Promise.all(runs);
  const failed = outputs.find((o) => o.code !== 0);
  if (failed) throw new ShardScopeError('worker-exit', `PyTorch (${formatCount(ranks, 'rank')}) failed: ${lastLine(failed.stderr) || `exit ${failed.code}`}`);
  const result = JSON.parse(lastLine(outputs[0].stdout)) as { msPerStep: number; tokensPerSecond: number };
  return { engine: 'torch', ranks, msPerStep: result.msPerStep, tokensPerSecond: result.tokensPerSecond };
}

/**
 * Our engine through the product path: `shardscope run --model bench --strategy dp=N --global-batch 8N --steps S+1 --json`
 * (batch 8 per rank, as each DDP rank of the peer trains; the first step is warm-up and left out by the summary).
 */
async function runShardScope(ranks: number, steps: number, io: CliIo): Promise<Measured> {
  const tokensPerStep = benchTokensPerStep * ranks;
  const args = [cliBundlePath(), 'run', '--model', 'bench', '--strategy', `dp=${ranks}`, '--global-batch', String(8 * ranks), '--steps', String(steps + 1), '--json'];
  const output = await runChild(process.execPath, args, { ...io.env, SHARDSCOPE_WASM_THREADS: '1' }, io.signal);
  if (output.code !== 0) {
    throw new ShardScopeError('worker-exit', `shardscope run dp=${ranks} failed: ${lastLine(output.stderr) || lastLine(output.stdout) || `exit ${output.code}`}`);
  }
  // The run's summary gives global tokens/s over the steps after the first (warm-up) one.
  const summary = JSON.parse(lastLine(output.stdout)) as { tokensPerSecond?: number; backend?: string; device?: string };
  if (!summary.tokensPerSecond) throw new ShardScopeError('protocol', `shardscope run dp=${ranks}: summary has no tokensPerSecond`);
  const backend = summary.backend ? `${summary.backend}, ${summary.device ?? 'unknown device'}` : undefined;
  return { engine: 'shardscope', ranks, msPerStep: round((tokensPerStep / summary.tokensPerSecond) * 1e3), tokensPerSecond: round(summary.tokensPerSecond), backend };
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

/** Ratios that answer the bench's questions, from results measured in the same run. */
export function trainBenchRatios(results: TrainBenchResult[]): { singleRankVsTorch?: number; shardscopeDp2Speedup?: number; torchDp2Speedup?: number } {
  const find = (engine: TrainBenchResult['engine'], ranks: number) => results.find((r) => r.engine === engine && r.ranks === ranks)?.tokensPerSecond;
  const ratio = (a?: number, b?: number) => (a && b ? Math.round((a / b) * 100) / 100 : undefined);
  return {
    singleRankVsTorch: ratio(find('shardscope', 1), find('torch', 1)),
    shardscopeDp2Speedup: ratio(find('shardscope', 2), find('shardscope', 1)),
    torchDp2Speedup: ratio(find('torch', 2), find('torch', 1)),
  };
}

/** Entry of `shardscope bench train`. */
export async function benchTrainCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, { json: { type: 'boolean' }, steps: { type: 'string' } });
  const steps = intFlag('steps', values.steps, 5, 1, 10_000);
  const results: TrainBenchResult[] = [];
  const failures: string[] = [];
  const plan: Array<[string, () => Promise<Measured>]> = [
    ['shardscope 1 rank', () => runShardScope(1, steps, io)],
    ['torch 1 rank', () => runTorchPeer(1, steps, io)],
    ['shardscope dp=2', () => runShardScope(2, steps, io)],
    ['torch DDP 2 ranks', () => runTorchPeer(2, steps, io)],
  ];
  for (const [label, measure] of plan) {
    try {
      const { backend, ...result } = await measure();
      results.push(result);
      if (values.json) printJson(io, result);
      else printLine(io, `${label.padEnd(18)} ${result.msPerStep.toFixed(1).padStart(8)} ms/step ${result.tokensPerSecond.toFixed(0).padStart(7)} tokens/s${backend ? `  (${backend})` : ''}`);
    } catch (error) {
      if (io.signal.aborted || (error instanceof ShardScopeError && error.kind === 'cancelled')) throw error;
      const message = error instanceof Error ? error.message : String(error);
      failures.push(`${label}: ${message}`);
      io.stderr.write(`shardscope bench train: ${label}: ${message}\n`);
    }
  }
  if (!values.json) {
    const r = trainBenchRatios(results);
    printLine(io, `single rank, shardscope/torch tokens/s: ${r.singleRankVsTorch ?? 'n/a'} (goal >= 0.5)`);
    printLine(io, `dp=2 speed-up over 1 rank: shardscope ${r.shardscopeDp2Speedup ?? 'n/a'}x, torch ${r.torchDp2Speedup ?? 'n/a'}x (goal >= 1.7x)`);
  }
  return failures.length === 0 ? 0 : 1;
}
