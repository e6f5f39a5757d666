/** Outputs captured by us on a real H200 (test/fixtures/nvidia-smi/SOURCE.md) parse to what the machine had. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseNvidiaSmiTopo } from '../../../src-main/core/inventory/smi-topo-parse.js';
import { parseNvidiaSmiXml } from '../../../src-main/core/inventory/smi-xml-parse.js';
import { parseGpuQueryLine } from '../../../src-main/core/telemetry/smi-query-parse.js';
import { REPO_ROOT } from '../../support/paths.js';

const dir = join(REPO_ROOT, 'test', 'fixtures', 'nvidia-smi');
const read = (name: string) => readFileSync(join(dir, `h200-sxm-141gb_${name}`), 'utf8');

test('the H200 XML gives one H200 with its memory, driver and CUDA version', () => {
  const xml = read('q-x.xml');
  const parsed = parseNvidiaSmiXml(xml);
  assert.equal(parsed.gpus.length, 1);
  const gpu = parsed.gpus[0];
  assert.equal(gpu.name, /<product_name>([^<]+)</.exec(xml)![1]);
  assert.equal(gpu.uuid, /<uuid>([^<]+)</.exec(xml)![1]);
  const totalMiB = Number(/<fb_memory_usage>\s*<total>(\d+) MiB/.exec(xml)![1]);
  assert.equal(gpu.memoryTotalBytes, totalMiB * 1024 * 1024);
  assert.equal(parsed.driverVersion, /<driver_version>([^<]+)</.exec(xml)![1]);
  assert.equal(parsed.cudaVersion, /<cuda_version>([^<]+)</.exec(xml)![1]);
});

test('the H200 topo output, with ANSI underline codes in its header, parses to one GPU', () => {
  const text = read('topo-m.txt');
  assert.ok(text.includes('\u001b[4m'), 'the capture really has the escape codes');
  const topology = parseNvidiaSmiTopo(text);
  assert.deepEqual(topology.devices, ['GPU0']);
  assert.equal(topology.affinity.GPU0?.cpuAffinity, '0-15');
});

test('every line of the H200 -lms stream parses with the capture\'s memory total and power', () => {
  const lines = read('query-gpu-lms.csv').trim().split('\n');
  assert.ok(lines.length >= 5);
  for (const line of lines) {
    const fields = line.split(',').map((f) => f.trim());
    const result = parseGpuQueryLine(line, 'h200', 1);
    assert.ok(result.ok, `parsed: ${line}`);
    if (!result.ok) continue;
    assert.equal(result.sample.memoryTotalBytes, Number(fields[3]) * 1024 * 1024);
    assert.equal(result.sample.powerWatts, Number(fields[5]));
    assert.equal(result.sample.smClockMhz, Number(fields[7]));
  }
});
