/** The run progress line: ETA from the mean time per step so far; other output goes above the line, which is drawn again. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { stepProgress } from '../../src-main/cli/progress-line.js';

function terminal(): { stream: PassThrough & { isTTY: boolean }; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY: true });
  let text = '';
  stream.on('data', (c: Buffer) => { text += c.toString(); });
  return { stream, text: () => text };
}

test('on a terminal: one line redrawn per step with the ETA, rank output above it, a newline at the end', async () => {
  const out = terminal();
  let nowMs = 1_000;
  const io = { stdout: out.stream, stderr: out.stream, env: {}, signal: new AbortController().signal };
  const progress = stepProgress(io, () => nowMs);
  nowMs += 2_000; // first step done after 2 s: 9 steps left at 2 s each
  progress.add({ step: 0, loss: 5.5, stepSeconds: 0.5, tokensPerSecond: 14_100.4 }, 10);
  progress.above(() => out.stream.write('[rank 1] warning\n'));
  nowMs += 2_000;
  progress.add({ step: 1, loss: 5.25, stepSeconds: 0.5, tokensPerSecond: 14_100.4 }, 10);
  progress.end();
  await new Promise((resolve) => setImmediate(resolve));
  const first = 'step 1/10 loss 5.5000 500 ms 14,100 tokens/s ETA 18 s';
  assert.equal(out.text(), `\r\x1b[2K${first}\r\x1b[2K[rank 1] warning\n${first}\r\x1b[2Kstep 2/10 loss 5.2500 500 ms 14,100 tokens/s ETA 16 s\n`);
});
