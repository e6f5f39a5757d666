import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseNvidiaSmiTopo } from '../../../src-main/core/inventory/smi-topo-parse.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { fixture, fixtureFiles } from '../../support/fake-nvidia-smi/fixtures.js';

/** Matrix rows read naively from the raw text: lines that start with GPUn/NICn, split on any whitespace. */
function rawRows(text: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const tokens = line.trim().split(/\s+/);
    if (/^(GPU|NIC)\d+$/.test(tokens[0]) && !line.includes(':')) rows.set(tokens[0], tokens.slice(1));
  }
  return rows;
}

function isSmiParse(error: unknown): boolean {
  return error instanceof ShardScopeError && error.kind === 'smi-parse';
}

const matrices = fixtureFiles('topo').filter((f) => !f.includes('_ERROR'));

for (const file of matrices) {
  test(`parses ${basename(file)}: every device and every cell of the matrix`, () => {
    const text = readFileSync(file, 'utf8');
    const rows = rawRows(text);
    const topology = parseNvidiaSmiTopo(text);
    assert.deepEqual(topology.devices, [...rows.keys()]);
    for (const [from, tokens] of rows) {
      topology.devices.forEach((to, column) => {
        const code = tokens[column];
        const link = topology.links.find((l) => l.from === from && l.to === to);
        if (code === 'X') assert.equal(link, undefined);
        else assert.equal(link?.connection, code, `${from} -> ${to}`);
      });
    }
    const gpuCount = [...rows.keys()].filter((d) => d.startsWith('GPU')).length;
    assert.ok(gpuCount >= 1);
  });
}

test('TAB-separated and TAB-expanded pastes of the same machine give the same topology', () => {
  const tabs = parseNvidiaSmiTopo(readFileSync(fixture('topo', 'gnosia93_p4d-24xlarge_8x-a100_NV12_topo-m.txt'), 'utf8'));
  const spaces = parseNvidiaSmiTopo(readFileSync(fixture('topo', 'gnosia93_p4d-24xlarge_8x-a100_NV12_topo-m_tab-expanded.txt'), 'utf8'));
  assert.deepEqual(spaces, tabs);
  assert.equal(tabs.links.length, 8 * 7);
  assert.ok(tabs.links.every((l) => l.nvlinks === 12));
  assert.deepEqual(tabs.affinity.GPU4, { cpuAffinity: '24-47,72-95', numaAffinity: '1' });
});

test('reads NIC rows and the NIC legend', () => {
  const text = readFileSync(fixture('topo', 'xuesong_8x-a100_NV12_17nics_topo-m_tab-expanded.txt'), 'utf8');
  const topology = parseNvidiaSmiTopo(text);
  const legend = [...text.matchAll(/^\s*(NIC\d+):\s*(\S+)/gm)];
  assert.equal(topology.devices.filter((d) => d.startsWith('NIC')).length, 17);
  assert.equal(Object.keys(topology.nicNames ?? {}).length, legend.length);
  for (const [, nic, name] of legend) assert.equal(topology.nicNames?.[nic], name);
});

test('single-GPU outputs (ANSI header, Windows with empty affinity) have one device and no links', () => {
  const linux = parseNvidiaSmiTopo(readFileSync(fixture('topo', 'nvgpuexp_h100_590.48.01_topo-m_single-gpu.txt'), 'utf8'));
  assert.deepEqual(linux.devices, ['GPU0']);
  assert.deepEqual(linux.links, []);
  assert.deepEqual(linux.affinity.GPU0, { cpuAffinity: '0-19', numaAffinity: '0' });
  const windows = parseNvidiaSmiTopo(readFileSync(fixture('topo', 'nvgpuexp_rtx-2080-super_610.62-windows_topo-m_single-gpu.txt'), 'utf8'));
  assert.deepEqual(windows.devices, ['GPU0']);
  assert.equal(windows.affinity.GPU0, undefined);
});

test('the topo sections of whole captures parse', () => {
  for (const file of fixtureFiles('whole-captures')) {
    const text = readFileSync(file, 'utf8');
    const section = /# \$ nvidia-smi topo -m\n#+\n([\s\S]*?)\n#{20,}/.exec(text);
    assert.ok(section, `${basename(file)} has a topo -m section`);
    assert.deepEqual(parseNvidiaSmiTopo(section[1]).devices, [...rawRows(section[1]).keys()]);
  }
});

test('an nvidia-smi error instead of a matrix is smi-parse, quoting the error', () => {
  const text = readFileSync(fixture('topo', 'nvgpuexp_rtx-2080-super_591.86-windows_topo-m_ERROR.txt'), 'utf8');
  assert.throws(() => parseNvidiaSmiTopo(text), (error: unknown) => isSmiParse(error) && /Option -m is missing its value/.test((error as Error).message));
});

test('garbage, empty and truncated matrices are smi-parse', () => {
  const text = readFileSync(fixture('topo', 'mleng_8x-h100_NV18_HT-affinity_topo-m_tab-expanded.txt'), 'utf8');
  assert.throws(() => parseNvidiaSmiTopo(''), isSmiParse);
  assert.throws(() => parseNvidiaSmiTopo('hello\nworld\n'), isSmiParse);
  const lines = text.split('\n');
  assert.throws(() => parseNvidiaSmiTopo(lines.slice(0, 5).join('\n')), isSmiParse, 'rows missing');
  assert.throws(() => parseNvidiaSmiTopo(text.slice(0, text.indexOf('\nGPU3') + 20)), isSmiParse, 'row cut mid-way');
  assert.throws(() => parseNvidiaSmiTopo(text.replace('NV18', 'QQ99')), isSmiParse, 'unknown code');
});
