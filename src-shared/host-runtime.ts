/** A remote host's runtimes in words, the same in the CLI (`discover`) and the Hosts view. */
import type { HostRuntimeInfo } from './inventory.js';

/** One line for people: `Node.js v20.11.1; Python 3.11.2, torch 2.3.0 (CUDA 12.1); CUDA 12.2 (driver); Linux x86_64, glibc 2.36`. */
export function describeRuntime(runtime: HostRuntimeInfo): string {
  const { node, python } = runtime;
  const nodeText = node.isUsable ? `Node.js ${node.version}`
    : node.shipped === 'will-ship' ? `Node.js ${node.version ? `${node.version} (too old)` : 'none'} — will be shipped`
      : `Node.js ${node.version ?? 'none'} — cannot ship (${node.note ?? 'unknown'}); set the host's node path`;
  const torch = python?.torchVersion ? `torch ${python.torchVersion} (${python.torchCudaVersion ? `CUDA ${python.torchCudaVersion} build` : 'CPU build'})` : 'no torch';
  const pythonText = python ? `Python ${python.version}, ${torch}` : 'no Python (the torch engine needs python3 with torch)';
  return `${nodeText}; ${pythonText}; CUDA ${runtime.cudaVersion ?? 'none'} (driver); ${runtime.platform}`;
}
