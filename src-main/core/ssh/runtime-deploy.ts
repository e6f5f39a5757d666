/**
 * Gives a host a Node.js 20+ for ShardScope's processes: the host's own (its `node` setting, else
 * `node` on PATH) when usable, else a copy of the Node.js binary ShardScope itself runs on, when the
 * host's OS, CPU and C library fit it (`uname -sm`, `ldd --version`). The copy goes by SFTP into
 * `~/.cache/shardscope/node-<contenthash>/node` like the worker bundle (temporary folder, hash file
 * last, renamed into place): copied once, reused while the hash matches, used only by ShardScope
 * (never put on the host's PATH), and removed with the rest of the cache by `removeShardScopeCache`
 * (`shardscope hosts clean HOST`). Slurm nodes reach it the same way (one function per host).
 */
import { createHash, randomBytes } from 'node:crypto';
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import type { SFTPWrapper } from 'ssh2';
import { ShardScopeError } from '../../../src-shared/errors.js';
import type { SshConnection } from './connect.js';
import { REMOTE_COMMAND_TIMEOUT_MS } from './exec.js';
import { binaryPlatformOf, describeBinaryPlatform, describeHostPlatform, parseHostPlatform, platformMismatch, type BinaryPlatform, type HostPlatform } from './runtime-platform.js';
import { shellQuote } from './shell-quote.js';
import { describeTarget } from './target.js';

/** Lowest Node.js major version the worker runs on. */
export const minNodeMajor = 20;
const hashFileName = '.shardscope-hash';

/** A local Node.js binary that may be shipped: path, version, content hash and what it needs. */
export interface ShippableNode {
  path: string;
  version: string;
  hash: string;
  sizeBytes: number;
  platform: BinaryPlatform;
}

/** The Node.js a host's ShardScope processes use. */
export interface RemoteNode {
  /** Program to run on the host (`node` from PATH, the host's `node` setting, or the shipped copy). */
  path: string;
  version: string;
  source: 'setting' | 'path' | 'shipped';
  /** True when this call copied the runtime (false: the host's own, or the cached copy matched). */
  wasCopied: boolean;
}

/** What ensureNodeRuntime needs besides the connection. */
export interface NodeRuntimeOptions {
  /** The host's `node` setting (hosts file / Hosts view): used as is, never replaced by a copy. */
  nodePath?: string;
  /** The local Node.js binary to ship when the host has none (null: nothing to ship, e.g. Electron without its bundled Node.js). */
  shippablePath: string | null;
  /** The host's home folder (SFTP realpath of `.`). */
  homeDir: string;
  signal?: AbortSignal;
}

/** Parses `node --version` output (`v20.11.1`) into its major number, or null. */
export function nodeMajorOf(versionText: string): number | null {
  const match = /^v(\d+)\.\d+\.\d+/.exec(versionText.trim());
  return match ? Number(match[1]) : null;
}

const shippableCache = new Map<string, Promise<ShippableNode>>();

/** Reads (once per path, size and mtime; off the event loop: the app's main process stays responsive) a local Node.js binary: its content hash, version and platform. */
export async function shippableNodeOf(path: string): Promise<ShippableNode> {
  const info = await stat(path);
  const key = `${path}\0${info.size}\0${info.mtimeMs}`;
  let found = shippableCache.get(key);
  if (!found) {
    found = readShippable(path);
    shippableCache.set(key, found);
    found.catch(() => shippableCache.delete(key));
  }
  return found;
}

async function readShippable(path: string): Promise<ShippableNode> {
  const bytes = await readFile(path);
  const version = path === process.execPath && !process.versions.electron ? process.version
    : (await promisify(execFile)(path, ['--version'], { encoding: 'utf8', timeout: 10_000, env: {} })).stdout.trim();
  return { path, version, hash: createHash('sha256').update(bytes).digest('hex').slice(0, 16), sizeBytes: bytes.length, platform: binaryPlatformOf(bytes) };
}

/** `uname -sm` and `ldd --version` on the host. */
export async function probeHostPlatform(connection: SshConnection, signal?: AbortSignal): Promise<HostPlatform> {
  const result = await connection.exec('uname -sm; ldd --version 2>&1 | head -n 2', { timeoutMs: REMOTE_COMMAND_TIMEOUT_MS, signal });
  return parseHostPlatform(result.stdout);
}

/** The Node.js version at `command` on the host ('' when it does not run; `node-missing` details in `error`). */
async function remoteNodeVersion(connection: SshConnection, command: string, signal?: AbortSignal): Promise<{ version: string; error: string }> {
  const quoted = shellQuote([command]);
  const result = await connection.exec(`command -v ${quoted} >/dev/null 2>&1 || exit 127; ${quoted} --version`, { timeoutMs: REMOTE_COMMAND_TIMEOUT_MS, signal });
  if (result.exitCode === 127) return { version: '', error: 'not found' };
  const version = result.stdout.trim();
  if (result.exitCode !== 0 || nodeMajorOf(version) === null) return { version: '', error: result.stderr.trim().split('\n').pop() || `exit ${result.exitCode}` };
  return { version, error: '' };
}

/** The host's usable Node.js, or a shipped copy; a host nothing fits gets one line naming what it needs. */
export async function ensureNodeRuntime(connection: SshConnection, options: NodeRuntimeOptions): Promise<RemoteNode> {
  const who = `host ${describeTarget(connection.target)}`;
  const details = { host: connection.target.id };
  if (options.nodePath) {
    const found = await remoteNodeVersion(connection, options.nodePath, options.signal);
    if (!found.version) throw new ShardScopeError('node-missing', `${who}: its node setting ${options.nodePath} does not run (${found.error}) — fix the path or remove the setting to ship ShardScope's Node.js`, details);
    if (nodeMajorOf(found.version)! < minNodeMajor) throw new ShardScopeError('node-too-old', `${who}: its node setting ${options.nodePath} is Node.js ${found.version} — the worker needs ${minNodeMajor} or newer`, { ...details, nodeVersion: found.version });
    return { path: options.nodePath, version: found.version, source: 'setting', wasCopied: false };
  }
  const onPath = await remoteNodeVersion(connection, 'node', options.signal);
  if (onPath.version && nodeMajorOf(onPath.version)! >= minNodeMajor) return { path: 'node', version: onPath.version, source: 'path', wasCopied: false };
  const theirs = onPath.version ? `Node.js ${onPath.version} is too old` : 'no Node.js';
  if (!options.shippablePath) {
    throw new ShardScopeError('node-missing', `${who}: ${theirs} and this app has no Node.js runtime to ship — install Node.js ${minNodeMajor}+ there and set the host's node path`, details);
  }
  const local = await shippableNodeOf(options.shippablePath);
  const platform = await probeHostPlatform(connection, options.signal);
  const mismatch = platformMismatch(local.platform, platform);
  if (mismatch) {
    throw new ShardScopeError('node-missing',
      `${who}: ${theirs}, and ShardScope's Node.js (${describeBinaryPlatform(local.platform)}) cannot run there (${describeHostPlatform(platform)}): ${mismatch} — install Node.js ${minNodeMajor}+ for ${platform.arch}${platform.libc.kind === 'musl' ? '/musl' : ''} there and set the host's node path`,
      { ...details, hostPlatform: platform });
  }
  return shipNode(connection, local, options.homeDir, options.signal);
}

/** Copies the binary into `~/.cache/shardscope/node-<hash>/node` unless that hash is there, then checks it runs. */
async function shipNode(connection: SshConnection, local: ShippableNode, homeDir: string, signal?: AbortSignal): Promise<RemoteNode> {
  const who = `host ${describeTarget(connection.target)}`;
  const dir = `${homeDir}/.cache/shardscope/node-${local.hash}`;
  const path = `${dir}/node`;
  const sftp = await openSftp(connection);
  let wasCopied = false;
  try {
    if (await readText(sftp, `${dir}/${hashFileName}`) !== local.hash) {
      await execChecked(connection, `mkdir -p ${shellQuote([`${homeDir}/.cache/shardscope`])}`, signal);
      const tmp = `${dir}.tmp-${randomBytes(4).toString('hex')}`;
      try {
        await call((cb) => sftp.mkdir(tmp, { mode: 0o755 }, cb));
        signal?.throwIfAborted();
        await call((cb) => sftp.fastPut(local.path, `${tmp}/node`, { mode: 0o755 }, cb));
        await call((cb) => sftp.chmod(`${tmp}/node`, 0o755, cb));
        await call((cb) => sftp.writeFile(`${tmp}/${hashFileName}`, Buffer.from(local.hash), { mode: 0o644 }, cb));
        await call((cb) => sftp.rename(tmp, dir, cb)).catch(async (error: Error) => {
          if (await readText(sftp, `${dir}/${hashFileName}`) !== local.hash) throw new ShardScopeError('protocol', `${who}: could not move the Node.js runtime into ${dir}: ${error.message}`);
        });
        wasCopied = true;
      } finally {
        await connection.exec(`rm -rf ${shellQuote([tmp])}`, { timeoutMs: REMOTE_COMMAND_TIMEOUT_MS }).catch(() => undefined);
      }
    }
  } finally {
    sftp.end();
  }
  const found = await remoteNodeVersion(connection, path, signal);
  if (found.version !== local.version) {
    throw new ShardScopeError('node-missing', `${who}: the shipped Node.js ${local.version} does not start there (${found.error || found.version}) — install Node.js ${minNodeMajor}+ there and set the host's node path`, { host: connection.target.id });
  }
  return { path, version: found.version, source: 'shipped', wasCopied };
}

/** Removes everything ShardScope cached on a host (`~/.cache/shardscope`: runtimes, bundles, data); the bytes it held. */
export async function removeShardScopeCache(connection: SshConnection, signal?: AbortSignal): Promise<{ dir: string; removedBytes: number }> {
  const script = 'd="$HOME/.cache/shardscope"; printf "%s\\n" "$d"; if [ -d "$d" ]; then du -sk "$d" | cut -f1; rm -rf "$d"; else echo 0; fi';
  const result = await connection.exec(script, { timeoutMs: 60_000, signal });
  if (result.exitCode !== 0) throw new ShardScopeError('protocol', `host ${describeTarget(connection.target)}: could not remove the ShardScope cache: ${result.stderr.trim()}`);
  const [dir = '', kib = '0'] = result.stdout.trim().split('\n');
  return { dir, removedBytes: Number(kib) * 1024 };
}

async function execChecked(connection: SshConnection, command: string, signal?: AbortSignal): Promise<void> {
  const result = await connection.exec(command, { timeoutMs: REMOTE_COMMAND_TIMEOUT_MS, signal });
  if (result.exitCode !== 0) throw new ShardScopeError('protocol', `host ${describeTarget(connection.target)}: ${command} failed: ${result.stderr.trim()}`);
}

/** Opens an SFTP session on the connection. */
export function openSftp(connection: SshConnection): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => connection.client.sftp((error, sftp) => {
    if (error) reject(new ShardScopeError('protocol', `host ${describeTarget(connection.target)}: SFTP unavailable: ${error.message}`));
    else resolve(sftp);
  }));
}

function readText(sftp: SFTPWrapper, path: string): Promise<string | null> {
  return call<Buffer>((cb) => sftp.readFile(path, cb)).then((b) => b.toString('utf8').trim(), () => null);
}

function call<T = void>(start: (cb: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}
