/**
 * What the placement preview needs to know about the hosts of a run, found out for real: which
 * training backend starts on this machine (the worker's own `backend` check, the same chain a
 * rank runs), the GPUs each host's inventory lists, and what each host's PyTorch reported.
 */
import type { HostInventory } from '../../../src-shared/inventory.js';
import type { PlacementHostFacts } from '../../../src-shared/placement.js';
import { localSpawner } from './spawner.js';
import type { TorchProbe } from './torch-check.js';

/** The built-in engine's backend on this machine, as the worker's `backend` command reports it. */
export type LocalTfjsBackend = NonNullable<PlacementHostFacts['tfjs']>;

/** Runs `worker.cjs backend [--backend NAME]` here; a check that cannot run reports wasm with the reason. */
export async function probeLocalTfjsBackend(workerPath: string, preferred?: string, timeoutMs = 60_000): Promise<LocalTfjsBackend> {
  const child = localSpawner({ rank: -1, command: process.execPath, args: [workerPath, 'backend', ...(preferred ? ['--backend', preferred] : [])], env: {} });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await child.exited;
  clearTimeout(timer);
  try {
    const report = JSON.parse(out.trim().split('\n').pop() ?? '') as { name: LocalTfjsBackend['backend']; fallbacks: { name: string; reason: string }[] };
    return { backend: report.name, gpuReason: report.name === 'tensorflow-gpu' ? null : (report.fallbacks.find((f) => f.name === 'tensorflow-gpu')?.reason ?? `--backend ${preferred ?? '?'} asked for`) };
  } catch {
    return { backend: 'wasm', gpuReason: `the backend check failed (${err.trim().split('\n').pop() ?? `exit ${exit.code}`})` };
  }
}

/** Facts per host id: GPUs from the inventory, the local backend for this machine, torch probes where known. */
export function placementFactsOf(inventory: readonly HostInventory[], options: { localTfjs?: LocalTfjsBackend; torch?: Record<string, TorchProbe | null> } = {}): Record<string, PlacementHostFacts> {
  const facts: Record<string, PlacementHostFacts> = {};
  for (const host of inventory) {
    const torch = options.torch && host.id in options.torch ? options.torch[host.id] : undefined;
    facts[host.id] = {
      host: host.id, isLocal: host.isLocal, gpuCount: host.gpus.length,
      ...(host.isLocal && options.localTfjs ? { tfjs: options.localTfjs } : {}),
      ...(torch === undefined ? {} : { torch: torch && { hasCuda: torch.hasCuda, cudaDeviceCount: torch.cudaDeviceCount, torchVersion: torch.torchVersion } }),
    };
  }
  return facts;
}
