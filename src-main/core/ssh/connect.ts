/** Opens a verified, authenticated SSH connection (ssh2) with a timeout and an AbortSignal. */
import { Client, type AnyAuthMethod, type ServerHostKeyAlgorithm } from 'ssh2';
import type { Readable } from 'node:stream';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { buildAuthMethods, hasNoAuthMethods, noAuthMethodsError } from './auth-methods.js';
import { closedBeforeReady, mapConnectError } from './connect-errors.js';
import { checkHostKey, fingerprintSha256, keyTypeOfBlob, knownHostsFileList, knownKeyTypes, readKnownHostsFiles, removeKnownHostCommand, trustFileOf, type HostKeyVerdict, type KnownHostsFiles } from './known-hosts.js';
import { execRemote, type ExecOptions, type ExecResult } from './exec.js';
import { describeTarget, type RemoteTarget } from './target.js';

/** How to connect: which known_hosts files to trust (in order), how long to wait, how to cancel. */
export interface ConnectOptions {
  knownHostsFile: KnownHostsFiles;
  /** Handshake + auth limit per connection, default 10 000 ms. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/** An open connection: run commands, then close. */
export interface SshConnection {
  target: RemoteTarget;
  client: Client;
  exec(command: string, options?: ExecOptions): Promise<ExecResult>;
  close(): void;
}

const defaultTimeoutMs = 10_000;

/** Connects to `target` (through its jump host if any); rejects with host-key-*, ssh-auth, ssh-timeout, ssh-unreachable or cancelled. */
export async function connectSsh(target: RemoteTarget, options: ConnectOptions): Promise<SshConnection> {
  if (!target.proxyJump) return connectDirect(target, options);
  const jump = await connectSsh(target.proxyJump, options);
  try {
    const sock = await forwardThrough(jump, target);
    const connection = await connectDirect(target, options, sock);
    connection.client.once('close', () => jump.close());
    return connection;
  } catch (error) {
    jump.close();
    throw error;
  }
}

function forwardThrough(jump: SshConnection, target: RemoteTarget): Promise<Readable> {
  return new Promise((resolve, reject) => {
    jump.client.forwardOut('127.0.0.1', 0, target.host, target.port, (error, stream) => {
      if (error) reject(new ShardScopeError('ssh-unreachable', `host ${describeTarget(target)}: jump host ${jump.target.id} could not reach it: ${error.message}`));
      else resolve(stream);
    });
  });
}

function connectDirect(target: RemoteTarget, options: ConnectOptions, sock?: Readable): Promise<SshConnection> {
  const timeoutMs = options.timeoutMs ?? defaultTimeoutMs;
  const known = readKnownHostsFiles(options.knownHostsFile);
  // With no way to log in the host key is still checked first (like OpenSSH), so `hosts trust` needs no credentials.
  const isWithoutAuth = hasNoAuthMethods(target);
  const methods = isWithoutAuth ? [] : buildAuthMethods(target);
  const client = new Client();
  let verdict: HostKeyVerdict | null = null;
  let presentedKey: Buffer | null = null;
  let methodsLeft: string[] | null = null;

  return new Promise<SshConnection>((resolve, reject) => {
    let isSettled = false;
    const timer = setTimeout(() => finish(new ShardScopeError('ssh-timeout', `host ${describeTarget(target)}: no SSH answer within ${timeoutMs} ms — is the host up and reachable?`)), timeoutMs);
    const onAbort = (): void => finish(new ShardScopeError('cancelled', `host ${describeTarget(target)}: connection cancelled`));
    const finish = (error: ShardScopeError | null): void => {
      if (isSettled) return;
      isSettled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (error) {
        client.destroy();
        reject(error);
        return;
      }
      resolve({ target, client, exec: (command, execOptions) => execRemote(client, target, command, execOptions), close: () => client.end() });
    };
    if (options.signal?.aborted) { onAbort(); return; }
    options.signal?.addEventListener('abort', onAbort, { once: true });

    client.once('ready', () => finish(null));
    client.on('error', (error: Error & { level?: string; code?: string }) => {
      const keyError = hostKeyError(target, options.knownHostsFile, verdict, presentedKey);
      finish(keyError ?? (isWithoutAuth && verdict?.status === 'known' ? noAuthMethodsError(target) : mapConnectError(target, error, methodsLeft, timeoutMs)));
    });
    client.once('close', () => finish(hostKeyError(target, options.knownHostsFile, verdict, presentedKey) ?? closedBeforeReady(target)));

    const queue: AnyAuthMethod[] = [...methods];
    try {
      client.connect({
        host: target.host,
        port: target.port,
        sock,
        username: target.user,
        readyTimeout: timeoutMs,
        keepaliveInterval: 5000,
        keepaliveCountMax: 3,
        algorithms: { serverHostKey: hostKeyPreference(knownKeyTypes(known, target.host, target.port)) },
        hostVerifier: (key: Buffer): boolean => {
          presentedKey = key;
          verdict = checkHostKey(known, target.host, target.port, key);
          return verdict.status === 'known';
        },
        authHandler: (left, _partial, next) => {
          if (left) methodsLeft = left;
          const method = queue.shift();
          (next as (m: AnyAuthMethod | false) => void)(method ?? false);
        },
      });
    } catch (error) {
      finish(mapConnectError(target, error as Error, null, timeoutMs));
    }
  });
}

function hostKeyError(target: RemoteTarget, files: KnownHostsFiles, verdict: HostKeyVerdict | null, key: Buffer | null): ShardScopeError | null {
  if (!verdict || !key || verdict.status === 'known') return null;
  const fingerprint = fingerprintSha256(key);
  const keyType = keyTypeOfBlob(key);
  // Accepting writes to the first file (ShardScope's own); the entry that refused may be in another.
  const knownHostsFile = verdict.status === 'unknown' ? trustFileOf(files) : verdict.entry.file ?? trustFileOf(files);
  const details = { host: target.host, port: target.port, fingerprint, keyType, keyBase64: key.toString('base64'), knownHostsFile: trustFileOf(files) };
  const who = `host ${describeTarget(target)}`;
  if (verdict.status === 'unknown') {
    return new ShardScopeError('host-key-unknown', `${who}: unknown host key ${keyType} ${fingerprint} — not in ${knownHostsFileList(files).join(' or ')}; accept it only if it is the host's real key (shardscope hosts trust ${target.id})`, details);
  }
  const where = `${knownHostsFile} line ${verdict.entry.line}`;
  const why = verdict.status === 'revoked' ? 'is marked @revoked' : `differs from the ${verdict.entry.keyType} key recorded in ${where}`;
  return new ShardScopeError('host-key-mismatch',
    `WARNING ${who}: HOST KEY CHANGED — the offered key ${keyType} ${fingerprint} ${why}; someone may be intercepting the connection. Refused. If the host was really reinstalled, remove the old entry: ${removeKnownHostCommand(target.host, target.port, knownHostsFile)}`,
    details);
}

const allHostKeyAlgorithms: ServerHostKeyAlgorithm[] = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];

/** Asks the server first for a key type we already know for it, so a known host is checked, not re-asked. */
function hostKeyPreference(knownTypes: string[]): ServerHostKeyAlgorithm[] {
  const preferred: ServerHostKeyAlgorithm[] = [];
  for (const type of knownTypes) {
    const algorithms = type === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [type];
    for (const a of algorithms) if (allHostKeyAlgorithms.includes(a as ServerHostKeyAlgorithm) && !preferred.includes(a as ServerHostKeyAlgorithm)) preferred.push(a as ServerHostKeyAlgorithm);
  }
  return [...preferred, ...allHostKeyAlgorithms.filter((a) => !preferred.includes(a))];
}
