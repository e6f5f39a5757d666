/**
 * The app's hosts: saved hosts (hosts.json), their latest discovery status, unknown host keys waiting
 * for the user's yes, and the run hosts a launch places ranks on. Trust goes into the app's own
 * known_hosts file (by default $SHARDSCOPE_HOME/known_hosts), so the user's ~/.ssh/known_hosts is
 * never edited behind their back. Secrets only live in the injected SecretStore, if any.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import type { acceptHostKeyArgsSchema, addHostArgsSchema, AcceptHostKeyResult, discoverHostsArgsSchema, HostsState, HostStatusView, importSshConfigArgsSchema, ImportSshConfigResult, setHostRuntimeArgsSchema } from '../../../src-shared/api/hosts-contract.js';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { discoverRemoteHost } from '../inventory/remote-discovery.js';
import type { RemoteTarget } from '../ssh/target.js';
import { acceptPresentedKey, presentedHostKey } from './host-key-check.js';
import { addHosts, duplicateOf, importSshConfigHosts, loadHostSettings, removeHost, savedHostOf, setHostRuntime, targetOfSaved, type SavedHost } from './host-settings.js';
import type { HostSecrets, SecretStore } from './secret-store.js';

/** Where the service keeps things and how it reaches hosts. */
export interface HostsServiceOptions {
  settingsFile: string;
  /** Where accepted keys go and the only file read (tests); default: known_hosts next to settingsFile, then ~/.ssh/known_hosts read too. */
  knownHostsFile?: string;
  /** None: secrets are used for one call and dropped (web mode). */
  secrets?: SecretStore;
  /** Per-host discovery limit (connect + commands), default 20 000 ms. */
  discoveryTimeoutMs?: number;
  /** SSH agent socket for hosts (default SSH_AUTH_SOCK; '' for none). */
  agentSocket?: string;
  /** The local Node.js shipped to hosts without one (discovery says whether it fits them); default: this process's when plain Node. */
  shippableNodePath?: string | null;
  /** Environment for HOME (the user's ~/.ssh/known_hosts); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Called with the new state after every change (pushed to the UIs as the `hosts` event). */
  onChange?: (state: HostsState) => void;
}

type AddHostArgs = z.output<typeof addHostArgsSchema>;
type DiscoverArgs = z.output<typeof discoverHostsArgsSchema>;

/** Saved hosts, discovery and host-key acceptance for the app. */
export class HostsService {
  /** Where keys the user accepts are written. */
  readonly knownHostsFile: string;
  /** Every known_hosts file checked, in order (the same as the CLI's: known-hosts.ts defaultKnownHostsFiles). */
  readonly knownHostsFiles: string[];
  readonly settingsFile: string;
  private readonly statuses = new Map<string, HostStatusView>();
  private readonly discovering = new Set<string>();
  private readonly closing = new AbortController();

  constructor(private readonly options: HostsServiceOptions) {
    this.settingsFile = options.settingsFile;
    this.knownHostsFile = options.knownHostsFile ?? join(dirname(options.settingsFile), 'known_hosts');
    this.knownHostsFiles = options.knownHostsFile ? [options.knownHostsFile] : [this.knownHostsFile, join((options.env ?? process.env).HOME || homedir(), '.ssh', 'known_hosts')];
  }

  /** What the Hosts view shows (no secrets). */
  state(): HostsState {
    const settings = loadHostSettings(this.options.settingsFile);
    return {
      hosts: settings.hosts.map((h) => ({
        id: h.id, host: h.host, port: h.port, user: h.user, identityFiles: h.identityFiles ?? [], source: h.source, addedAtMs: h.addedAtMs,
        proxyJump: h.proxyJump ? `${h.proxyJump.user}@${h.proxyJump.host}:${h.proxyJump.port}` : null,
        hasStoredSecret: this.options.secrets?.get(h.id) !== undefined,
        node: h.node ?? null, python: h.python ?? null,
      })),
      statuses: settings.hosts.map((h) => this.statuses.get(h.id)).filter((s): s is HostStatusView => s !== undefined),
      links: settings.links,
      discovering: [...this.discovering],
      knownHostsFile: this.knownHostsFile,
      secretStore: this.options.secrets?.kind ?? 'none',
    };
  }

  /** Adds one host typed by the user; its identity file must exist, and a host already listed is refused (never replaced). */
  add(args: AddHostArgs): HostsState {
    const identityFile = args.identityFile ? expandHome(args.identityFile) : undefined;
    if (identityFile && !existsSync(identityFile)) throw new ShardScopeError('bad-input', `identity file ${identityFile} does not exist`);
    const id = args.id ?? (args.port === 22 ? args.host : `${args.host}:${args.port}`);
    const existing = duplicateOf(loadHostSettings(this.options.settingsFile).hosts, { id, host: args.host, port: args.port });
    if (existing) {
      const as = existing.id === id ? '' : ` as "${existing.id}"`;
      throw new ShardScopeError('bad-input', `${args.user}@${args.host}:${args.port} is already listed${as} (user ${existing.user}, port ${existing.port}); remove it first to change it`);
    }
    const target: RemoteTarget = { id, host: args.host, port: args.port, user: args.user, ...(identityFile ? { identityFiles: [identityFile] } : {}) };
    addHosts(this.options.settingsFile, [savedHostOf(target, 'manual')]);
    this.statuses.delete(id);
    return this.changed();
  }

  /** Imports every concrete Host of an ssh config file (default ~/.ssh/config); hosts already listed are skipped and named, Hosts the file gets wrong are skipped with their reason. */
  importSshConfig(args: z.output<typeof importSshConfigArgsSchema>): ImportSshConfigResult {
    const file = expandHome(args.path ?? join(homedir(), '.ssh', 'config'));
    if (!existsSync(file)) throw new ShardScopeError('bad-input', `no ssh config at ${file}`);
    const { imported, skipped, invalid } = importSshConfigHosts(this.options.settingsFile, file);
    return { ...this.changed(), imported, skipped, invalid };
  }

  /** Sets a saved host's `node` / `python` paths (null clears); its status is dropped until discovered again. */
  setRuntime(args: z.output<typeof setHostRuntimeArgsSchema>): HostsState {
    setHostRuntime(this.options.settingsFile, this.savedHost(args.hostId).id, { node: args.node, python: args.python });
    this.statuses.delete(args.hostId);
    return this.changed();
  }

  /** Forgets a host: its settings, status and any kept secret. */
  remove(hostId: string): HostsState {
    this.savedHost(hostId);
    removeHost(this.options.settingsFile, hostId);
    this.statuses.delete(hostId);
    this.options.secrets?.delete(hostId);
    return this.changed();
  }

  /** Discovers saved hosts in parallel; each result (ok, or error with kind, or a key to accept) is pushed as it comes. */
  async discover(args: DiscoverArgs): Promise<HostsState> {
    const saved = loadHostSettings(this.options.settingsFile).hosts;
    const chosen = args.hostIds ? args.hostIds.map((id) => this.savedHost(id, saved)) : saved;
    if (args.remember && this.options.secrets) for (const [id, secrets] of Object.entries(args.credentials ?? {})) this.options.secrets.set(id, secrets);
    chosen.forEach((h) => this.discovering.add(h.id));
    this.changed();
    await Promise.all(chosen.map(async (h) => {
      try {
        this.statuses.set(h.id, await this.discoverOne(h, args.credentials?.[h.id]));
      } finally {
        this.discovering.delete(h.id);
        this.changed();
      }
    }));
    return this.state();
  }

  /** The user's yes to a host's key: written to the app's known_hosts only if the host presents that key now. */
  async acceptHostKey(args: z.output<typeof acceptHostKeyArgsSchema>): Promise<AcceptHostKeyResult> {
    const target = this.targetOf(this.savedHost(args.hostId));
    const { wasKnown } = await acceptPresentedKey(target, args.fingerprint, this.connectOptions());
    const status = this.statuses.get(args.hostId);
    if (status?.hostKey) this.statuses.set(args.hostId, { ...status, hostKey: undefined });
    this.changed();
    return { hostId: args.hostId, fingerprint: args.fingerprint, knownHostsFile: this.knownHostsFile, wasKnown };
  }

  /** The SSH target of a saved host, with default identity files, the agent and any kept (or given) secrets. */
  targetOf(host: SavedHost, given?: HostSecrets): RemoteTarget {
    const target = targetOfSaved(host);
    if (!target.identityFiles?.length) target.identityFiles = defaultIdentityFiles();
    target.agentSocket = this.options.agentSocket ?? process.env.SSH_AUTH_SOCK ?? '';
    const secrets = { ...this.options.secrets?.get(host.id), ...given };
    if (secrets.password !== undefined) target.password = secrets.password;
    if (secrets.passphrase !== undefined) target.passphrase = secrets.passphrase;
    return target;
  }

  /** A saved host by id; unknown ids are `not-found`. */
  savedHost(hostId: string, saved = loadHostSettings(this.options.settingsFile).hosts): SavedHost {
    const found = saved.find((h) => h.id === hostId);
    if (!found) throw new ShardScopeError('not-found', `no saved host "${hostId}" — add it in the Hosts view first`);
    return found;
  }

  /** Cancels discoveries in flight (app shutdown). */
  close(): void {
    this.closing.abort();
  }

  private async discoverOne(host: SavedHost, given?: HostSecrets): Promise<HostStatusView> {
    const target = this.targetOf(host, given);
    const inventory = await discoverRemoteHost(target, {
      knownHostsFile: this.knownHostsFiles, timeoutMs: this.timeoutMs(), signal: this.closing.signal,
      runtime: { node: host.node, python: host.python }, shippableNodePath: this.options.shippableNodePath,
    });
    const status: HostStatusView = { hostId: host.id, state: inventory.status, checkedAtMs: Date.now(), inventory };
    if (inventory.error?.kind !== 'host-key-unknown') return status;
    // The fingerprint shown to the user is the one the host presents, read again here so the prompt carries it.
    const presented = await presentedHostKey(target, this.connectOptions());
    if (presented.status === 'unknown') status.hostKey = { fingerprint: presented.fingerprint, keyType: presented.keyType, knownHostsFile: this.knownHostsFile };
    return status;
  }

  private connectOptions(): { knownHostsFile: string[]; timeoutMs: number; signal: AbortSignal } {
    return { knownHostsFile: this.knownHostsFiles, timeoutMs: this.timeoutMs(), signal: this.closing.signal };
  }

  private timeoutMs(): number {
    return this.options.discoveryTimeoutMs ?? 20_000;
  }

  private changed(): HostsState {
    const state = this.state();
    this.options.onChange?.(state);
    return state;
  }
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : resolve(path);
}

/** Like OpenSSH: ~/.ssh/id_ed25519, id_ecdsa, id_rsa, those that exist. */
function defaultIdentityFiles(): string[] {
  return ['id_ed25519', 'id_ecdsa', 'id_rsa'].map((name) => join(homedir(), '.ssh', name)).filter((file) => existsSync(file));
}
