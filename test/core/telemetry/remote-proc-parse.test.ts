/** The /proc loop: one `grep -H` per tick, read back into frames (this machine's real /proc, and RAPL lines as a host prints them). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ProcLoopParser, procLoopScript } from '../../../src-main/core/telemetry/remote-proc-parse.js';
import { parseRaplGrep } from '../../../src-main/core/telemetry/cpu-power.js';

test('one tick of the real loop on this machine gives a frame with its memory total, CPUs and uptime', () => {
  // One tick: the loop's body with `exit` in place of the sleep (the script itself loops forever).
  const oneTick = procLoopScript(0.05).replace(/sleep [\d.]+; done$/, 'exit 0; done');
  const lines = execFileSync('sh', ['-c', oneTick], { encoding: 'utf8' }).split('\n');
  assert.match(lines[0], /^@@pid \d+$/);
  const parser = new ProcLoopParser();
  const frames = lines.slice(1).map((l) => parser.pushLine(l)).filter((f) => f !== null);
  assert.equal(frames.length, 1);
  const [frame] = frames;
  assert.equal(frame!.memoryTotalBytes, Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))![1]) * 1024);
  assert.equal(frame!.logicalCpus, readFileSync('/proc/stat', 'utf8').split('\n').filter((l) => /^cpu\d+\s/.test(l)).length);
  assert.ok(frame!.uptimeSeconds > 0 && frame!.cpuTimes !== null);
});

test('RAPL counter lines are kept whole for the RAPL reader; a frame without meminfo is no frame', () => {
  const parser = new ProcLoopParser();
  for (const line of ['/proc/uptime:100.5 200.1', '/proc/stat:cpu  1 2 3 4 5 6 7 8', '/proc/stat:cpu0 1 2 3 4 5 6 7 8', '/proc/meminfo:MemTotal: 1000 kB', '/proc/meminfo:MemAvailable: 400 kB',
    '/proc/net/dev:Inter-|   Receive', '/sys/class/powercap/intel-rapl:0/energy_uj:5000000', '/sys/class/powercap/intel-rapl:0/max_energy_range_uj:262143328850']) {
    assert.equal(parser.pushLine(line), null);
  }
  const frame = parser.pushLine('@@end');
  assert.equal(frame?.uptimeSeconds, 100.5);
  assert.equal(frame?.memoryTotalBytes, 1000 * 1024);
  assert.deepEqual(parseRaplGrep(frame!.raplLines, 0)?.domains.map((d) => d.energyMicrojoules), [5_000_000]);
  parser.pushLine('/proc/uptime:101 200');
  assert.equal(parser.pushLine('@@end'), null);
});
