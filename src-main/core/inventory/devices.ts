/** Pure: the devices a rank can be placed on, with short link descriptions for display. */
import type { DeviceInfo, GpuInfo, Topology } from '../../../src-shared/inventory.js';

/** Short link labels of one GPU: its PCIe link, and its NVLink bond sizes from the topology. */
export function gpuLinkLabels(gpu: GpuInfo, topology: Topology | null): string[] {
  const labels: string[] = [];
  if (gpu.pcieGeneration !== null && gpu.pcieWidth !== null) labels.push(`PCIe ${gpu.pcieGeneration} x${gpu.pcieWidth}`);
  const name = `GPU${gpu.index}`;
  const bonds = new Set<number>();
  for (const link of topology?.links ?? []) {
    if (link.from === name && link.to.startsWith('GPU') && link.nvlinks > 0) bonds.add(link.nvlinks);
  }
  for (const count of [...bonds].sort((a, b) => b - a)) labels.push(`NVLink x${count}`);
  return labels;
}

/** Devices of one host: each GPU, or the CPU when the host has no GPU. */
export function buildDevices(gpus: GpuInfo[], topology: Topology | null, cpu: { model: string; memoryBytes: number }): DeviceInfo[] {
  if (gpus.length === 0) {
    return [{ id: 'cpu', kind: 'cpu', name: cpu.model, memoryTotalBytes: cpu.memoryBytes, powerLimitWatts: null, links: [] }];
  }
  return gpus.map((gpu) => ({
    id: `gpu${gpu.index}`,
    kind: 'gpu',
    name: gpu.name,
    memoryTotalBytes: gpu.memoryTotalBytes,
    powerLimitWatts: gpu.powerLimitWatts,
    links: gpuLinkLabels(gpu, topology),
  }));
}
