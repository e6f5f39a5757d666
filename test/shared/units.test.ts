/** src-shared/units.ts: how every figure reads for people (CLI, UI, reports). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bytesIn, formatBytes, formatBytesPerSecond, formatCount, formatDateTime, formatDuration, formatJoules, formatNumber, formatPercent, formatRate, formatSignificant, formatWatts } from '../../src-shared/units.js';

test('bytes are binary with IEC names, about three significant digits', () => {
  assert.equal(formatBytes(0), '0 B');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(80 * 2 ** 30), '80 GiB');
  assert.equal(formatBytes(1.234 * 2 ** 30), '1.23 GiB');
  assert.equal(formatBytes(141e9), '131 GiB', 'an H200 "141 GB" is 131 GiB');
  assert.equal(formatBytes(3 * 2 ** 50), '3 PiB');
  assert.equal(formatBytes(null), '–');
  assert.equal(bytesIn('MiB', 3 * 2 ** 20), 3);
});

test('rates never use e-notation and keep their unit', () => {
  assert.equal(formatRate(14100.4, 'tokens/s'), '14,100 tokens/s');
  assert.equal(formatRate(1.41e4, 'tokens/s'), '14,100 tokens/s');
  assert.equal(formatRate(2.5e12, 'FLOP/s'), '2,500,000,000,000 FLOP/s');
  assert.equal(formatRate(0.000123, 'J/token'), '0.000123 J/token');
  assert.equal(formatBytesPerSecond(117e6), '112 MiB/s');
  assert.equal(formatBytesPerSecond(1.5 * 2 ** 30), '1.5 GiB/s');
  for (const v of [1e-7, 3.3e-5, 12345678901, 1e21 / 1e3]) assert.doesNotMatch(formatSignificant(v), /e/i, String(v));
  assert.equal(formatNumber(1234.5678), '1,234.57');
});

test('durations pick their unit', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(0.00085), '850 µs');
  assert.equal(formatDuration(0.12), '120 ms');
  assert.equal(formatDuration(12.34), '12.3 s');
  assert.equal(formatDuration(245), '4 min 05 s');
  assert.equal(formatDuration(7650), '2 h 07 min');
});

test('counts have the right plural; energy, power and fractions their units', () => {
  assert.equal(formatCount(1, 'run'), '1 run');
  assert.equal(formatCount(2, 'run'), '2 runs');
  assert.equal(formatCount(0, 'host key', 'host keys'), '0 host keys');
  assert.equal(formatJoules(850), '850 J');
  assert.equal(formatJoules(12345), '12.3 kJ');
  assert.equal(formatWatts(1250), '1.25 kW');
  assert.equal(formatPercent(0.4213), '42.1%');
});

test('dates are ISO 8601 in local time, whatever the locale', () => {
  const at = new Date(2026, 11, 3, 14, 5, 9).getTime(); // local time
  assert.equal(formatDateTime(at), '2026-12-03 14:05');
  assert.equal(formatDateTime(new Date(at).toISOString()), '2026-12-03 14:05');
  assert.equal(formatDateTime('not a date'), '–');
});
