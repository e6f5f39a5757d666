/**
 * Pure parser for `nvidia-smi topo -m`. Accepts TAB-separated output, pastes where TABs became
 * spaces, ANSI underline codes in the header, NIC rows, CPU/NUMA affinity columns and legends.
 * An nvidia-smi error message instead of a matrix (old Windows drivers answer
 * "ERROR: Option -m is missing its value") is a `smi-parse` error: the caller reports the host's
 * topology as unknown (null) rather than guessing.
 */
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { Topology, TopologyLink } from '../../../src-shared/inventory.js';

const ansiPattern = /\x1b\[[0-9;]*m/g;
const devicePattern = /^(GPU\d+|NIC\d+|mlx\d+_\d+|[A-Za-z][\w.-]*\d)$/;
const connectionPattern = /^(X|NV\d+|PIX|PXB|PHB|NODE|SYS|SOC)$/;

function fail(message: string): never {
  throw new ShardScopeError('smi-parse', `nvidia-smi topo -m: ${message}`);
}

/** Splits a row into cells: by TAB when the line has TABs, else by runs of whitespace. */
function splitCells(line: string): string[] {
  if (line.includes('\t')) return line.split('\t').map((cell) => cell.trim());
  return line.trim().split(/\s+/);
}

/** Device names of the header: the leading cells before "CPU Affinity" and friends. */
function headerDevices(line: string): string[] {
  const devices: string[] = [];
  for (const cell of splitCells(line).filter((c) => c !== '')) {
    if (!devicePattern.test(cell) || cell === 'CPU') break;
    devices.push(cell);
  }
  return devices;
}

function nvlinkCount(connection: string): number {
  const match = /^NV(\d+)$/.exec(connection);
  return match ? Number(match[1]) : 0;
}

/** Reads the affinity cells after the matrix: [CPU affinity, NUMA affinity, (empty), GPU NUMA ID]. */
function readAffinity(rest: string[]): { cpuAffinity?: string; numaAffinity?: string } {
  const affinity: { cpuAffinity?: string; numaAffinity?: string } = {};
  const [cpu, numa] = rest;
  if (cpu && cpu !== 'N/A') affinity.cpuAffinity = cpu;
  if (numa && numa !== 'N/A') affinity.numaAffinity = numa;
  return affinity;
}

/** Parses `nvidia-smi topo -m` output into the link matrix; throws `smi-parse` when there is no matrix. */
export function parseNvidiaSmiTopo(text: string): Topology {
  const lines = text.replace(ansiPattern, '').split(/\r?\n/);
  const errorLine = lines.find((line) => /^\s*(ERROR|Failed|NVIDIA-SMI has failed)/i.test(line));
  const headerIndex = lines.findIndex((line) => /^\s+GPU0\b/.test(line) || /^\tGPU0\b/.test(line));
  if (headerIndex < 0) {
    fail(errorLine ? `nvidia-smi reported: ${errorLine.trim()}` : text.trim() === '' ? 'empty output' : 'no GPU matrix header found');
  }
  const devices = headerDevices(lines[headerIndex]);
  const known = new Set(devices);
  const links: TopologyLink[] = [];
  const affinity: Topology['affinity'] = {};
  const seenRows = new Set<string>();
  for (const line of lines.slice(headerIndex + 1)) {
    if (line.trim() === '') break;
    const cells = splitCells(line);
    const from = cells[0];
    if (!known.has(from)) break;
    const matrix = cells.slice(1, 1 + devices.length);
    if (matrix.length < devices.length || !matrix.every((cell) => connectionPattern.test(cell))) {
      fail(`row ${from} is incomplete or has an unknown connection code`);
    }
    matrix.forEach((connection, column) => {
      if (connection === 'X') return;
      links.push({ from, to: devices[column], connection, nvlinks: nvlinkCount(connection) });
    });
    const rest = cells.slice(1 + devices.length);
    if (from.startsWith('GPU')) {
      const gpuAffinity = readAffinity(rest);
      if (Object.keys(gpuAffinity).length > 0) affinity[from] = gpuAffinity;
    }
    seenRows.add(from);
  }
  const missing = devices.filter((d) => !seenRows.has(d));
  if (missing.length > 0) fail(`output is truncated (no row for ${missing.join(', ')})`);
  return { devices, links, affinity, nicNames: readNicLegend(lines) };
}

/** Reads the "NIC Legend" block ("NIC0: mlx5_2") when present. */
function readNicLegend(lines: string[]): Record<string, string> {
  const names: Record<string, string> = {};
  for (const line of lines) {
    const match = /^\s*(NIC\d+):\s*(\S+)\s*$/.exec(line);
    if (match) names[match[1]] = match[2];
  }
  return names;
}
