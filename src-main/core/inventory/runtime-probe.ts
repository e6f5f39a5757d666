/**
 * What a remote host runs ranks with, read during discovery: Node.js (the host's `node` setting or
 * PATH; without a usable one, whether ShardScope's own will be shipped: runtime-deploy.ts),
 * Python and torch (the host's `python` setting or `python3`), the platform and the driver's CUDA.
 */
import type { HostRuntimeInfo } from '../../../src-shared/inventory.js';
import type { ExecResult } from '../ssh/exec.js';
import { minNodeMajor, nodeMajorOf } from '../ssh/runtime-deploy.js';
import { describeHostPlatform, parseHostPlatform, platformMismatch, type BinaryPlatform } from '../ssh/runtime-platform.js';

/** A host's runtime settings and the platform of the local Node.js that would be shipped (null: none). */
export interface RuntimeProbeOptions {
  node?: string;
  python?: string;
  shippablePlatform: BinaryPlatform | null;
}

// torch's version.py is read, not imported: importing torch takes seconds, longer than discovery may.
const pythonProbe = [
  'import importlib.util, json, os, re, sys',
  'out = {"python": sys.version.split()[0]}',
  'spec = importlib.util.find_spec("torch")',
  'for d in (spec.submodule_search_locations or []) if spec else []:',
  ' p = os.path.join(d, "version.py")',
  ' if os.path.exists(p):',
  '  t = open(p).read()',
  '  v = re.search(r"__version__\\s*=\\s*[\\x27\\x22]([^\\x27\\x22]+)", t)',
  '  c = re.search(r"^cuda\\s*=\\s*[\\x27\\x22]([^\\x27\\x22]+)", t, re.M)',
  '  out.update(torch=v.group(1) if v else "unknown", torchCuda=c.group(1) if c else None)',
  '  break',
  'print(json.dumps(out))',
].join('\n');

/** The commands discovery runs for the runtime (argv, shell-quoted by the caller). */
export function runtimeCommands(options: Pick<RuntimeProbeOptions, 'node' | 'python'>): { node: string[]; python: string[]; platform: string[] } {
  return {
    node: [options.node ?? 'node', '--version'],
    python: [options.python ?? 'python3', '-c', pythonProbe],
    platform: ['sh', '-c', 'uname -sm; ldd --version 2>&1 | head -n 2'],
  };
}

/** Reads the outputs of runtimeCommands; `cudaVersion` comes from nvidia-smi. */
export function runtimeInfoOf(out: { node: ExecResult; python: ExecResult; platform: ExecResult }, options: RuntimeProbeOptions, cudaVersion: string | null): HostRuntimeInfo {
  const platform = parseHostPlatform(out.platform.stdout);
  const nodeVersion = out.node.exitCode === 0 ? out.node.stdout.trim() : '';
  const major = nodeMajorOf(nodeVersion);
  const isUsable = major !== null && major >= minNodeMajor;
  const node: HostRuntimeInfo['node'] = { command: options.node ?? 'node', version: major === null ? null : nodeVersion, isUsable, shipped: 'not-needed' };
  if (!isUsable && options.node) {
    node.shipped = 'cannot-ship';
    node.note = `the host's node setting ${options.node} is ${major === null ? 'not runnable' : `too old (${nodeVersion})`}`;
  } else if (!isUsable) {
    const mismatch = options.shippablePlatform ? platformMismatch(options.shippablePlatform, platform) : 'this app has no Node.js runtime to ship';
    node.shipped = mismatch ? 'cannot-ship' : 'will-ship';
    if (mismatch) node.note = mismatch;
  }
  let python: HostRuntimeInfo['python'] = null;
  const line = out.python.exitCode === 0 ? out.python.stdout.trim().split('\n').pop() ?? '' : '';
  if (line.startsWith('{')) {
    const parsed = JSON.parse(line) as { python: string; torch?: string; torchCuda?: string | null };
    python = { command: options.python ?? 'python3', version: parsed.python, torchVersion: parsed.torch ?? null, torchCudaVersion: parsed.torchCuda ?? null };
  }
  return { node, python, platform: describeHostPlatform(platform), cudaVersion };
}
