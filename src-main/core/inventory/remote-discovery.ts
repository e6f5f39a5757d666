/** Discovery of remote hosts over SSH: one connection per host, hosts in parallel, each failure a per-host status. */
import { setMaxListeners } from 'node:events';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { GpuInfo, HostInventory, Topology } from '../../../src-shared/inventory.js';
import { connectSsh, type SshConnection } from '../ssh/connect.js';
import type { KnownHostsFiles } from '../ssh/known-hosts.js';
import type { ExecResult } from '../ssh/exec.js';
import { shellQuote } from '../ssh/shell-quote.js';
import type { RemoteTarget } from '../ssh/target.js';
import { buildDevices } from './devices.js';
import { parseCpuInfo, parseMemInfoTotalBytes, parseNodeVersion, parseOsRelease, parseUname } from './remote-host-parse.js';
import { parseNvidiaSmiTopo } from './smi-topo-parse.js';
import { parseNvidiaSmiXml } from './smi-xml-parse.js';
import { runtimeCommands, runtimeInfoOf, type RuntimeProbeOptions } from './runtime-probe.js';
import { currentWorkerRuntime } from '../launch/worker-runtime.js';
import { minNodeMajor, nodeMajorOf, shippableNodeOf } from '../ssh/runtime-deploy.js';

/** Options of remote discovery. */
export interface RemoteDiscoveryOptions {
  knownHostsFile: KnownHostsFiles;
  /** Limit for one whole host (connect + every command), default 20 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** The host's `node` / `python` settings, checked instead of PATH's. */
  runtime?: { node?: string; python?: string };
  /** The local Node.js that would be shipped to a host without one (default: this process's when plain Node). */
  shippableNodePath?: string | null;
}

const baseCommands = {
  uname: ['uname', '-srm'],
  hostname: ['uname', '-n'],
  osRelease: ['cat', '/etc/os-release'],
  nproc: ['nproc'],
  cpuinfo: ['cat', '/proc/cpuinfo'],
  meminfo: ['cat', '/proc/meminfo'],
  smiXml: ['nvidia-smi', '-q', '-x'],
  smiTopo: ['nvidia-smi', 'topo', '-m'],
} as const;

type CommandName = keyof typeof baseCommands | keyof ReturnType<typeof runtimeCommands>;
type Outputs = Record<CommandName, ExecResult>;

/** Discovers every target in parallel; never rejects for one host's failure (that host gets status `error`). */
export function discoverRemoteHosts(targets: RemoteTarget[], options: RemoteDiscoveryOptions): Promise<HostInventory[]> {
  return Promise.all(targets.map((target) => discoverRemoteHost(target, options)));
}

/** Discovers one host; expected failures (auth, host key, timeout, unreachable, garbage output) become its status. */
export async function discoverRemoteHost(target: RemoteTarget, options: RemoteDiscoveryOptions): Promise<HostInventory> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const deadline = AbortSignal.timeout(timeoutMs);
  const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
  setMaxListeners(32, signal); // one abort listener per discovery command, run in parallel
  let connection: SshConnection | null = null;
  try {
    connection = await connectSsh(target, { knownHostsFile: options.knownHostsFile, timeoutMs, signal });
    const commands = { ...baseCommands, ...runtimeCommands(options.runtime ?? {}) };
    const outputs = await runAll(connection, commands, timeoutMs, signal);
    const shippablePath = options.shippableNodePath === undefined ? currentWorkerRuntime().shippableNodePath : options.shippableNodePath;
    // Only a host without a usable Node.js needs to know whether ours fits it (reading the binary is not free).
    const needsShipping = nodeMajorOf(outputs.node.exitCode === 0 ? outputs.node.stdout : '') === null || nodeMajorOf(outputs.node.stdout)! < minNodeMajor;
    const shippablePlatform = shippablePath && needsShipping ? (await shippableNodeOf(shippablePath)).platform : null;
    return buildHost(target, outputs, { ...options.runtime, shippablePlatform });
  } catch (error) {
    if (!(error instanceof ShardScopeError)) throw error;
    if (error.kind === 'cancelled' && deadline.aborted && !options.signal?.aborted) {
      return failedHost(target, new ShardScopeError('ssh-timeout', `host ${target.id}: discovery did not finish within ${timeoutMs} ms`));
    }
    return failedHost(target, error);
  } finally {
    connection?.close();
  }
}

async function runAll(connection: SshConnection, commands: Record<CommandName, readonly string[]>, timeoutMs: number, signal: AbortSignal): Promise<Outputs> {
  const names = Object.keys(commands) as CommandName[];
  const results = await Promise.all(names.map((name) => connection.exec(shellQuote(commands[name]), { timeoutMs, signal })));
  return Object.fromEntries(names.map((name, i) => [name, results[i]])) as Outputs;
}

function buildHost(target: RemoteTarget, out: Outputs, runtime: RuntimeProbeOptions): HostInventory {
  const logicalCores = Number.parseInt(out.nproc.stdout.trim(), 10) || 0;
  const cpu = parseCpuInfo(out.cpuinfo.stdout, logicalCores);
  const memoryBytes = parseMemInfoTotalBytes(out.meminfo.stdout);
  const uname = parseUname(out.uname.stdout);
  const gpu = readGpus(target, out);
  const host: HostInventory = {
    id: target.id,
    hostname: out.hostname.stdout.trim() || target.host,
    isLocal: false,
    status: gpu.error ? 'error' : 'ok',
    os: { platform: uname.platform, distro: out.osRelease.exitCode === 0 ? parseOsRelease(out.osRelease.stdout) : 'unknown', release: uname.release, arch: uname.arch },
    cpu: { model: cpu.model, physicalCores: cpu.physicalCores, logicalCores },
    memoryBytes,
    nics: [],
    gpus: gpu.gpus,
    topology: gpu.topology,
    devices: buildDevices(gpu.gpus, gpu.topology, { model: cpu.model, memoryBytes }),
    nodeVersion: out.node.exitCode === 0 ? parseNodeVersion(out.node.stdout) : null,
    runtime: runtimeInfoOf(out, runtime, gpu.gpus[0]?.cudaVersion ?? null),
    discoveredAtMs: Date.now(),
  };
  if (gpu.error) host.error = gpu.error;
  if (gpu.gpuNote) host.gpuNote = gpu.gpuNote;
  if (gpu.topologyNote) host.topologyNote = gpu.topologyNote;
  return host;
}

interface GpuFindings { gpus: GpuInfo[]; topology: Topology | null; gpuNote?: string; topologyNote?: string; error?: { kind: string; message: string } }

function readGpus(target: RemoteTarget, out: Outputs): GpuFindings {
  const xml = out.smiXml;
  if (xml.exitCode === 127) return { gpus: [], topology: null, gpuNote: `nvidia-smi not found on PATH of host ${target.id}` };
  if (xml.exitCode !== 0) {
    // nvidia-smi is there but the driver does not answer: a host without usable GPUs, like local discovery.
    const said = firstLine(xml.stderr) || firstLine(xml.stdout) || 'no output';
    return { gpus: [], topology: null, gpuNote: `nvidia-smi -q -x failed on host ${target.id} (exit ${xml.exitCode ?? xml.signal}): ${said}` };
  }
  let gpus: GpuInfo[];
  try {
    gpus = parseNvidiaSmiXml(xml.stdout).gpus;
  } catch (error) {
    if (!(error instanceof ShardScopeError)) throw error;
    const message = `host ${target.id}: ${error.message}`;
    return { gpus: [], topology: null, gpuNote: message, error: { kind: error.kind, message } };
  }
  if (gpus.length === 0) return { gpus, topology: null, gpuNote: `nvidia-smi lists no GPU on host ${target.id}` };
  if (out.smiTopo.exitCode !== 0) {
    return { gpus, topology: null, topologyNote: `nvidia-smi topo -m failed on host ${target.id} (exit ${out.smiTopo.exitCode}): ${firstLine(out.smiTopo.stderr) || firstLine(out.smiTopo.stdout)}` };
  }
  try {
    return { gpus, topology: parseNvidiaSmiTopo(out.smiTopo.stdout) };
  } catch (error) {
    if (!(error instanceof ShardScopeError)) throw error;
    return { gpus, topology: null, topologyNote: `host ${target.id}: ${error.message}` };
  }
}

function firstLine(text: string): string {
  return text.trim().split(/\r?\n/, 1)[0] ?? '';
}

/** The inventory entry of a host that could not be discovered. */
export function failedHost(target: RemoteTarget, error: ShardScopeError): HostInventory {
  return {
    id: target.id,
    hostname: target.host,
    isLocal: false,
    status: 'error',
    error: { kind: error.kind, message: error.message },
    os: { platform: 'unknown', distro: 'unknown', release: 'unknown', arch: 'unknown' },
    cpu: { model: 'unknown', physicalCores: 0, logicalCores: 0 },
    memoryBytes: 0,
    nics: [],
    gpus: [],
    topology: null,
    devices: [],
    discoveredAtMs: Date.now(),
  };
}
