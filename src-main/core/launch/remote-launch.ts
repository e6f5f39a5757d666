/**
 * Prepares a remote or mixed run: places ranks on the hosts, connects to each remote host
 * (host keys checked), deploys what the engine's ranks run there (built-in engine: the worker
 * bundle and a Node.js, the host's or a shipped one; torch engine: the Python rank launcher only)
 * and the training data, and picks the
 * rendezvous address every rank can reach: the rank-0 host's address as the hosts see it
 * (`$SSH_CONNECTION`), or `masterAddr` when given. The result plugs into runTraining.
 */
import { ShardScopeError } from '../../../src-shared/errors.js';
import { connectSsh, type SshConnection } from '../ssh/connect.js';
import type { KnownHostsFiles } from '../ssh/known-hosts.js';
import { shellQuote } from '../ssh/shell-quote.js';
import { REMOTE_COMMAND_TIMEOUT_MS } from '../ssh/exec.js';
import { deployDataFile, deployPythonLauncher, deployWorkerBundle, type DeployResult, type WorkerBundle } from '../ssh/deploy.js';
import { findFreePort } from './free-port.js';
import type { RankPlacement } from './placement.js';
import { placeRanksOnHosts, type RunHost } from './remote-placement.js';
import { remoteSpawner } from './remote-spawner.js';
import type { Spawner } from './spawner.js';

/** What to prepare. */
export interface PrepareRunOptions {
  hosts: RunHost[];
  worldSize: number;
  /** known_hosts files, in order (known-hosts.ts defaultKnownHostsFiles unless --known-hosts). */
  knownHostsFile: KnownHostsFiles;
  bundle: WorkerBundle;
  /** What the ranks run (default `tfjs`, the built-in worker); `torch` hosts need no Node.js. */
  engine?: 'tfjs' | 'torch';
  /** The local Node.js binary shipped to hosts without a usable one (default: this process's when it is plain Node; see worker-runtime.ts). */
  shippableNodePath?: string | null;
  /** Local path of the training data (the config's dataPath, else the shipped corpus); none for a link probe. */
  dataPath?: string;
  /** Rendezvous address override (`--master-addr`). */
  masterAddr?: string;
  signal?: AbortSignal;
  /** Per-rank silence limit (default 5000 ms) and the launcher's heartbeat limit (default 6000 ms). */
  silentAfterMs?: number;
  launcherTimeoutMs?: number;
}

/** Everything runTraining needs for the hosts, and `close()` for the SSH connections. */
export interface PreparedRun {
  placements: RankPlacement[];
  spawners: Record<string, Spawner>;
  masterAddr: string;
  masterPort?: number;
  deploys: Record<string, DeployResult>;
  hostIds: string[];
  /** Each used host's address as the other hosts reach it (this machine: as the remote hosts see it). */
  addresses: Record<string, string>;
  /** Where the training data was copied on each remote host (none for a link probe). */
  dataPathByHost: Record<string, string>;
  /** The hosts' `python` settings (torch engine interpreters), by host id. */
  pythonByHost: Record<string, string>;
  /** A TCP port free right now on a used host. */
  freePort(hostId: string, signal?: AbortSignal): Promise<number>;
  /**
   * Copies more local files (e.g. an engine's scripts) to every used remote host over the open
   * connections, content-hashed like the data; per host, each local path's remote path.
   */
  deployFiles(localPaths: readonly string[], signal?: AbortSignal): Promise<Record<string, Record<string, string>>>;
  close(): void;
}

/** Connects, deploys and places; on any failure every connection opened is closed before rethrowing. */
export async function prepareRun(options: PrepareRunOptions): Promise<PreparedRun> {
  const placements = placeRanksOnHosts(options.worldSize, options.hosts);
  const usedIds = new Set(placements.map((p) => p.host));
  const remotes = options.hosts.filter((h): h is Extract<RunHost, { kind: 'remote' }> => h.kind === 'remote' && usedIds.has(h.id));
  const connections = new Map<string, SshConnection>();
  const close = (): void => connections.forEach((c) => c.client.destroy());
  try {
    const opened = await Promise.allSettled(remotes.map(async (h) => {
      const connection = await connectSsh(h.target, { knownHostsFile: options.knownHostsFile, signal: options.signal });
      connections.set(h.id, connection);
      return connection;
    }));
    const refused = opened.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (refused) throw refused.reason;
    const deploys: Record<string, DeployResult> = {};
    const dataPaths: Record<string, string> = {};
    const seen: Record<string, { clientAddr: string; serverAddr: string }> = {};
    await Promise.all(remotes.map(async (h) => {
      const connection = connections.get(h.id)!;
      deploys[h.id] = options.engine === 'torch'
        ? await deployPythonLauncher(connection, { python: h.python, signal: options.signal })
        : await deployWorkerBundle(connection, options.bundle, { nodePath: h.node, shippableNodePath: options.shippableNodePath, signal: options.signal });
      if (options.dataPath) dataPaths[h.id] = await deployDataFile(connection, options.dataPath, deploys[h.id].homeDir);
      seen[h.id] = await sshConnectionAddresses(connection, options.signal);
    }));
    const spawners: Record<string, Spawner> = {};
    for (const h of remotes) {
      spawners[h.id] = remoteSpawner({ id: h.id, connection: connections.get(h.id)!, deploy: deploys[h.id], remoteDataPath: dataPaths[h.id], silentAfterMs: options.silentAfterMs, launcherTimeoutMs: options.launcherTimeoutMs });
    }
    const rank0Host = placements[0].host;
    const rank0Remote = remotes.find((h) => h.id === rank0Host);
    let masterAddr: string;
    let masterPort: number | undefined;
    if (rank0Remote) {
      masterAddr = options.masterAddr ?? seen[rank0Remote.id].serverAddr;
      masterPort = await remoteFreePort(connections.get(rank0Remote.id)!, deploys[rank0Remote.id], options.signal);
    } else {
      // Rank 0 is here: the remote hosts reach this machine at the address they see us coming from.
      masterAddr = options.masterAddr ?? (remotes.length > 0 ? seen[remotes[0].id].clientAddr : '127.0.0.1');
    }
    const localAddr = remotes.length > 0 ? seen[remotes[0].id].clientAddr : '127.0.0.1';
    const addresses = Object.fromEntries([...usedIds].map((id) => [id, seen[id]?.serverAddr ?? localAddr]));
    const freePort = (hostId: string, signal?: AbortSignal): Promise<number> => (connections.has(hostId) ? remoteFreePort(connections.get(hostId)!, deploys[hostId], signal) : findFreePort(addresses[hostId]));
    const deployFiles = async (localPaths: readonly string[], signal?: AbortSignal): Promise<Record<string, Record<string, string>>> => {
      const byHost: Record<string, Record<string, string>> = {};
      await Promise.all(remotes.map(async (h) => {
        byHost[h.id] = {};
        for (const path of localPaths) {
          signal?.throwIfAborted();
          byHost[h.id][path] = await deployDataFile(connections.get(h.id)!, path, deploys[h.id].homeDir);
        }
      }));
      return byHost;
    };
    const pythonByHost = Object.fromEntries(remotes.filter((h) => h.python).map((h) => [h.id, h.python!]));
    return { placements, spawners, masterAddr, masterPort, deploys, hostIds: [...usedIds], addresses, dataPathByHost: dataPaths, pythonByHost, freePort, deployFiles, close };
  } catch (error) {
    close();
    throw error;
  }
}

/** `$SSH_CONNECTION` of a session: the address the host sees us at, and its own address as we reached it. */
export async function sshConnectionAddresses(connection: SshConnection, signal?: AbortSignal): Promise<{ clientAddr: string; serverAddr: string }> {
  const result = await connection.exec('printf %s "$SSH_CONNECTION"', { timeoutMs: REMOTE_COMMAND_TIMEOUT_MS, signal });
  const [clientAddr, , serverAddr] = result.stdout.trim().split(/\s+/);
  if (!clientAddr || !serverAddr) throw new ShardScopeError('protocol', `host ${connection.target.id}: SSH_CONNECTION is not set; pass --master-addr`);
  return { clientAddr, serverAddr };
}

/** A TCP port free on the host right now (asked from the runtime its ranks use: Node.js, else the launcher's Python). */
async function remoteFreePort(connection: SshConnection, deploy: DeployResult, signal?: AbortSignal): Promise<number> {
  const argv = deploy.node
    ? [deploy.node.path, '-e', "const s=require('net').createServer();s.listen(0,()=>{process.stdout.write(String(s.address().port));s.close()})"]
    : [deploy.launcherArgv[0], '-c', "import socket\ns=socket.socket()\ns.bind(('',0))\nprint(s.getsockname()[1])\ns.close()"];
  const result = await connection.exec(shellQuote(argv), { timeoutMs: REMOTE_COMMAND_TIMEOUT_MS, signal });
  const port = Number(result.stdout.trim());
  if (!(port > 0)) throw new ShardScopeError('protocol', `host ${connection.target.id}: could not find a free port for the rendezvous (${result.stderr.trim()})`);
  return port;
}
