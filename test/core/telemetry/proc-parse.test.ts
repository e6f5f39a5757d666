import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { cpuUtilisationPercent, parseMeminfo, parseNetDev, parseProcStat } from '../../../src-main/core/telemetry/proc-parse.js';

test('CPU utilisation is busy ticks over total ticks between two /proc/stat readings', () => {
  const before = parseProcStat('cpu  100 0 100 800 0 0 0 0 0 0\ncpu0 1 2 3 4\n')!;
  const after = parseProcStat('cpu  150 0 150 900 0 0 0 0 0 0\n')!;
  assert.equal(cpuUtilisationPercent(before, after), 50);
  assert.equal(parseProcStat('intr 1 2 3'), null);
});

test('memory used is total minus available; network counters skip loopback', () => {
  assert.deepEqual(parseMeminfo('MemTotal:       1000 kB\nMemFree:  100 kB\nMemAvailable:    250 kB\n'), { memoryTotalBytes: 1024000, memoryUsedBytes: 768000 });
  const netdev = 'Inter-|   Receive |  Transmit\n face |bytes packets errs drop fifo frame compressed multicast|bytes\n'
    + '    lo: 999 1 0 0 0 0 0 0 999 1 0 0 0 0 0 0\n  eth0: 1500 10 0 0 0 0 0 0 700 5 0 0 0 0 0 0\n';
  assert.deepEqual(parseNetDev(netdev), { rxBytes: 1500, txBytes: 700 });
});

test('this machine\'s /proc files parse', { skip: process.platform !== 'linux' && 'not Linux' }, () => {
  assert.ok(parseProcStat(readFileSync('/proc/stat', 'utf8'))!.totalTicks > 0);
  assert.ok(parseMeminfo(readFileSync('/proc/meminfo', 'utf8'))!.memoryTotalBytes > 0);
  assert.ok(parseNetDev(readFileSync('/proc/net/dev', 'utf8')).rxBytes >= 0);
});
