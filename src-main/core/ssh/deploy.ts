/**
 * Deploys the worker bundle (worker.cjs, its .wasm files, the rank launcher) by SFTP into
 * `~/.cache/shardscope/worker-<contenthash>/` on a host: uploaded into a temporary folder, the hash
 * file written last, then renamed into place, so a half-copied bundle is never used; skipped when
 * the folder already holds the same hash. The host's Node.js is checked first (>= 20).
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { SFTPWrapper } from 'ssh2';
import { ShardScopeError } from '../../../src-shared/errors.js';
import { launcherFileName, launcherSource } from '../launch/remote-wrapper.js';
import type { SshConnection } from './connect.js';
import { REMOTE_COMMAND_TIMEOUT_MS } from './exec.js';
import { shellQuote } from './shell-quote.js';
import { describeTarget } from './target.js';

/** One file of the bundle: its name in the bundle folder and its bytes. */
export interface BundleFile { name: string; content: Buffer }

/** The files to deploy and their content hash (16 hex digits of SHA-256 over names and bytes). */
export interface WorkerBundle { hash: string; files: BundleFile[] }

/** Where the bundle is on a host, and whether this call copied it. */
export interface DeployResult { dir: string; workerPath: string; launcherPath: string; wasSkipped: boolean; nodeVersion: string; homeDir: string }

/** Lowest Node.js major version the worker runs on. */
export const minNodeMajor = 20;
const hashFileName = '.shardscope-hash';

/** Reads dist/worker.cjs, dist/*.wasm and the launcher into a bundle (the sourcemap too when `withSourceMap`). */
export function workerBundleOf(distDir: string, withSourceMap = false): WorkerBundle {
  const worker = join(distDir, 'worker.cjs');
  if (!existsSync(worker)) throw new ShardScopeError('not-found', `worker bundle not found: ${worker} (run npm run build)`);
  const names = readdirSync(distDir).filter((n) => n.endsWith('.wasm') || n === 'worker.cjs' || (withSourceMap && n === 'worker.cjs.map')).sort();
  const files: BundleFile[] = names.map((name) => ({ name, content: readFileSync(join(distDir, name)) }));
  files.push({ name: launcherFileName, content: Buffer.from(launcherSource) });
  return { hash: contentHash(files), files };
}

/** 16 hex digits of SHA-256 over every file's name and bytes. */
export function contentHash(files: readonly BundleFile[]): string {
  const hash = createHash('sha256');
  for (const f of files) hash.update(`${f.name}\0${f.content.length}\0`).update(f.content);
  return hash.digest('hex').slice(0, 16);
}

/** Parses `node --version` output (`v20.11.1`) into its major number, or null. */
export function nodeMajorOf(versionText: string): number | null {
  const match = /^v(\d+)\.\d+\.\d+/.exec(versionText.trim());
  return match ? Number(match[1]) : null;
}

/** Checks that `node` on the host's PATH is >= minNodeMajor; `node-missing` / `node-too-old` otherwise. */
export async function checkRemoteNode(connection: SshConnection, signal?: AbortSignal): Promise<string> {
  const who = `host ${describeTarget(connection.target)}`;
  const result = await connection.exec('command -v node >/dev/null 2>&1 || exit 127; node --version', { timeoutMs: REMOTE_COMMAND_TIMEOUT_MS, signal });
  if (result.exitCode === 127) throw new ShardScopeError('node-missing', `${who}: Node.js not found on PATH — install Node.js ${minNodeMajor} or newer there (the worker runs on it)`, { host: connection.target.id });
  const version = result.stdout.trim();
  const major = nodeMajorOf(version);
  if (result.exitCode !== 0 || major === null) throw new ShardScopeError('node-missing', `${who}: \`node --version\` failed (${result.stderr.trim() || `exit ${result.exitCode}`})`, { host: connection.target.id });
  if (major < minNodeMajor) throw new ShardScopeError('node-too-old', `${who}: Node.js ${version} is too old — the worker needs ${minNodeMajor} or newer`, { host: connection.target.id, nodeVersion: version });
  return version;
}

/** Checks Node.js, then copies the bundle unless the host already has this hash. */
export async function deployWorkerBundle(connection: SshConnection, bundle: WorkerBundle, signal?: AbortSignal): Promise<DeployResult> {
  const nodeVersion = await checkRemoteNode(connection, signal);
  const sftp = await openSftp(connection);
  try {
    const homeDir = await call<string>((cb) => sftp.realpath('.', cb));
    const cacheDir = `${homeDir}/.cache/shardscope`;
    const dir = `${cacheDir}/worker-${bundle.hash}`;
    const paths = { dir, workerPath: `${dir}/worker.cjs`, launcherPath: `${dir}/${launcherFileName}`, nodeVersion, homeDir };
    if (await readHash(sftp, dir) === bundle.hash) return { ...paths, wasSkipped: true };
    await mkdirs(connection, cacheDir, signal);
    const tmp = `${dir}.tmp-${randomBytes(4).toString('hex')}`;
    await call((cb) => sftp.mkdir(tmp, { mode: 0o755 }, cb));
    try {
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

/** Copies a data file into `~/.cache/shardscope/data-<hash>-<name>` (skipped when there) and returns its remote path. */
export async function deployDataFile(connection: SshConnection, localPath: string, homeDir: string): Promise<string> {
  const content = readFileSync(localPath);
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 16);
  const target = `${homeDir}/.cache/shardscope/data-${hash}-${basename(localPath).replace(/[^A-Za-z0-9._-]/g, '_')}`;
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

function openSftp(connection: SshConnection): Promise<SFTPWrapper> {
  return new Promise((resolve, reject) => connection.client.sftp((error, sftp) => {
    if (error) reject(new ShardScopeError('protocol', `host ${describeTarget(connection.target)}: SFTP unavailable: ${error.message}`));
    else resolve(sftp);
  }));
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
