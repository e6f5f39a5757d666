/** Discovers this machine: CPU, memory, OS and NICs (systeminformation), GPUs and topology (nvidia-smi). */
import { hostname as osHostname } from 'node:os';
import * as si from 'systeminformation';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { LOCAL_HOST_ID, type GpuInfo, type HostInventory, type NicInfo, type Topology } from '../../../src-shared/inventory.js';
import { buildDevices } from './devices.js';
import { locateNvidiaSmi } from './nvidia-smi-locate.js';
import { runNvidiaSmi } from './nvidia-smi-run.js';
import { parseNvidiaSmiXml } from './smi-xml-parse.js';
import { parseNvidiaSmiTopo } from './smi-topo-parse.js';


/** Options of local discovery. */
export interface DiscoverLocalOptions {
  /** nvidia-smi to use; else SHARDSCOPE_NVIDIA_SMI, else PATH. */
  nvidiaSmiPath?: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Limit per nvidia-smi command (default 15 s). */
  smiTimeoutMs?: number;
}

interface GpuFindings {
  gpus: GpuInfo[];
  topology: Topology | null;
  gpuNote?: string;
  topologyNote?: string;
  error?: { kind: string; message: string };
}

async function readGpus(options: DiscoverLocalOptions): Promise<GpuFindings> {
  const location = locateNvidiaSmi({ explicitPath: options.nvidiaSmiPath, env: options.env });
  if (!location) {
    return { gpus: [], topology: null, gpuNote: 'nvidia-smi not found on PATH (use --nvidia-smi PATH or SHARDSCOPE_NVIDIA_SMI)' };
  }
  const runOptions = { timeoutMs: options.smiTimeoutMs, signal: options.signal, env: options.env };
  let xml: string;
  try {
    xml = await runNvidiaSmi(location.path, ['-q', '-x'], runOptions);
  } catch (error) {
    if (error instanceof ShardScopeError && (error.kind === 'unavailable' || error.kind === 'smi-missing')) {
      // nvidia-smi is there but the driver does not answer: a host without usable GPUs, not a failure.
      return { gpus: [], topology: null, gpuNote: error.message };
    }
    throw error;
  }
  const report = parseNvidiaSmiXml(xml);
  if (report.gpus.length === 0) return { gpus: [], topology: null, gpuNote: 'nvidia-smi lists no GPU' };
  try {
    const topology = parseNvidiaSmiTopo(await runNvidiaSmi(location.path, ['topo', '-m'], runOptions));
    return { gpus: report.gpus, topology };
  } catch (error) {
    if (error instanceof ShardScopeError && error.kind !== 'cancelled') {
      return { gpus: report.gpus, topology: null, topologyNote: error.message };
    }
    throw error;
  }
}

/** GPUs of this host; an unreadable answer (garbage XML, timeout) becomes the host's error, not a crash. */
async function readGpusSafely(options: DiscoverLocalOptions): Promise<GpuFindings> {
  try {
    return await readGpus(options);
  } catch (error) {
    if (error instanceof ShardScopeError && (error.kind === 'smi-parse' || error.kind === 'timeout')) {
      return { gpus: [], topology: null, gpuNote: error.message, error: { kind: error.kind, message: error.message } };
    }
    throw error;
  }
}

function toNics(interfaces: si.Systeminformation.NetworkInterfacesData[]): NicInfo[] {
  return interfaces
    .filter((nic) => !nic.internal)
    .map((nic) => ({
      name: nic.iface,
      ip4: nic.ip4 || null,
      speedMbps: typeof nic.speed === 'number' && nic.speed > 0 ? nic.speed : null,
      isVirtual: Boolean(nic.virtual),
    }));
}

/** Discovers this machine; with no GPU its CPU is the one device (kind `cpu`) and `gpuNote` says why. */
export async function discoverLocalHost(options: DiscoverLocalOptions = {}): Promise<HostInventory> {
  const [cpu, mem, os, interfaces, gpuFindings] = await Promise.all([
    si.cpu(), si.mem(), si.osInfo(), si.networkInterfaces(), readGpusSafely(options),
  ]);
  options.signal?.throwIfAborted();
  const model = [cpu.manufacturer, cpu.brand].filter(Boolean).join(' ').trim() || 'unknown CPU';
  const nicList = Array.isArray(interfaces) ? interfaces : [interfaces];
  const host: HostInventory = {
    id: LOCAL_HOST_ID,
    hostname: os.hostname || osHostname(),
    isLocal: true,
    status: gpuFindings.error ? 'error' : 'ok',
    os: { platform: os.platform, distro: os.distro, release: os.release, arch: os.arch },
    cpu: { model, physicalCores: cpu.physicalCores, logicalCores: cpu.cores },
    memoryBytes: mem.total,
    nics: toNics(nicList),
    gpus: gpuFindings.gpus,
    topology: gpuFindings.topology,
    devices: buildDevices(gpuFindings.gpus, gpuFindings.topology, { model, memoryBytes: mem.total }),
    discoveredAtMs: Date.now(),
  };
  if (gpuFindings.error) host.error = gpuFindings.error;
  if (gpuFindings.gpuNote) host.gpuNote = gpuFindings.gpuNote;
  if (gpuFindings.topologyNote) host.topologyNote = gpuFindings.topologyNote;
  return host;
}
