/**
 * Host settings: the remote hosts the user added or imported from ~/.ssh/config, and the last
 * link-probe measurements, kept in `$SHARDSCOPE_HOME/hosts.json` (written atomically). No secrets:
 * the schema has no password or passphrase field, so one can never be written here.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { loadSshConfigEntries, type SshConfigHosts } from '../ssh/ssh-config-import.js';
import type { RemoteTarget } from '../ssh/target.js';
import type { LinkMeasurement } from '../probe/link-probe.js';
import { runtimePathSchema } from '../../../src-shared/api/hosts-contract.js';

const hostSchema = z.object({
  id: z.string().min(1).max(100),
  host: z.string().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  user: z.string().min(1).max(64),
  identityFiles: z.array(z.string()).optional(),
  proxyJump: z.object({ id: z.string(), host: z.string(), port: z.number().int(), user: z.string(), identityFiles: z.array(z.string()).optional() }).strict().optional(),
  source: z.enum(['manual', 'ssh-config']),
  addedAtMs: z.number(),
  /** Runtime settings: the host's Node.js 20+ (else PATH's, else a shipped one) and Python (torch engine). */
  node: runtimePathSchema.optional(),
  python: runtimePathSchema.optional(),
}).strict();
const linkSchema = z.object({ from: z.string(), to: z.string(), latencyMs: z.number(), bytesPerSecond: z.number(), measuredAtMs: z.number() }).strict();
const settingsSchema = z.object({ version: z.literal(1), hosts: z.array(hostSchema), links: z.array(linkSchema) }).strict();

/** A saved host (no secrets). */
export type SavedHost = z.infer<typeof hostSchema>;
/** The whole hosts.json. */
export type HostSettings = z.infer<typeof settingsSchema>;

/** `$SHARDSCOPE_HOME/hosts.json`, else `~/.shardscope/hosts.json`. */
export function defaultHostSettingsPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.SHARDSCOPE_HOME || join(env.HOME || homedir(), '.shardscope'), 'hosts.json');
}

/** Reads the settings (empty when the file does not exist); a corrupt file is `bad-input` naming it. */
export function loadHostSettings(file: string): HostSettings {
  if (!existsSync(file)) return { version: 1, hosts: [], links: [] };
  const parsed = settingsSchema.safeParse((() => { try { return JSON.parse(readFileSync(file, 'utf8')); } catch { return null; } })());
  if (!parsed.success) throw new ShardScopeError('bad-input', `${file} is not a valid hosts file; fix or delete it`);
  return parsed.data;
}

/** Writes the settings atomically (temporary file, then rename). */
export function saveHostSettings(file: string, settings: HostSettings): void {
  mkdirSync(dirname(file), { recursive: true });
  const clean = settingsSchema.parse(settings); // strips nothing: unknown fields (e.g. a password) are refused
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, `${JSON.stringify(clean, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}

/** A saved host from a RemoteTarget, leaving out passwords, passphrases and agent sockets. */
export function savedHostOf(target: RemoteTarget, source: SavedHost['source'], nowMs = Date.now()): SavedHost {
  const jump = target.proxyJump;
  return {
    id: target.id, host: target.host, port: target.port, user: target.user, source, addedAtMs: nowMs,
    ...(target.identityFiles?.length ? { identityFiles: [...target.identityFiles] } : {}),
    ...(jump ? { proxyJump: { id: jump.id, host: jump.host, port: jump.port, user: jump.user, ...(jump.identityFiles?.length ? { identityFiles: [...jump.identityFiles] } : {}) } } : {}),
  };
}

/** Adds (or replaces, by id) hosts and saves; returns the new settings. */
export function addHosts(file: string, hosts: SavedHost[]): HostSettings {
  const settings = loadHostSettings(file);
  const ids = new Set(hosts.map((h) => h.id));
  const next = { ...settings, hosts: [...settings.hosts.filter((h) => !ids.has(h.id)), ...hosts] };
  saveHostSettings(file, next);
  return next;
}

/** The saved host that `candidate` would duplicate: the same id, or the same address and port (under another name). */
export function duplicateOf(saved: readonly SavedHost[], candidate: Pick<SavedHost, 'id' | 'host' | 'port'>): SavedHost | undefined {
  return saved.find((h) => h.id === candidate.id) ?? saved.find((h) => h.host.toLowerCase() === candidate.host.toLowerCase() && h.port === candidate.port);
}

/** A host the import left out because it is already listed. */
export interface SkippedImport {
  id: string;
  /** The saved host it duplicates. */
  existingId: string;
}

/**
 * Imports every concrete Host of an ssh config file, skipping hosts already listed (same name, or
 * same address and port); Hosts the config gets wrong (e.g. a bad Port) are left out alone, in `invalid` with their reason.
 */
export function importSshConfigHosts(file: string, sshConfigFile: string): { settings: HostSettings; imported: string[]; skipped: SkippedImport[]; invalid: SshConfigHosts['skipped'] } {
  const saved = [...loadHostSettings(file).hosts];
  const fresh: SavedHost[] = [];
  const skipped: SkippedImport[] = [];
  const entries = loadSshConfigEntries(sshConfigFile);
  for (const target of entries.hosts) {
    const existing = duplicateOf([...saved, ...fresh], target);
    if (existing) skipped.push({ id: target.id, existingId: existing.id });
    else fresh.push(savedHostOf(target, 'ssh-config'));
  }
  const settings = fresh.length > 0 ? addHosts(file, fresh) : loadHostSettings(file);
  return { settings, imported: fresh.map((h) => h.id), skipped, invalid: entries.skipped };
}

/** Sets (a path) or clears (null) a host's `node` / `python` runtime settings; unknown host is `not-found`. */
export function setHostRuntime(file: string, id: string, runtime: { node?: string | null; python?: string | null }): HostSettings {
  const settings = loadHostSettings(file);
  const host = settings.hosts.find((h) => h.id === id);
  if (!host) throw new ShardScopeError('not-found', `no saved host "${id}" in ${file}`);
  const next: SavedHost = { ...host };
  for (const key of ['node', 'python'] as const) {
    const value = runtime[key];
    if (value === null || value === '') delete next[key];
    else if (value !== undefined) {
      const parsed = runtimePathSchema.safeParse(value);
      if (!parsed.success) throw new ShardScopeError('bad-input', `${key} path of ${id}: ${parsed.error.issues[0].message}`);
      next[key] = parsed.data;
    }
  }
  const saved = { ...settings, hosts: settings.hosts.map((h) => (h.id === id ? next : h)) };
  saveHostSettings(file, saved);
  return saved;
}

/** Removes a host (and its link measurements). */
export function removeHost(file: string, id: string): HostSettings {
  const settings = loadHostSettings(file);
  const next = { ...settings, hosts: settings.hosts.filter((h) => h.id !== id), links: settings.links.filter((l) => l.from !== id && l.to !== id) };
  saveHostSettings(file, next);
  return next;
}

/** Stores link measurements, replacing older ones for the same pairs. */
export function saveLinks(file: string, links: LinkMeasurement[]): HostSettings {
  const settings = loadHostSettings(file);
  const key = (l: { from: string; to: string }): string => [l.from, l.to].sort().join('\0');
  const fresh = new Set(links.map(key));
  const next = { ...settings, links: [...settings.links.filter((l) => !fresh.has(key(l))), ...links] };
  saveHostSettings(file, next);
  return next;
}

/** The RemoteTarget of a saved host (secrets, if any, are added by the caller at connect time). */
export function targetOfSaved(host: SavedHost): RemoteTarget {
  return { id: host.id, host: host.host, port: host.port, user: host.user, ...(host.identityFiles ? { identityFiles: host.identityFiles } : {}), ...(host.proxyJump ? { proxyJump: { ...host.proxyJump } } : {}) };
}
