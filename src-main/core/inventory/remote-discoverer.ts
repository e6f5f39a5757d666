/** The SSH-backed RemoteDiscoverer the `discover` command plugs into discoverHosts (defaults like OpenSSH's). */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { defaultKnownHostsFiles } from '../ssh/known-hosts.js';
import { loadSshConfigEntries, type SshConfigHosts } from '../ssh/ssh-config-import.js';
import { parseHostSpec, type RemoteTarget } from '../ssh/target.js';
import type { RemoteDiscoverer, RemoteHostSpec } from './discover-hosts.js';
import { discoverRemoteHost, failedHost } from './remote-discovery.js';

/** Settings shared by every remote host of one discovery. */
export interface SshDiscovererOptions {
  /** Identity files given by the user (--identity); else the ssh config's, else ~/.ssh/id_{ed25519,ecdsa,rsa}. */
  identityFiles?: string[];
  /** Default: ShardScope's known_hosts, then ~/.ssh/known_hosts (known-hosts.ts defaultKnownHostsFiles). */
  knownHostsFile?: string;
  /** Per-host limit, default 20 000 ms. */
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

/** Resolves `--host` specs (or ssh config aliases) to targets and discovers each over SSH. */
export function createSshRemoteDiscoverer(options: SshDiscovererOptions = {}): RemoteDiscoverer {
  const configCache = new Map<string, SshConfigHosts>();
  return async (spec, { signal }) => {
    let target: RemoteTarget;
    try {
      target = resolveTarget(spec, configCache, options);
    } catch (error) {
      if (!(error instanceof ShardScopeError)) throw error;
      return failedHost({ id: spec.target, host: spec.target, port: 22, user: '' }, error);
    }
    return discoverRemoteHost(target, {
      knownHostsFile: options.knownHostsFile ?? defaultKnownHostsFiles(options.env ?? process.env),
      timeoutMs: options.timeoutMs,
      signal,
    });
  };
}

/** A `--host` spec (or ssh config alias) as a target with the identities and agent discovery would use. */
export function targetOfSpec(spec: RemoteHostSpec, options: SshDiscovererOptions = {}): RemoteTarget {
  return resolveTarget(spec, new Map(), options);
}

function resolveTarget(spec: RemoteHostSpec, configCache: Map<string, SshConfigHosts>, options: SshDiscovererOptions): RemoteTarget {
  let fromConfig: RemoteTarget | undefined;
  if (spec.sshConfigPath) {
    if (!configCache.has(spec.sshConfigPath)) configCache.set(spec.sshConfigPath, loadSshConfigEntries(spec.sshConfigPath));
    const entries = configCache.get(spec.sshConfigPath)!;
    // A Host the config gets wrong (e.g. a bad Port) fails alone, with the config's reason.
    const skipped = entries.skipped.find((s) => s.alias === spec.target);
    if (skipped) throw new ShardScopeError('bad-input', skipped.reason);
    fromConfig = entries.hosts.find((t) => t.id === spec.target);
  }
  const target = fromConfig ? { ...fromConfig } : parseHostSpec(spec.target);
  const env = options.env ?? process.env;
  if (options.identityFiles?.length) target.identityFiles = options.identityFiles;
  else if (!target.identityFiles?.length) target.identityFiles = defaultIdentityFiles();
  target.agentSocket ??= env.SSH_AUTH_SOCK ?? '';
  return target;
}

function defaultIdentityFiles(): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(homedir(), '.ssh', name)).filter((file) => existsSync(file));
}
