/**
 * Rendezvous and mesh: rank 0 listens on the master address; every other rank registers there
 * (its rank, advertised address and label) over an authenticated connection that then stays as
 * its link to rank 0; rank 0 sends everyone the world table; rank r dials ranks 1..r-1 and accepts
 * r+1..n-1. Every connection passes the HMAC handshake first; strangers are logged and dropped.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { hostname } from 'node:os';
import { ShardScopeError } from '../../src-shared/errors.js';
import { Connection } from './connection.js';
import { acceptHandshake, dialHandshake } from './handshake.js';
import type { AuthFrame, PeerInfo } from './protocol.js';
import type { CollectiveOptions } from './types.js';

export type { PeerInfo } from './protocol.js';

/** The connected world: one authenticated connection per other rank. */
export interface Mesh {
  peers: Map<number, { connection: Connection; info: PeerInfo }>;
  self: PeerInfo;
}

/** Longest time an accepted connection may take to prove the secret; a silent stranger is dropped after it. */
export const HANDSHAKE_TIMEOUT_MS = 3000;

/** True for addresses only this machine can reach (a run whose master is one has only local ranks). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/**
 * Builds the full mesh of authenticated connections, or fails with `timeout`/`auth`/`unavailable` within timeoutMs.
 * zeroCopyReads: whether connections read straight into posted buffers where this Node allows it.
 */
export async function buildMesh(opts: CollectiveOptions, timeoutMs: number, zeroCopyReads: boolean): Promise<Mesh> {
  const { rank, worldSize } = opts;
  const label = opts.hostLabel ?? hostname();
  // Ranks of a run whose master is on loopback are all on this machine: never listen beyond it.
  const bindHost = opts.bindHost ?? opts.advertiseHost ?? (rank === 0 || isLoopback(opts.masterAddr) ? opts.masterAddr : '0.0.0.0');
  const peers: Mesh['peers'] = new Map();
  if (worldSize === 1) return { peers, self: { rank, host: opts.advertiseHost ?? opts.masterAddr, port: 0, label } };
  const server = createServer();
  let settle: (error?: Error) => void = () => {};
  const done = new Promise<void>((resolve, reject) => {
    settle = (error) => (error ? reject(error) : resolve());
  });
  done.catch(() => {});
  const registrations: PeerInfo[] = [];
  let world: PeerInfo[] | null = null;
  const expectedAccepts = rank === 0 ? worldSize - 1 : worldSize - 1 - rank;
  let accepted = 0;

  const checkComplete = () => {
    if (world && peers.size === worldSize - 1) settle();
  };
  const onAuthenticated = (connection: Connection, hello: AuthFrame) => {
    const peerRank = hello.rank;
    const isValidRank = peerRank > rank && peerRank < worldSize;
    if (!isValidRank || peers.has(peerRank) || accepted >= expectedAccepts) {
      process.stderr.write(`shardscope collective rank ${rank}: dropped connection from ${connection.remote}: unexpected rank ${String(peerRank)}\n`);
      connection.destroy();
      return;
    }
    accepted += 1;
    if (rank !== 0) {
      const info = world?.[peerRank] ?? { rank: peerRank, host: connection.socket.remoteAddress ?? '?', port: 0, label: hello.label ?? '?' };
      peers.set(peerRank, { connection, info });
      checkComplete();
      return;
    }
    const info: PeerInfo = { rank: peerRank, host: hello.host ?? connection.socket.remoteAddress ?? '?', port: hello.port ?? 0, label: hello.label ?? '?' };
    peers.set(peerRank, { connection, info });
    registrations.push(info);
    if (registrations.length === worldSize - 1) {
      world = [{ rank: 0, host: opts.advertiseHost ?? opts.masterAddr, port: opts.masterPort, label }, ...registrations.sort((a, b) => a.rank - b.rank)];
      for (const { connection: c } of peers.values()) c.write({ t: 'world', peers: world }).catch(() => {});
      checkComplete();
    }
  };
  // Connections still proving the secret: closed when the mesh is built, whatever state they are in.
  const unproven = new Set<Connection>();
  server.on('connection', (socket: Socket) => {
    const connection = new Connection(socket, zeroCopyReads);
    unproven.add(connection);
    acceptHandshake(connection, opts.secret, Math.min(timeoutMs, HANDSHAKE_TIMEOUT_MS)).then(
      (hello) => {
        unproven.delete(connection);
        onAuthenticated(connection, hello);
      },
      (error: Error) => {
        unproven.delete(connection);
        process.stderr.write(`shardscope collective rank ${rank}: ${error.message}\n`);
        connection.destroy();
      },
    );
  });

  const timer = setTimeout(() => {
    const missing = Array.from({ length: worldSize }, (_, r) => r).filter((r) => r !== rank && !peers.has(r));
    settle(new ShardScopeError('timeout', `rendezvous: rank ${rank} waited ${timeoutMs} ms for rank(s) ${missing.join(', ')} (master ${opts.masterAddr}:${opts.masterPort})`));
  }, timeoutMs);
  try {
    const port = await listen(server, rank === 0 ? opts.masterPort : 0, bindHost);
    if (rank !== 0) {
      const master = await dialWithRetry(opts.masterAddr, opts.masterPort, Date.now() + timeoutMs, done, zeroCopyReads);
      const advertiseHost = opts.advertiseHost ?? (isWildcard(bindHost) ? master.socket.localAddress ?? bindHost : bindHost);
      await dialHandshake(master, opts.secret, { rank, host: advertiseHost, port, label }, timeoutMs);
      const table = await waitForWorld(master, done);
      world = table;
      peers.set(0, { connection: master, info: table[0] });
      for (const [peerRank, entry] of peers) if (peerRank > rank) entry.info = table[peerRank];
      await Promise.all(table.slice(1, rank).map(async (info) => {
        const connection = await dialWithRetry(info.host, info.port, Date.now() + timeoutMs, done, zeroCopyReads);
        await dialHandshake(connection, opts.secret, { rank, label }, timeoutMs);
        peers.set(info.rank, { connection, info });
      }));
      checkComplete();
    }
    await done;
    return { peers, self: world![rank] };
  } catch (error) {
    for (const { connection } of peers.values()) connection.destroy();
    throw error;
  } finally {
    clearTimeout(timer);
    server.close();
    for (const connection of unproven) connection.destroy();
  }
}

function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '';
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', (error) => reject(new ShardScopeError('unavailable', `cannot listen on ${host}:${port}: ${error.message}`)));
    server.listen(port, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : port);
    });
  });
}

/** Connects, retrying refused connections (the peer may not be listening yet) until the deadline or until `abort` settles. */
async function dialWithRetry(host: string, port: number, deadlineMs: number, abort: Promise<void>, zeroCopyReads: boolean): Promise<Connection> {
  let isAborted = false;
  abort.catch(() => {}).finally(() => { isAborted = true; });
  for (let delayMs = 20; ; delayMs = Math.min(500, delayMs * 2)) {
    try {
      const socket = await new Promise<Socket>((resolve, reject) => {
        const s = connect({ host, port }, () => { s.off('error', reject); resolve(s); });
        s.once('error', reject);
      });
      return new Connection(socket, zeroCopyReads);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const isRetryable = code === 'ECONNREFUSED' || code === 'ECONNRESET' || code === 'EHOSTUNREACH' || code === 'ETIMEDOUT';
      if (!isRetryable || isAborted || Date.now() + delayMs > deadlineMs) {
        throw new ShardScopeError(isRetryable ? 'timeout' : 'unavailable', `cannot reach ${host}:${port}: ${(error as Error).message}`);
      }
      await new Promise((resolve) => setTimeout(resolve, delayMs));
    }
  }
}

function waitForWorld(master: Connection, abort: Promise<void>): Promise<PeerInfo[]> {
  return new Promise((resolve, reject) => {
    abort.catch(reject);
    master.onClose = () => reject(new ShardScopeError('peer-lost', `rank 0 (${master.remote}) closed the connection during rendezvous`));
    master.attach((frame) => {
      if (frame.meta.t === 'world') {
        master.hold();
        resolve(frame.meta.peers);
      }
    });
  });
}
