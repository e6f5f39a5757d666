/** The streaming sibling of runCapped: lines capped and the cut said; the whole group ends on a cut and on stop(). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CappedLineSplitter } from '../../../src-main/core/process/capped-lines.js';
import { startGroupStream } from '../../../src-main/core/process/stream-group.js';
import { isRunning } from '../../support/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'shardscope-stream-group-'));

test('the splitter passes lines up to the cap and stops at the first longer one', () => {
  const splitter = new CappedLineSplitter(8);
  assert.deepEqual(splitter.push('ab\r\ncd'), { lines: ['ab'], isCut: false });
  assert.deepEqual(splitter.push('efgh\n12345'), { lines: ['cdefgh'], isCut: false });
  assert.deepEqual(splitter.push('6789'), { lines: [], isCut: true });
  assert.deepEqual(splitter.push('\nok\n'), { lines: [], isCut: true });
  assert.deepEqual(splitter.flush(), []);
});

test('a line past the cap ends the group (a child holding the pipe included) and the end says the output was cut', async () => {
  const pidsFile = join(dir, 'flood');
  const lines: string[] = [];
  const ended = new Promise<string>((resolve) => {
    startGroupStream('sh', ['-c', `sleep 600 & echo "$$ $!" > ${pidsFile}; echo first; head -c 50000000 /dev/zero | tr '\\0' x; wait`], {
      maxLineChars: 1000, onLine: (line) => lines.push(line), onEnd: resolve,
    });
  });
  const reason = await ended;
  assert.deepEqual(lines, ['first']);
  assert.match(reason, /output cut: a line longer than 1000 characters/);
  for (const pid of readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number)) assert.ok(!isRunning(pid), `${pid} left behind`);
});

test('stop() ends a command that ignores SIGTERM and whose child holds its pipe', async () => {
  const pidsFile = join(dir, 'hang');
  let lineSeen!: () => void;
  const started = new Promise<void>((resolve) => { lineSeen = resolve; });
  const stream = startGroupStream('sh', ['-c', `trap '' TERM; sleep 600 & echo "$$ $!" > ${pidsFile}; echo up; wait; wait`], {
    killGraceMs: 300, onLine: () => lineSeen(), onEnd: () => undefined,
  });
  await started;
  assert.ok(existsSync(pidsFile));
  const pids = readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number);
  assert.equal(stream.pid, pids[0]);
  await stream.stop();
  assert.equal(stream.pid, undefined);
  for (const pid of pids) assert.ok(!isRunning(pid), `${pid} left behind`);
});
