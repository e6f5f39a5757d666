/** "This cluster" from recorded nvidia-smi outputs: GPUs mapped to catalogue entries or derived and said so; NVLink or PCIe from topo -m. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gpuChoiceOf, planningClusterOf } from '../../../src-shared/calibration/planning-cluster.js';
import type { HostInventory } from '../../../src-shared/inventory.js';
import { listPresets } from '../../../src-shared/planner/catalogue.js';
import { parseNvidiaSmiXml } from '../../../src-main/core/inventory/smi-xml-parse.js';
import { parseNvidiaSmiTopo } from '../../../src-main/core/inventory/smi-topo-parse.js';
import { fixture } from '../../support/fake-nvidia-smi/fixtures.js';

const catalogue = listPresets().gpus;

function host(id: string, xml: string, topo: string | null, copies = 1): HostInventory {
  const gpus = parseNvidiaSmiXml(readFileSync(fixture('xml', xml), 'utf8')).gpus;
  return {
    id, gpus: Array.from({ length: copies }, () => gpus).flat(), topology: topo ? parseNvidiaSmiTopo(readFileSync(fixture('topo', topo), 'utf8')) : null,
  } as unknown as HostInventory;
}

test('an A100-SXM4-80GB maps to the catalogue entry; eight of them with NV12 pairs plan over NVLink and dp follows the GPUs', () => {
  const a100 = host('gpu1', 'telegraf_a100-sxm4-80gb_535.54.03_v12.xml', 'gnosia93_p4d-24xlarge_8x-a100_NV12_topo-m.txt', 8);
  assert.equal(gpuChoiceOf(a100.gpus[0], catalogue)?.catalogueId, 'a100-80gb');
  const cluster = planningClusterOf([a100], catalogue);
  assert.equal(cluster.gpus, 8);
  assert.equal(cluster.gpu.intraNodeLink, 'nvlink');
  assert.ok(cluster.notes.some((n) => /NVLink between every GPU pair \(topo -m\)/.test(n)), cluster.notes.join('; '));
});

test('two GPUs on a PHB (PCIe host bridge) topology are planned over PCIe, not the catalogue\'s NVLink', () => {
  const twoA100 = host('gpu2', 'telegraf_a100-sxm4-80gb_535.54.03_v12.xml', 'mleng_2gpu_PHB_topo-m_tab-expanded.txt', 2);
  const cluster = planningClusterOf([twoA100], catalogue);
  assert.equal(cluster.gpu.intraNodeLink, 'pcie');
  assert.ok(cluster.notes.some((n) => /PCIe/.test(n)));
});

test('an RTX 4090 maps by name; a GPU of no known family is refused with a way out', () => {
  assert.equal(gpuChoiceOf(host('h', 'netdata_rtx-4090_535.86.05_v12.xml', null).gpus[0], catalogue)?.catalogueId, 'rtx-4090');
  assert.throws(() => planningClusterOf([host('h', 'telegraf_quadro-p2000_525.125.06_v12.xml', null)], catalogue), /not in the catalogue.*--gpu FILE/);
  assert.throws(() => planningClusterOf([{ id: 'cpu-only', gpus: [] } as unknown as HostInventory], catalogue), /no GPU was discovered/);
});
