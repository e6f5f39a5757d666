/** known_hosts (OpenSSH format): hashed `|1|salt|hash` names, `[host]:port`, patterns, @revoked. */
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { shellQuote } from './shell-quote.js';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  /** The file it was read from (absent for parsed text). */
  file?: string;
  line: number;
  marker: '' | '@revoked' | '@cert-authority';
  patterns: string;
  keyType: string;
  keyBlob: Buffer;
}

/** The verdict for a presented host key. */
export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostEntry }
  | { status: 'unknown' }
  | { status: 'mismatch'; entry: KnownHostEntry }
  | { status: 'revoked'; entry: KnownHostEntry };

/**
 * known_hosts files to check a host against, in order; the first is where keys the user trusts are
 * written (the others are only read). One path is a list of one.
 */
export type KnownHostsFiles = string | readonly string[];

/** The files of a KnownHostsFiles, in order. */
export function knownHostsFileList(files: KnownHostsFiles): string[] {
  return typeof files === 'string' ? [files] : [...files];
}

/** Where trusted keys go: the first file. */
export function trustFileOf(files: KnownHostsFiles): string {
  return knownHostsFileList(files)[0];
}

/**
 * The files app and CLI both read unless told otherwise (`--known-hosts FILE`): ShardScope's own
 * `$SHARDSCOPE_HOME/known_hosts` (default `~/.shardscope/known_hosts`; keys accepted in the Hosts
 * view or with `shardscope hosts trust` go there), then OpenSSH's `~/.ssh/known_hosts` (read only).
 */
export function defaultKnownHostsFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  const home = env.HOME || homedir();
  return [join(env.SHARDSCOPE_HOME || join(home, '.shardscope'), 'known_hosts'), join(home, '.ssh', 'known_hosts')];
}

/** Reads a known_hosts file; a missing file is an empty list. Malformed lines are skipped like OpenSSH does. */
export function readKnownHosts(file: string): KnownHostEntry[] {
  if (!existsSync(file)) return [];
  return parseKnownHosts(readFileSync(file, 'utf8')).map((entry) => ({ ...entry, file }));
}

/** Reads every file of a KnownHostsFiles, in order. */
export function readKnownHostsFiles(files: KnownHostsFiles): KnownHostEntry[] {
  return knownHostsFileList(files).flatMap(readKnownHosts);
}

/** Parses known_hosts text. */
export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const fields = raw.trim().split(/\s+/);
    if (fields[0] === '' || fields[0].startsWith('#')) return;
    let marker: KnownHostEntry['marker'] = '';
    if (fields[0] === '@revoked' || fields[0] === '@cert-authority') marker = fields.shift() as KnownHostEntry['marker'];
    if (fields.length < 3) return;
    const [patterns, keyType, base64] = fields;
    const keyBlob = Buffer.from(base64, 'base64');
    if (keyBlob.length === 0) return;
    entries.push({ line: i + 1, marker, patterns, keyType, keyBlob });
  });
  return entries;
}

/** The name a host has in known_hosts: `host` on port 22, else `[host]:port`. */
export function knownHostName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

/** The exact command that removes this host's entries (`[host]:port` when the port is not 22), quoted for a POSIX shell. */
export function removeKnownHostCommand(host: string, port: number, knownHostsFile: string): string {
  return shellQuote(['ssh-keygen', '-R', knownHostName(host, port), '-f', knownHostsFile]);
}

/** True when an entry's host field (patterns or one hashed name) names this host. */
export function entryMatchesHost(patterns: string, host: string, port: number): boolean {
  const name = knownHostName(host, port);
  if (patterns.startsWith('|1|')) {
    const [, , salt64, hash64] = patterns.split('|');
    if (!salt64 || !hash64) return false;
    const digest = createHmac('sha1', Buffer.from(salt64, 'base64')).update(name).digest('base64');
    return digest === hash64;
  }
  let isMatch = false;
  for (const pattern of patterns.split(',')) {
    const isNegated = pattern.startsWith('!');
    const body = isNegated ? pattern.slice(1) : pattern;
    if (!globMatch(body.toLowerCase(), name.toLowerCase())) continue;
    if (isNegated) return false;
    isMatch = true;
  }
  return isMatch;
}

function globMatch(pattern: string, name: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name);
}

/** Compares a presented host key (wire blob) with the entries for host:port. Any different key for a known host is a mismatch. */
export function checkHostKey(entries: KnownHostEntry[], host: string, port: number, keyBlob: Buffer): HostKeyVerdict {
  const revoked = entries.find((e) => e.marker === '@revoked' && e.keyBlob.equals(keyBlob));
  if (revoked) return { status: 'revoked', entry: revoked };
  const forHost = entries.filter((e) => e.marker === '' && entryMatchesHost(e.patterns, host, port));
  const same = forHost.find((e) => e.keyBlob.equals(keyBlob));
  if (same) return { status: 'known', entry: same };
  if (forHost.length > 0) return { status: 'mismatch', entry: forHost[0] };
  return { status: 'unknown' };
}

/** Key types known for host:port, in file order (used to ask the server for a key we can check). */
export function knownKeyTypes(entries: KnownHostEntry[], host: string, port: number): string[] {
  const types = entries.filter((e) => e.marker === '' && entryMatchesHost(e.patterns, host, port)).map((e) => e.keyType);
  return [...new Set(types)];
}

/** The OpenSSH SHA256 fingerprint of a key blob: `SHA256:` + unpadded base64 of its SHA-256. */
export function fingerprintSha256(keyBlob: Buffer): string {
  return `SHA256:${createHash('sha256').update(keyBlob).digest('base64').replace(/=+$/, '')}`;
}

/** The key type named inside a wire key blob (its first SSH string). */
export function keyTypeOfBlob(keyBlob: Buffer): string {
  if (keyBlob.length < 4) return 'unknown';
  const length = keyBlob.readUInt32BE(0);
  return keyBlob.subarray(4, 4 + length).toString('latin1');
}

/** Appends a host key the user accepted (plain `host type base64` line); creates the file if needed. */
export function acceptHostKey(file: string, host: string, port: number, keyBlob: Buffer): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const existing = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const separator = existing === '' || existing.endsWith('\n') ? '' : '\n';
  appendFileSync(file, `${separator}${knownHostName(host, port)} ${keyTypeOfBlob(keyBlob)} ${keyBlob.toString('base64')}\n`, { mode: 0o600 });
}
