import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gpuQueryArgs, gpuQueryFields, LineSplitter, parseGpuQueryLine } from '../../../src-main/core/telemetry/smi-query-parse.js';

const MiB = 1024 * 1024;

test('the line splitter gives the same lines whatever the chunking (1-byte chunks, CRLF)', () => {
  const text = '0, GPU-a, 10, 100, 5, 50.5, 40, 1500\r\n1, GPU-b, 20, 100, 6, 60.5, 41, 1600\npartial';
  const whole = new LineSplitter();
  const wholeLines = [...whole.push(text), ...whole.flush()];
  const bytewise = new LineSplitter();
  const byteLines = [...[...text].flatMap((ch) => bytewise.push(ch)), ...bytewise.flush()];
  assert.deepEqual(byteLines, wholeLines);
  assert.deepEqual(wholeLines, ['0, GPU-a, 10, 100, 5, 50.5, 40, 1500', '1, GPU-b, 20, 100, 6, 60.5, 41, 1600', 'partial']);
});

test('a line becomes a sample with units in bytes/W/MHz; placeholders become null', () => {
  const result = parseGpuQueryLine('3, GPU-x, 19818, 81559, [N/A], 631.95, [Not Supported], 1980', 'h1', 1234);
  assert.ok(result.ok);
  assert.deepEqual(result.sample, {
    hostId: 'h1', gpuIndex: 3, gpuUuid: 'GPU-x', timestampMs: 1234,
    memoryUsedBytes: 19818 * MiB, memoryTotalBytes: 81559 * MiB,
    utilisationPercent: null, powerWatts: 631.95, temperatureCelsius: null, smClockMhz: 1980,
  });
});

test('lines with the wrong shape or no memory figures are rejected with a reason', () => {
  assert.equal(parseGpuQueryLine('0, GPU-x, 1, 2', 'h', 0).ok, false);
  assert.equal(parseGpuQueryLine('0, GPU-x, [N/A], 2, 3, 4, 5, 6', 'h', 0).ok, false);
  assert.equal(parseGpuQueryLine('garbage', 'h', 0).ok, false);
});

test('the sampler asks nvidia-smi for exactly its fields, without header or units, at the interval', () => {
  assert.deepEqual(gpuQueryArgs(250), [`--query-gpu=${gpuQueryFields.join(',')}`, '--format=csv,noheader,nounits', '-lms', '250']);
});
