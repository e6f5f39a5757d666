/**
 * Deploys what ranks run on a host into `~/.cache/shardscope/` by SFTP. The built-in engine: the
 * worker bundle (worker.cjs, its .wasm files, the Node rank launcher) into `worker-<contenthash>/`,
 * uploaded into a temporary folder, the hash file written last, then renamed into place, so a
 * half-copied bundle is never used; skipped when the folder already holds the same hash; run by the
 * host's Node.js 20+ or a shipped one (runtime-deploy.ts). The torch engine: only the Python rank
 * launcher (python-launcher.ts), so such a host needs Python and torch, no Node.js.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { launcherFileName, launcherSource } from '../launch/remote-wrapper.js';
import { pythonLauncherName, pythonLauncherSource } from '../launch/python-launcher.js';
import { currentWorkerRuntime } from '../launch/worker-runtime.js';
import type { SshConnection } from './connect.js';
import { ensureNodeRuntime, openSftp, type RemoteNode } from './runtime-deploy.js';
import { REMOTE_COMMAND_TIMEOUT_MS } from './exec.js';
import { shellQuote } from './shell-quote.js';
import { describeTarget } from './target.js';

/** One file of the bundle: its name in the bundle folder and its bytes. */
export interface BundleFile { name: string; content: Buffer }

/** The files to deploy and their content hash (16 hex digits of SHA-256 over names and bytes). */
export interface WorkerBundle { hash: string; files: BundleFile[] }

/** What a host runs ranks with: where, the launcher's command line, and (built-in engine) the worker and its Node.js. */
export interface DeployResult {
  /** Folder ranks start in. */
  dir: string;
  homeDir: string;
  /** How to start the rank launcher: `[node, .../launch.cjs]` or `[python, .../launch-<hash>.py]`. */
  launcherArgv: string[];
  /** The worker bundle on the host (null on a host prepared for the torch engine only). */
  workerPath: string | null;
  /** True when the bundle (or launcher) was already there. */
  wasSkipped: boolean;
  /** The Node.js the host's ranks use (null on a torch-only host). */
  node: RemoteNode | null;
}

/** A host's runtime settings (hosts file / Hosts view) and the local Node.js to ship when it has none. */
export interface DeployOptions {
  /** The host's `node` setting. */
  nodePath?: string;
  /** The local Node.js binary that may be shipped (default: this process's when it is plain Node). */
  shippableNodePath?: string | null;
  signal?: AbortSignal;
}

const hashFileName = '.shardscope-hash';

/** Reads dist/worker.cjs, dist/*.wasm and the launcher into a bundle (the sourcemap too when `withSourceMap`). */
export function workerBundleOf(distDir: string, withSourceMap = false): WorkerBundle {
  const worker = join(distDir, 'worker.cjs');
  if (!existsSync(worker)) throw new ShardScopeError('not-found', `worker bundle not found: ${worker} (run npm run build)`);
  const names = readdirSync(distDir).filter((n) => n.endsWith('.wasm') || n === 'worker.cjs' || (withSourceMap && n === 'worker.cjs.map')).sort();
  // The OpenBLAS addon when it was built: the worker loads it from native/ beside itself and falls back to
  // wasm with the reason when the host cannot load it (other architecture, no libopenblas), so shipping it is safe.
  if (existsSync(join(distDir, nativeBlasFileName))) names.push(nativeBlasFileName);
  const files: BundleFile[] = names.map((name) => ({ name, content: readFileSync(join(distDir, name)) }));
  files.push({ name: launcherFileName, content: Buffer.from(launcherSource) });
  return { hash: contentHash(files), files };
}

/** Where the built OpenBLAS addon lies in dist/ and in a deployed bundle (the worker's nativeBlasCandidates look there). */
export const nativeBlasFileName = 'native/blas.node';

/** The folders a bundle's file names need (one level, e.g. `native`), in creation order. */
function bundleSubfolders(bundle: WorkerBundle): string[] {
  return [...new Set(bundle.files.filter((f) => f.name.includes('/')).map((f) => f.name.slice(0, f.name.lastIndexOf('/'))))].sort();
}

/** 16 hex digits of SHA-256 over every file's name and bytes. */
export function contentHash(files: readonly BundleFile[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.name}\0${f.content.length}\0`).update(f.content);
  return hash.digest('hex').slice(0, 16);
}

/** Gives the host a Node.js 20+ (its own or a shipped copy), then copies the bundle unless the host already has this hash. */
export async function deployWorkerBundle(connection: SshConnection, bundle: WorkerBundle, options: DeployOptions = {}): Promise<DeployResult> {
  const { signal } = options;
  const homeDir = await remoteHomeDir(connection);
  const shippablePath = options.shippableNodePath === undefined ? currentWorkerRuntime().shippableNodePath : options.shippableNodePath;
  const node = await ensureNodeRuntime(connection, { nodePath: options.nodePath, shippablePath, homeDir, signal });
  const sftp = await openSftp(connection);
  try {
    const cacheDir = `${homeDir}/.cache/shardscope`;
    const dir = `${cacheDir}/worker-${bundle.hash}`;
    const paths = { dir, workerPath: `${dir}/worker.cjs`, launcherArgv: [node.path, `${dir}/${launcherFileName}`], node, homeDir };
    if (await readHash(sftp, dir) === bundle.hash) return { ...paths, wasSkipped: true };
    await mkdirs(connection, cacheDir, signal);
    const tmp = `${dir}.tmp-${randomBytes(4).toString('hex')}`;
    await call((cb) => sftp.mkdir(tmp, { mode: 0o755 }, cb));
    try {
      for (const dirName of bundleSubfolders(bundle)) await call((cb) => sftp.mkdir(`${tmp}/${dirName}`, { mode: 0o755 }, cb));
      for (const file of bundle.files) {
        signal?.throwIfAborted();
        await writeFile(sftp, `${tmp}/${file.name}`, file.content);
      }
      await writeFile(sftp, `${tmp}/${hashFileName}`, Buffer.from(bundle.hash));
      await call((cb) => sftp.rename(tmp, dir, cb)).catch(async (error: Error) => {
        // Another deploy may have won the race: fine when it holds the same hash.
        if (await readHash(sftp, dir) !== bundle.hash) throw new ShardScopeError('protocol', `host ${describeTarget(connection.target)}: could not move the bundle into ${dir}: ${error.message}`);
      });
    } finally {
      // Cleanup runs even after a cancel (its own limit still bounds it), so a cancelled deploy leaves no temporary folder.
      await connection.exec(`rm -rf ${shellQuote([tmp])}`, { timeoutMs: REMOTE_COMMAND_TIMEOUT_MS }).catch(() => undefined);
    }
    return { ...paths, wasSkipped: false };
  } finally {
    sftp.end();
  }
}

/**
 * A host prepared for the torch engine: only the Python rank launcher, content-hashed in the cache
 * and started with the host's `python` setting (default `python3`); no Node.js needed there.
 */
export async function deployPythonLauncher(connection: SshConnection, options: { python?: string; signal?: AbortSignal } = {}): Promise<DeployResult> {
  const homeDir = await remoteHomeDir(connection);
  options.signal?.throwIfAborted();
  const path = await deployContent(connection, pythonLauncherName, Buffer.from(pythonLauncherSource), homeDir);
  return { dir: `${homeDir}/.cache/shardscope`, homeDir, launcherArgv: [options.python ?? 'python3', path], workerPath: null, wasSkipped: false, node: null };
}

/** Copies a data file into `~/.cache/shardscope/data-<hash>-<name>` (skipped when there) and returns its remote path. */
export function deployDataFile(connection: SshConnection, localPath: string, homeDir: string): Promise<string> {
  return deployContent(connection, basename(localPath), readFileSync(localPath), homeDir);
}

/** Copies bytes into `~/.cache/shardscope/data-<hash>-<name>` (skipped when there) and returns the remote path. */
export async function deployContent(connection: SshConnection, name: string, content: Buffer, homeDir: string): Promise<string> {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const target = `${homeDir}/.cache/shardscope/data-${hash}-${name.replace(/[^A-Za-z0-9._-]/g, '_')}`;
  await mkdirs(connection, `${homeDir}/.cache/shardscope`);
  const sftp = await openSftp(connection);
  try {
    const size = await call<{ size: number }>((cb) => sftp.stat(target, cb)).then((s) => s.size, () => -1);
    if (size === content.length) return target;
    const tmp = `${target}.tmp-${randomBytes(4).toString('hex')}`;
    await writeFile(sftp, tmp, content);
    await call((cb) => sftp.rename(tmp, target, cb)).catch(() => call((cb) => sftp.unlink(tmp, cb)));
    return target;
  } finally {
    sftp.end();
  }
}

/** The host's home folder as SFTP sees it. */
export async function remoteHomeDir(connection: SshConnection): Promise<string> {
  const sftp = await openSftp(connection);
  try {
    return await call<string>((cb) => sftp.realpath('.', cb));
  } finally {
    sftp.end();
  }
}

async function readHash(sftp: SFTPWrapper, dir: string): Promise<string | null> {
  return call<Buffer>((cb) => sftp.readFile(`${dir}/${hashFileName}`, cb)).then((b) => b.toString('utf8').trim(), () => null);
}

async function mkdirs(connection: SshConnection, dir: string, signal?: AbortSignal): Promise<void> {
  const result = await connection.exec(`mkdir -p ${shellQuote([dir])}`, { timeoutMs: REMOTE_COMMAND_TIMEOUT_MS, signal });
  if (result.exitCode !== 0) throw new ShardScopeError('protocol', `host ${describeTarget(connection.target)}: could not create ${dir}: ${result.stderr.trim()}`);
}

function writeFile(sftp: SFTPWrapper, path: string, content: Buffer): Promise<void> {
  return call((cb) => sftp.writeFile(path, content, { mode: 0o644 }, cb));
}

function call<T = void>(start: (cb: (error: Error | null | undefined, value: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => start((error, value) => (error ? reject(error) : resolve(value))));
}
