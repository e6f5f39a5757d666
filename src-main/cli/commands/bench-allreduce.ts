/**
 * `shardscope bench allreduce [--ranks N] [--sizes-mb 1,16,64] [--reps 10] [--json]`: N local rank processes
 * (`node dist/worker.cjs bench-allreduce-rank`) all-reduce float32 buffers over loopback TCP; then, when
 * PyTorch is installed, the same measurement with Gloo (resources/peers/torch_allreduce.py, a copy of ../shared/peers/),
 * one after the other so they do not share cores. Prints time, algbw, busbw (NCCL-tests convention) and the ratio.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { totalmem } from 'node:os';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { formatBytes, formatCount } from '../../../src-shared/units.js';
import { intFlag, parseFlags } from '../args.js';
import { runChild } from '../child-output.js';
import { peerScript, workerBundlePath } from '../runtime-paths.js';
import { findFreePort } from '../../core/launch/free-port.js';
import { printJson, printLine, type CliIo } from '../io.js';

/** One measured size, as printed with --json (the peer script prints the same shape). */
export interface AllreduceBenchResult {
  engine: 'shardscope' | 'gloo';
  world: number;
  bytes: number;
  ms: number;
  algbwGBps: number;
  busbwGBps: number;
}

const glooScript = peerScript('torch_allreduce.py');
const pythonPath = '/usr/bin/python3';

/** Runs `ranks` processes; fails (naming the first failing rank's last stderr line) unless all exit 0; returns rank 0's JSON lines. */
async function runWorld(ranks: number, commandFor: (rank: number, port: number) => [string, string[], NodeJS.ProcessEnv], what: string, io: CliIo): Promise<AllreduceBenchResult[]> {
  const port = await findFreePort();
  const outputs = await Promise.all(Array.from({ length: ranks }, (_, rank) => {
    const [command, args, env] = commandFor(rank, port);
    return runChild(command, args, env, io.signal, 'SIGKILL');
  }));
  const failedRank = outputs.findIndex((o) => o.code !== 0);
  if (failedRank >= 0) {
    const reason = outputs[failedRank].stderr.trim().split('\n').pop() || `exit ${outputs[failedRank].code}`;
    throw new ShardScopeError('worker-exit', `${what} rank ${failedRank} failed: ${reason}`);
  }
  return outputs[0].stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as AllreduceBenchResult);
}

function hasTorch(): boolean {
  return existsSync(pythonPath) && existsSync(glooScript);
}

/** Largest buffer one rank may all-reduce (the rank holds it plus a receive buffer and chunks). */
const MAX_SIZE_MB = 4096;

/** Refuses sizes that are zero, above the cap, or that the ranks together could not hold in this machine's memory. */
function checkSizes(sizesMb: number[], ranks: number): void {
  for (const size of sizesMb) {
    if (!(size > 0) || size > MAX_SIZE_MB) throw new ShardScopeError('bad-input', `--sizes-mb: each size must be above 0 and at most ${MAX_SIZE_MB} MB, got ${size}`);
  }
  // Each rank holds about 3 copies of the buffer (data, receive, reduce chunks) at once.
  const neededBytes = Math.max(...sizesMb) * 1048576 * 3 * ranks;
  if (neededBytes > totalmem() * 0.5) {
    throw new ShardScopeError('bad-input', `--sizes-mb: ${Math.max(...sizesMb)} MB on ${ranks} ranks needs about ${(neededBytes / 1e9).toFixed(1)} GB of memory, more than half of this machine's ${(totalmem() / 1e9).toFixed(1)} GB`);
  }
}

/** The bench command. */
export async function benchAllreduceCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(args, { ranks: { type: 'string' }, json: { type: 'boolean' }, 'sizes-mb': { type: 'string' }, reps: { type: 'string' } });
  const ranks = intFlag('ranks', values.ranks, 2, 1, 64);
  const reps = intFlag('reps', values.reps, 10, 1, 10000);
  const sizesMb = values['sizes-mb'] ?? '1,16,64';
  if (!/^\d+(\.\d+)?(,\d+(\.\d+)?)*$/.test(sizesMb)) throw new ShardScopeError('bad-input', `--sizes-mb must be a comma-separated list of numbers, got "${sizesMb}"`);
  checkSizes(sizesMb.split(',').map(Number), ranks);
  const worker = workerBundlePath();
  const secret = randomBytes(24).toString('hex');
  const ours = await runWorld(ranks, (rank, port) => [process.execPath,
    [worker, 'bench-allreduce-rank', '--rank', String(rank), '--world', String(ranks), '--master-port', String(port), '--sizes-mb', sizesMb, '--reps', String(reps)],
    { ...io.env, SHARDSCOPE_RUN_SECRET: secret }], 'shardscope', io);
  let gloo: AllreduceBenchResult[] = [];
  let glooNote = '';
  if (!hasTorch()) glooNote = `Gloo peer skipped: ${pythonPath} or ${glooScript} not found`;
  else {
    try {
      gloo = await runWorld(ranks, (rank, port) => [pythonPath, [glooScript, '--sizes-mb', sizesMb, '--reps', String(reps)], {
        ...io.env, RANK: String(rank), WORLD_SIZE: String(ranks), MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), OMP_NUM_THREADS: '1',
      }], 'gloo', io);
    } catch (error) {
      if (io.signal.aborted || !(error instanceof ShardScopeError)) throw error;
      glooNote = `Gloo peer failed: ${error.message}`;
    }
  }
  if (values.json) {
    for (const result of [...ours, ...gloo]) printJson(io, result);
    if (glooNote) io.stderr.write(`${glooNote}\n`);
    return 0;
  }
  printLine(io, `all-reduce, ${formatCount(ranks, 'rank')} on this host, float32, mean of ${reps} (busbw = algbw * 2(n-1)/n, in decimal GB/s as nccl-tests and PyTorch report it)`);
  printLine(io, `${'size'.padEnd(8)}${'shardscope ms'.padStart(14)}${'busbw GB/s'.padStart(12)}${'gloo ms'.padStart(10)}${'busbw GB/s'.padStart(12)}${'ratio'.padStart(8)}`);
  for (const mine of ours) {
    const peer = gloo.find((g) => g.bytes === mine.bytes);
    const ratio = peer && peer.busbwGBps > 0 ? (mine.busbwGBps / peer.busbwGBps).toFixed(2) : '-';
    printLine(io, `${formatBytes(mine.bytes).padEnd(8)}${mine.ms.toFixed(2).padStart(14)}${mine.busbwGBps.toFixed(3).padStart(12)}`
      + `${(peer ? peer.ms.toFixed(2) : '-').padStart(10)}${(peer ? peer.busbwGBps.toFixed(3) : '-').padStart(12)}${ratio.padStart(8)}`);
  }
  if (glooNote) printLine(io, glooNote);
  else printLine(io, `ratio = shardscope busbw / gloo busbw (Gloo: ${glooScript}, PyTorch from ${pythonPath})`);
  return 0;
}
