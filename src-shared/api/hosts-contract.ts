/**
 * The Hosts part of the ShardScopeApi contract: saved SSH hosts, their discovery status, host-key
 * prompts and link measurements. Secrets (passwords, passphrases) only ever travel UI -> main in a
 * call's arguments; no result or event carries one back.
 */
import { z } from 'zod';
import type { HostInventory } from '../inventory.js';

export const hostIdSchema = z.string().min(1).max(100);
const secretSchema = z.string().min(1).max(1024);

/** addHost: one host typed by the user. */
export const addHostArgsSchema = z.object({
  host: z.string().min(1).max(255).regex(/^[A-Za-z0-9._:[\]-]+$/, 'a host name or address'),
  user: z.string().min(1).max(64).regex(/^[A-Za-z0-9._][A-Za-z0-9._-]*$/, 'a user name'),
  port: z.number().int().min(1).max(65535).default(22),
  identityFile: z.string().min(1).max(4096).optional(),
  /** Name shown in the UI (default `host`, or `host:port` off port 22). */
  id: hostIdSchema.optional(),
}).strict();

/** importSshConfig: the ssh config file to read (default ~/.ssh/config of the app's user). Hosts already listed are skipped. */
export const importSshConfigArgsSchema = z.object({ path: z.string().min(1).max(4096).optional() }).strict();

/** A password and/or key passphrase for one host, used for the call it comes with. */
export const hostCredentialsSchema = z.object({ password: secretSchema.optional(), passphrase: secretSchema.optional() }).strict();

/** discoverHosts: which saved hosts (default all), with optional per-host credentials. */
export const discoverHostsArgsSchema = z.object({
  hostIds: z.array(hostIdSchema).min(1).max(256).optional(),
  credentials: z.record(hostIdSchema, hostCredentialsSchema).optional(),
  /** Keep the credentials in the app's secret store, where it has one (Electron safeStorage); web mode never keeps them. */
  remember: z.boolean().optional(),
}).strict();

/** acceptHostKey: the user's yes to the key a host showed; accepted only if the host still presents it. */
export const acceptHostKeyArgsSchema = z.object({
  hostId: hostIdSchema,
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'an OpenSSH SHA256 fingerprint'),
}).strict();

/** A program path on a host (`node`, `python` settings): plain characters only (it is shell-quoted anyway; no `~`). */
export const runtimePathSchema = z.string().min(1).max(1024).regex(/^[A-Za-z0-9_./+-]+$/, 'a program path (letters, digits, _ . / + -; no ~)');

/** setHostRuntime: a saved host's `node` and `python` paths (null or absent: PATH, and a shipped Node.js when it has none). */
export const setHostRuntimeArgsSchema = z.object({
  hostId: hostIdSchema,
  node: runtimePathSchema.nullable().optional(),
  python: runtimePathSchema.nullable().optional(),
}).strict();

/** probeLinks: measure latency and bandwidth between every pair of these hosts (`local` = this machine). */
export const probeLinksArgsSchema = z.object({
  hostIds: z.array(hostIdSchema).min(2).max(16),
  seconds: z.number().min(0.1).max(10).optional(),
}).strict();

/** A saved host as the UI sees it. */
export interface SavedHostView {
  id: string;
  host: string;
  port: number;
  user: string;
  identityFiles: string[];
  /** `user@host:port` of the jump host, if any. */
  proxyJump: string | null;
  source: 'manual' | 'ssh-config';
  addedAtMs: number;
  /** True when the secret store holds a password or passphrase for it (never the secret itself). */
  hasStoredSecret: boolean;
  /** Runtime settings: Node.js and Python paths on the host (null: PATH; a Node.js is shipped when it has none). */
  node: string | null;
  python: string | null;
}

/** An unknown host key waiting for the user's yes or no. */
export interface HostKeyPrompt {
  fingerprint: string;
  keyType: string;
  /** Where an accepted key is written. */
  knownHostsFile: string;
}

/** The latest discovery result of one saved host. */
export interface HostStatusView {
  hostId: string;
  state: 'ok' | 'error';
  checkedAtMs: number;
  inventory: HostInventory;
  /** Present when the host's key is not known yet (error kind `host-key-unknown`). */
  hostKey?: HostKeyPrompt;
}

/** A measured link between two hosts. */
export interface HostLinkView {
  from: string;
  to: string;
  latencyMs: number;
  bytesPerSecond: number;
  measuredAtMs: number;
}

/** Everything the Hosts view shows. */
export interface HostsState {
  hosts: SavedHostView[];
  statuses: HostStatusView[];
  links: HostLinkView[];
  /** Hosts being discovered right now. */
  discovering: string[];
  knownHostsFile: string;
  /** Where remembered secrets go: nowhere (web mode), this process's memory, or Electron safeStorage. */
  secretStore: 'none' | 'memory' | 'safe-storage';
}

/** The answer of acceptHostKey. */
export interface AcceptHostKeyResult {
  hostId: string;
  fingerprint: string;
  knownHostsFile: string;
  /** True when the key was already trusted (nothing written). */
  wasKnown: boolean;
}

/** What importSshConfig did: the new state, the hosts it added, those it skipped as already listed (and under which name), and those the file gets wrong (bad Port, multi-hop ProxyJump...) with the one-line reason. */
export interface ImportSshConfigResult extends HostsState {
  imported: string[];
  skipped: { id: string; existingId: string }[];
  invalid: { alias: string; reason: string }[];
}
