/**
 * From the hosts a user ticked in the UI to a prepared remote run: saved host ids (and `local`)
 * become RunHosts with their SSH targets, then prepareRun connects (host keys checked against the
 * app's known_hosts), deploys the worker bundle and the training text, and places the ranks.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { LinkMeasurement } from '../probe/link-probe.js';
import { probeLinks } from '../probe/link-probe.js';
import { prepareRun, type PreparedRun } from '../launch/remote-launch.js';
import { LOCAL_HOST_ID } from '../../../src-shared/inventory.js';
import type { RunHost } from '../launch/remote-placement.js';
import { workerBundleOf } from '../ssh/deploy.js';
import type { WorkerRuntime } from '../launch/worker-runtime.js';
import { saveLinks } from './host-settings.js';
import type { HostsService } from './hosts-service.js';

/** One ticked host and how many ranks it takes (default 1). */
export interface RunHostChoice {
  id: string;
  slots?: number;
}

/** Saved host ids (or `local`) to RunHosts, one `cpu:N` device per slot; unknown ids are `not-found`. */
export function runHostsOf(service: HostsService, choices: readonly RunHostChoice[]): RunHost[] {
  const ids = choices.map((c) => c.id);
  const dup = ids.find((id, i) => ids.indexOf(id) !== i);
  if (dup) throw new ShardScopeError('bad-input', `host "${dup}" is chosen twice`);
  return choices.map((choice): RunHost => {
    const devices = Array.from({ length: choice.slots ?? 1 }, (_, i) => `cpu:${i}`);
    if (choice.id === LOCAL_HOST_ID) return { kind: 'local', id: LOCAL_HOST_ID, devices };
    const saved = service.savedHost(choice.id);
    return { kind: 'remote', id: choice.id, target: service.targetOf(saved), devices, ...(saved.node ? { node: saved.node } : {}), ...(saved.python ? { python: saved.python } : {}) };
  });
}

/** The shipped training text next to the worker bundle (dist/ -> resources/corpus/licenses.txt). */
export function corpusNextTo(workerPath: string): string {
  const candidates = [join(dirname(workerPath), '..', 'resources', 'corpus', 'licenses.txt'), join(dirname(workerPath), 'resources', 'corpus', 'licenses.txt')];
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new ShardScopeError('not-found', `training corpus not found (looked for ${candidates.join(', ')})`);
  return found;
}

/** Connects, deploys and places the ranks of a run on the chosen hosts; the caller closes the result. */
export function prepareRunOnHosts(service: HostsService, choices: readonly RunHostChoice[], worldSize: number, options: HostRunOptions & { dataPath?: string; engine?: 'tfjs' | 'torch' }): Promise<PreparedRun> {
  return prepareRun({
    hosts: runHostsOf(service, choices), worldSize, bundle: workerBundleOf(dirname(options.workerPath)), knownHostsFile: service.knownHostsFiles,
    dataPath: options.dataPath ?? corpusNextTo(options.workerPath), engine: options.engine, shippableNodePath: options.workerRuntime?.shippableNodePath, signal: options.signal,
  });
}

/** The local worker bundle, the Node.js that runs it here (and is shipped to hosts without one), and a cancel signal. */
export interface HostRunOptions { workerPath: string; workerRuntime?: WorkerRuntime; signal?: AbortSignal }

/** Measures every pair of the chosen hosts (one rank each) and keeps the links in hosts.json. */
export async function probeHostLinks(service: HostsService, hostIds: readonly string[], options: HostRunOptions & { seconds?: number }): Promise<LinkMeasurement[]> {
  const hosts = runHostsOf(service, hostIds.map((id) => ({ id })));
  const prepared = await prepareRun({ hosts, worldSize: hosts.length, bundle: workerBundleOf(dirname(options.workerPath)), knownHostsFile: service.knownHostsFiles, shippableNodePath: options.workerRuntime?.shippableNodePath, signal: options.signal });
  try {
    const links = await probeLinks(prepared, { workerPath: options.workerPath, workerRuntime: options.workerRuntime, seconds: options.seconds, signal: options.signal });
    saveLinks(service.settingsFile, links);
    return links;
  } finally {
    prepared.close();
  }
}
