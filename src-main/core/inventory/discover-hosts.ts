/** Discovery of every host asked for: this machine, and remote hosts through a discoverer the SSH layer provides. */
import type { HostInventory, Inventory } from '../../../src-shared/inventory.js';
import { discoverLocalHost, type DiscoverLocalOptions } from './discover-local.js';

/** A remote host to discover, as given on the command line (`[user@]host[:port]`) or by an ssh config alias. */
export interface RemoteHostSpec {
  target: string;
  sshConfigPath?: string;
}

/** Discovers one remote host (implemented in core/ssh); resolves a host with status `error` on an expected failure. */
export type RemoteDiscoverer = (spec: RemoteHostSpec, options: { signal?: AbortSignal }) => Promise<HostInventory>;

/** What to discover. */
export interface DiscoverHostsOptions extends DiscoverLocalOptions {
  local: boolean;
  remote?: RemoteHostSpec[];
  /** Required when `remote` is not empty. */
  discoverRemote?: RemoteDiscoverer;
}

/** Discovers the local host and/or remote hosts concurrently; remote needs a discoverer (a bug otherwise). */
export async function discoverHosts(options: DiscoverHostsOptions): Promise<Inventory> {
  const remote = options.remote ?? [];
  const discoverRemote = options.discoverRemote;
  if (remote.length > 0 && !discoverRemote) {
    // A caller's bug, not something the user can act on: fail loudly.
    throw new Error('discoverHosts: remote hosts given without a discoverRemote');
  }
  const jobs: Promise<HostInventory>[] = [];
  if (options.local) jobs.push(discoverLocalHost(options));
  for (const spec of remote) jobs.push(discoverRemote!(spec, { signal: options.signal }));
  return { hosts: await Promise.all(jobs) };
}
