import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseNvidiaSmiXml } from '../../../src-main/core/inventory/smi-xml-parse.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { fixture, fixtureFiles } from '../../support/fake-nvidia-smi/fixtures.js';

const MiB = 1024 * 1024;

/** Expectations read straight from the raw file by regex, independent of the parser. */
function expectedFromRaw(xml: string) {
  const withoutMig = xml.replace(/<mig_devices>[\s\S]*?<\/mig_devices>/g, '');
  const all = (re: RegExp) => [...withoutMig.matchAll(re)].map((m) => m[1]);
  return {
    count: all(/<gpu id="([^"]*)"/g).length,
    names: all(/<product_name>([^<]*)<\/product_name>/g),
    uuids: all(/<uuid>([^<]*)<\/uuid>/g),
    memoryTotalsBytes: all(/<fb_memory_usage>\s*<total>(\d+) MiB<\/total>/g).map((n) => Number(n) * MiB),
    driverVersion: all(/<driver_version>([^<]*)<\/driver_version>/g)[0],
  };
}

function assertSmiParse(fn: () => unknown, what: string) {
  assert.throws(fn, (error: unknown) => error instanceof ShardScopeError && error.kind === 'smi-parse', what);
}

for (const file of fixtureFiles('xml')) {
  test(`parses ${basename(file)} to the GPUs it contains`, () => {
    const xml = readFileSync(file, 'utf8');
    const expected = expectedFromRaw(xml);
    const report = parseNvidiaSmiXml(xml);
    assert.ok(expected.count > 0);
    assert.equal(report.gpus.length, expected.count);
    assert.deepEqual(report.gpus.map((g) => g.name), expected.names);
    assert.deepEqual(report.gpus.map((g) => g.uuid), expected.uuids);
    assert.deepEqual(report.gpus.map((g) => g.memoryTotalBytes), expected.memoryTotalsBytes);
    assert.equal(report.driverVersion, expected.driverVersion);
    assert.deepEqual(report.gpus.map((g) => g.index), report.gpus.map((_, i) => i));
  });
}

test('reads power, PCIe link, CUDA and MIG mode across schema versions', () => {
  const a100 = parseNvidiaSmiXml(readFileSync(fixture('xml', 'telegraf_a100-sxm4-80gb_535.54.03_v12.xml'), 'utf8')).gpus[0];
  assert.equal(a100.migMode, 'enabled');
  assert.equal(a100.powerLimitWatts, 500);
  assert.equal(a100.powerDrawWatts, 67.03);
  assert.equal(a100.pcieGeneration, 4);
  assert.equal(a100.pcieWidth, 16);
  assert.equal(a100.cudaVersion, '12.2');
  // v13 reports instant/average power instead of power_draw.
  const v13 = parseNvidiaSmiXml(readFileSync(fixture('xml', 'telegraf_rtx-3080_595.58.03_v13.xml'), 'utf8')).gpus[0];
  assert.equal(v13.powerDrawWatts, 142.33);
  assert.equal(v13.powerLimitWatts, 320);
  // v7 (inline DTD) has no CUDA version and no MIG.
  const k520 = parseNvidiaSmiXml(readFileSync(fixture('xml', 'rai_grid-k520_352.99_v7-inline-dtd.xml'), 'utf8'));
  assert.equal(k520.cudaVersion, null);
  assert.equal(k520.gpus[0].migMode, 'unsupported');
  // N/A power limit stays null rather than 0.
  const gt730 = parseNvidiaSmiXml(readFileSync(fixture('xml', 'lampaa_gt-730_440.59_v10.xml'), 'utf8')).gpus[0];
  assert.equal(gt730.powerLimitWatts, null);
});

test('reads processes, with N/A memory (Windows) as null', () => {
  const xml = readFileSync(fixture('xml', 'netdata_rtx-2080-windows_516.59_v11.xml'), 'utf8');
  const processes = parseNvidiaSmiXml(xml).gpus[0].processes;
  const rawPids = [...xml.matchAll(/<pid>(\d+)<\/pid>/g)].map((m) => Number(m[1]));
  assert.deepEqual(processes.map((p) => p.pid), rawPids);
  const rawMemory = [...xml.matchAll(/<used_memory>([^<]*)<\/used_memory>/g)].map((m) => m[1]);
  assert.deepEqual(processes.map((p) => p.usedMemoryBytes === null), rawMemory.map((m) => m === 'N/A'));
});

test('garbage, empty and truncated output give smi-parse, never a crash or half-filled GPU', () => {
  const xml = readFileSync(fixture('xml', 'a0s_2x-gtx-1080_460.27.04.xml'), 'utf8');
  assertSmiParse(() => parseNvidiaSmiXml(''), 'empty');
  assertSmiParse(() => parseNvidiaSmiXml('NVIDIA-SMI has failed because it couldn\'t communicate with the NVIDIA driver.'), 'driver error text');
  assertSmiParse(() => parseNvidiaSmiXml('\u0000\u00ff<<>>&&'), 'binary garbage');
  assertSmiParse(() => parseNvidiaSmiXml('<html><body>hi</body></html>'), 'other XML');
  for (const fraction of [0.05, 0.3, 0.5, 0.77, 0.99]) {
    assertSmiParse(() => parseNvidiaSmiXml(xml.slice(0, Math.floor(xml.length * fraction))), `truncated at ${fraction}`);
  }
  const afterFirstGpu = xml.indexOf('</gpu>') + '</gpu>'.length;
  assertSmiParse(() => parseNvidiaSmiXml(xml.slice(0, afterFirstGpu)), 'cut between GPUs');
  assertSmiParse(() => parseNvidiaSmiXml(xml.replace(/<fb_memory_usage>[\s\S]*?<\/fb_memory_usage>/, '')), 'GPU without memory');
  assertSmiParse(() => parseNvidiaSmiXml(xml.replace(/<uuid>[^<]*<\/uuid>/, '<uuid>N/A</uuid>')), 'GPU without UUID');
});

test('ignores a login banner before the document and a prompt after it', () => {
  const xml = readFileSync(fixture('xml', 'telegraf_tesla-t4_515.105.01_v11.xml'), 'utf8');
  const report = parseNvidiaSmiXml(`Welcome to host gpu3\n${xml}\n$ `);
  assert.equal(report.gpus.length, expectedFromRaw(xml).count);
});
