/**
 * Pure parser for `nvidia-smi -q -x`. Accepts every schema seen in the wild (v7 with inline DTD
 * up to v13, Linux and Windows, MIG) and refuses anything else with a `smi-parse` error: a GPU
 * is either complete (validated by a zod schema) or the whole parse fails, never half-filled.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { z } from 'zod';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { GpuInfo, GpuProcess } from '../../../src-shared/inventory.js';
import { readBytes, readNumber, readText } from './smi-values-parse.js';

/** What one `nvidia-smi -q -x` document says about the host's GPUs. */
export interface SmiXmlReport {
  driverVersion: string;
  cudaVersion: string | null;
  gpus: GpuInfo[];
}

const gpuSchema = z.object({
  index: z.number().int().nonnegative(),
  name: z.string().min(1),
  uuid: z.string().min(1),
  pciBusId: z.string().min(1),
  memoryTotalBytes: z.number().int().positive(),
  memoryUsedBytes: z.number().int().nonnegative(),
  powerLimitWatts: z.number().positive().nullable(),
  powerDrawWatts: z.number().nonnegative().nullable(),
  pcieGeneration: z.number().int().positive().nullable(),
  pcieWidth: z.number().int().positive().nullable(),
  driverVersion: z.string().min(1),
  cudaVersion: z.string().min(1).nullable(),
  migMode: z.enum(['enabled', 'disabled', 'unsupported']),
  processes: z.array(z.object({ pid: z.number().int().positive(), name: z.string(), usedMemoryBytes: z.number().nonnegative().nullable() })),
});

type Node = Record<string, unknown>;

const xmlParser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  isArray: (name) => name === 'gpu' || name === 'process_info',
});

function fail(message: string, details?: Record<string, unknown>): never {
  throw new ShardScopeError('smi-parse', `nvidia-smi -q -x: ${message}`, details);
}

function child(node: unknown, ...path: string[]): unknown {
  let current: unknown = node;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Node)[key];
  }
  return current;
}

/** Cuts the XML document out of surrounding noise (a login banner before it, a shell prompt after it). */
function extractDocument(xmlText: string): string {
  const start = xmlText.search(/<\?xml|<nvidia_smi_log[\s>]/);
  const endTag = '</nvidia_smi_log>';
  const end = xmlText.lastIndexOf(endTag);
  if (start < 0) fail(xmlText.trim() === '' ? 'empty output' : `not an nvidia-smi XML report (starts with "${firstLine(xmlText)}")`);
  if (end < start) fail('output is truncated (no closing </nvidia_smi_log>)');
  return xmlText.slice(start, end + endTag.length);
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/, 1)[0].slice(0, 80);
}

function readMigMode(gpu: Node): GpuInfo['migMode'] {
  const current = readText(child(gpu, 'mig_mode', 'current_mig'));
  if (current === null) return 'unsupported';
  return /^enabled$/i.test(current) ? 'enabled' : 'disabled';
}

function readProcesses(gpu: Node): GpuProcess[] {
  const list = child(gpu, 'processes', 'process_info');
  if (!Array.isArray(list)) return [];
  return list.map((entry) => ({
    pid: readNumber(child(entry, 'pid')) ?? 0,
    name: readText(child(entry, 'process_name')) ?? '',
    usedMemoryBytes: readBytes(child(entry, 'used_memory')),
  }));
}

function readPower(gpu: Node): { limit: number | null; draw: number | null } {
  // v12+ moved power under <gpu_power_readings>; v13 split power_draw into instant/average.
  const readings = (child(gpu, 'gpu_power_readings') ?? child(gpu, 'power_readings')) as Node | undefined;
  const limit = readNumber(child(readings, 'current_power_limit'))
    ?? readNumber(child(readings, 'enforced_power_limit'))
    ?? readNumber(child(readings, 'power_limit'));
  const draw = readNumber(child(readings, 'power_draw'))
    ?? readNumber(child(readings, 'instant_power_draw'))
    ?? readNumber(child(readings, 'average_power_draw'));
  return { limit, draw };
}

function readGpu(gpu: Node, index: number, driverVersion: string, cudaVersion: string | null): GpuInfo {
  const power = readPower(gpu);
  const link = child(gpu, 'pci', 'pci_gpu_link_info');
  const candidate = {
    index,
    name: readText(child(gpu, 'product_name')) ?? '',
    uuid: readText(child(gpu, 'uuid')) ?? '',
    pciBusId: readText(child(gpu, 'pci', 'pci_bus_id')) ?? readText(child(gpu, '@_id')) ?? '',
    memoryTotalBytes: readBytes(child(gpu, 'fb_memory_usage', 'total')),
    memoryUsedBytes: readBytes(child(gpu, 'fb_memory_usage', 'used')),
    powerLimitWatts: power.limit,
    powerDrawWatts: power.draw,
    pcieGeneration: readNumber(child(link, 'pcie_gen', 'current_link_gen')),
    pcieWidth: readNumber(child(link, 'link_widths', 'current_link_width')),
    driverVersion,
    cudaVersion,
    migMode: readMigMode(gpu),
    processes: readProcesses(gpu),
  };
  const checked = gpuSchema.safeParse(candidate);
  if (!checked.success) {
    const issue = checked.error.issues[0];
    fail(`GPU ${index} (${candidate.name || 'unnamed'}): field ${issue.path.join('.')} is missing or invalid`, { index });
  }
  return checked.data;
}

/** Parses `nvidia-smi -q -x` output into the host's GPUs; any malformed or incomplete input throws `smi-parse`. */
export function parseNvidiaSmiXml(xmlText: string): SmiXmlReport {
  const documentText = extractDocument(xmlText);
  const validation = XMLValidator.validate(documentText);
  if (validation !== true) {
    fail(`malformed XML at line ${validation.err.line}: ${validation.err.msg}`);
  }
  let parsed: unknown;
  try {
    parsed = xmlParser.parse(documentText);
  } catch (error) {
    fail(`malformed XML: ${error instanceof Error ? error.message : String(error)}`);
  }
  const log = child(parsed, 'nvidia_smi_log');
  if (typeof log !== 'object' || log === null) fail('no <nvidia_smi_log> element');
  const driverVersion = readText(child(log, 'driver_version'));
  if (!driverVersion) fail('no <driver_version>');
  const cudaVersion = readText(child(log, 'cuda_version'));
  const gpuNodes = (child(log, 'gpu') ?? []) as Node[];
  // <attached_gpus> is not checked against the list: `nvidia-smi -q -x -i N` lists one GPU of many.
  const gpus = gpuNodes.map((gpu, index) => readGpu(gpu, index, driverVersion, cudaVersion));
  return { driverVersion, cudaVersion, gpus };
}
