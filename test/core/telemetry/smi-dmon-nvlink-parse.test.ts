import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { DmonParser, parseDmonText, pcieThroughputOf } from '../../../src-main/core/telemetry/smi-dmon-parse.js';
import { hasNvlinkCounters, nvlinkRatesBetween, nvlinkTotalsKiB, parseNvlink } from '../../../src-main/core/telemetry/smi-nvlink-parse.js';
import { LineSplitter } from '../../../src-main/core/telemetry/smi-query-parse.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { fixtureFiles } from '../../support/fake-nvidia-smi/fixtures.js';

const capturedHere = new URL('../../fixtures/nvidia-smi/', import.meta.url).pathname;
const dmonFiles = [...fixtureFiles('dmon-nvlink').filter((f) => basename(f).includes('dmon')), `${capturedHere}h200-sxm-141gb_dmon-s-t.txt`];
const nvlinkFiles = fixtureFiles('dmon-nvlink').filter((f) => basename(f).includes('nvlink'));

/** Data rows of a dmon file read independently: whitespace cells of every non-comment line. */
function dmonCells(text: string): { columns: string[]; units: string[]; rows: string[][] } {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const comments = lines.filter((l) => l.startsWith('#')).map((l) => l.slice(1).trim().split(/\s+/));
  return { columns: comments[0], units: comments[1], rows: lines.filter((l) => !l.startsWith('#')).map((l) => l.split(/\s+/)) };
}

test('every recorded dmon output parses, row for row, with the values of the file', () => {
  assert.ok(dmonFiles.length >= 5);
  for (const file of dmonFiles) {
    const text = readFileSync(file, 'utf8');
    const { rows, errors } = parseDmonText(text);
    const expected = dmonCells(text);
    assert.deepEqual(errors, [], file);
    assert.equal(rows.length, expected.rows.length, file);
    rows.forEach((row, i) => {
      assert.equal(row.gpuIndex, Number(expected.rows[i][0]), file);
      expected.columns.slice(1).forEach((name, c) => {
        const cell = expected.rows[i][c + 1];
        assert.equal(row.values[name], cell === '-' ? null : Number(cell), `${file} row ${i} ${name}`);
      });
    });
  }
});

test('dmon -s t rows give PCIe rx/tx in bytes per second (MB/s x 1e6); other selections give none', () => {
  for (const file of dmonFiles) {
    const text = readFileSync(file, 'utf8');
    const expected = dmonCells(text);
    const rx = expected.columns.indexOf('rxpci');
    const tx = expected.columns.indexOf('txpci');
    parseDmonText(text).rows.forEach((row, i) => {
      const pcie = pcieThroughputOf(row);
      if (rx < 0) { assert.equal(pcie, null, file); return; }
      assert.equal(expected.units[rx], 'MB/s');
      assert.deepEqual(pcie, { gpuIndex: row.gpuIndex, rxBytesPerSecond: Number(expected.rows[i][rx]) * 1e6, txBytesPerSecond: Number(expected.rows[i][tx]) * 1e6 });
    });
  }
  assert.ok(dmonFiles.some((f) => readFileSync(f, 'utf8').includes('rxpci')), 'at least one -s t capture');
});

test('dmon parsing does not depend on chunk boundaries (1-byte chunks)', () => {
  for (const file of dmonFiles) {
    const text = readFileSync(file, 'utf8');
    const splitter = new LineSplitter();
    const parser = new DmonParser();
    const rows = [];
    for (const ch of text) for (const line of splitter.push(ch)) { const r = parser.pushLine(line); if (r.kind === 'row') rows.push(r.row); }
    for (const line of splitter.flush()) { const r = parser.pushLine(line); if (r.kind === 'row') rows.push(r.row); }
    assert.deepEqual(rows, parseDmonText(text).rows, file);
  }
});

test('garbage in a dmon stream is refused line by line with a reason, not a crash', () => {
  const parser = new DmonParser();
  assert.equal(parser.pushLine('    0      0      1').kind, 'error'); // before any header
  assert.equal(parser.pushLine('# gpu  rxpci  txpci').kind, 'header');
  const short = parser.pushLine('    0      0');
  assert.equal(short.kind, 'error');
  assert.match((short as { reason: string }).reason, /expected 3 dmon columns/);
  assert.equal(parser.pushLine('  gpu0   1   2').kind, 'error');
  assert.equal(parser.pushLine('    1      5      -').kind, 'row');
});

/** Sum of the "Data Tx/Rx: N KiB" counters of a file, read independently. */
function dataCounterSums(text: string): { txKiB: number; rxKiB: number } {
  const sum = (dir: string) => [...text.matchAll(new RegExp(`Data ${dir}: (\\d+) KiB`, 'g'))].reduce((s, m) => s + Number(m[1]), 0);
  return { txKiB: sum('Tx'), rxKiB: sum('Rx') };
}

test('every recorded nvlink output parses; counters, speeds, inactive links and "no NVLink" notes are kept apart', () => {
  assert.ok(nvlinkFiles.length >= 10);
  for (const file of nvlinkFiles) {
    const text = readFileSync(file, 'utf8');
    const gpus = parseNvlink(text);
    const gpuLines = text.split('\n').filter((l) => /^GPU \d+:/.test(l));
    assert.equal(gpus.length, gpuLines.length, file);
    const linkLines = text.split('\n').filter((l) => /^\s*Link \d+:/.test(l));
    const hasCounters = /Data|Raw/.test(text);
    assert.equal(hasNvlinkCounters(gpus), hasCounters, file);
    if (!hasCounters) {
      assert.equal(gpus.reduce((n, g) => n + g.links.length, 0), linkLines.length, file);
      const inactive = linkLines.filter((l) => l.includes('<inactive>')).length;
      assert.equal(gpus.reduce((n, g) => n + g.links.filter((l) => !l.isActive).length, 0), inactive, file);
      for (const gpu of gpus) if (gpu.links.length === 0) assert.ok(gpu.note, `${file}: GPU ${gpu.gpuIndex} has neither links nor a note`);
    }
  }
});

test('NVLink rates are the counter deltas over the time between readings', () => {
  const idleText = readFileSync(nvlinkFiles.find((f) => f.includes('gt-d_idle'))!, 'utf8');
  const busyText = readFileSync(nvlinkFiles.find((f) => f.includes('gt-d_training'))!, 'utf8');
  const idle = dataCounterSums(idleText);
  const busy = dataCounterSums(busyText);
  assert.deepEqual(nvlinkTotalsKiB(parseNvlink(idleText)[0]), idle);
  const seconds = 600;
  const [rate] = nvlinkRatesBetween(parseNvlink(idleText), parseNvlink(busyText), seconds);
  assert.equal(rate.gpuIndex, 0);
  assert.equal(rate.txBytesPerSecond, ((busy.txKiB - idle.txKiB) * 1024) / seconds);
  assert.equal(rate.rxBytesPerSecond, ((busy.rxKiB - idle.rxKiB) * 1024) / seconds);
  // Counters that went backwards (reset) give no rate, not a negative one.
  assert.deepEqual(nvlinkRatesBetween(parseNvlink(busyText), parseNvlink(idleText), seconds), []);
  // Raw counters (-gt r) are read when there are no data counters.
  const raw = parseNvlink(readFileSync(nvlinkFiles.find((f) => f.includes('gt-r'))!, 'utf8'));
  assert.ok(hasNvlinkCounters(raw));
});

test('empty nvlink output means no NVLink; text that is not nvlink output is refused with smi-parse', () => {
  assert.deepEqual(parseNvlink(''), []);
  assert.throws(() => parseNvlink('Link 0: Data Tx: 5 KiB\n'), (e: unknown) => e instanceof ShardScopeError && e.kind === 'smi-parse');
  assert.throws(() => parseNvlink('GPU 0: X (UUID: GPU-1)\n  something else entirely\n'), (e: unknown) => e instanceof ShardScopeError && e.kind === 'smi-parse' && /line 2/.test(e.message));
});
