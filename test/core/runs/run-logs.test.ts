/**
 * A rank's output is kept with its run, bounded per rank: a user's own PyTorch script (real Python,
 * torch.distributed over Gloo) that prints 1500 lines on rank 0 and a few stderr lines on rank 1,
 * launched with its own arguments; the store keeps 1000 lines of rank 0 and counts the rest, keeps
 * rank 1's stderr as stderr, and the run's plan names the script and its arguments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runRecorded } from '../../../src-main/core/runs/recorded-run.js';
import { RunStore, StoreWriter } from '../../../src-main/core/store/index.js';
import { trainConfigOf } from '../../../src-main/core/runs/train-config.js';
import { modelPresets } from '../../../src-shared/engine-config.js';
import { DEFAULT_LOG_LINES_PER_RANK } from '../../../src-main/core/runs/run-logs.js';

const python = '/usr/bin/python3';
const skip = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0 ? false : `${python} has no torch`;

test('a user script\'s output is kept per rank (bounded), stderr as stderr, with its arguments', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'shardscope-run-logs-'));
  const script = join(dir, 'chatty.py');
  writeFileSync(script, [
    'import sys, torch, torch.distributed as dist',
    'dist.init_process_group("gloo")',
    'rank = dist.get_rank()',
    'print("args", " ".join(sys.argv[sys.argv.index("--tag"):]), flush=True)',
    'if rank == 0:',
    '    for i in range(1500): print(f"line {i}", flush=True)',
    'else:',
    '    for i in range(3): print(f"warning {i}", file=sys.stderr, flush=True)',
    'dist.barrier()',
    'dist.destroy_process_group()',
  ].join('\n'));
  const store = RunStore.open(join(dir, 'runs.db'));
  const writer = new StoreWriter(store);
  const lines: string[] = [];
  const summary = await runRecorded({
    config: trainConfigOf({ model: { ...modelPresets.tiny }, dp: 2, tp: 1, pp: 1, steps: 1 }), store, writer, hostId: 'local', workerPath: '',
    engine: 'torch', torch: { python, script, scriptArgs: ['--tag', 'two words'] }, onLog: (_rank, line) => lines.push(line),
  });
  writer.close();
  const details = store.runDetails(summary.runId, 50_000);
  const logs = details.events.filter((e) => e.type === 'log');
  const rank0 = logs.filter((e) => e.rank === 0);
  assert.equal(rank0.length, DEFAULT_LOG_LINES_PER_RANK, 'rank 0 keeps its share');
  assert.equal(rank0[0].data.line, 'args --tag two words', 'the arguments reached the script, one with a space');
  const dropped = details.events.find((e) => e.type === 'log-dropped' && e.rank === 0);
  assert.equal(dropped?.data.lines, 1501 - DEFAULT_LOG_LINES_PER_RANK);
  const rank1 = logs.filter((e) => e.rank === 1);
  assert.deepEqual(rank1.filter((e) => e.data.stream === 'stderr').map((e) => e.data.line), ['warning 0', 'warning 1', 'warning 2']);
  assert.ok(lines.length >= 1505, 'every line still reached the live log');
  assert.deepEqual((details.run.plan as { torch?: unknown }).torch, { script, scriptArgs: ['--tag', 'two words'] });
  store.close();
});
