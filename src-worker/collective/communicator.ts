/** The communicator: owns the links to every peer, the groups, failure propagation, timeouts and accounting. */
import { ShardScopeError, type ErrorKind } from '../../src-shared/errors.js';
import { BufferPool } from './buffer-pool.js';
import { Group, type GroupHost } from './process-group.js';
import { PeerLink } from './peer-link.js';
import type { AbortFrame } from './protocol.js';
import type { Mesh } from './rendezvous.js';
import { addToStats, copyStats, emptyStats } from './stats.js';
import type { ResolvedTuning } from './tuning.js';
import type { CollectiveStats, Communicator, GroupOptions, OpKind, OpTiming, ProcessGroup, TransportStats } from './types.js';

/** Label of the world group in statsByLabel(). */
const WORLD_LABEL = 'world';
/** Label of groups made without one. */
const DEFAULT_LABEL = 'unlabelled';
/** Error kinds a peer's abort frame may pass on as they are; any other becomes `peer-lost`. */
const ABORT_KINDS: readonly ErrorKind[] = ['peer-lost', 'timeout', 'protocol', 'auth'];

/** Communicator over a built mesh. */
export class MeshCommunicator implements Communicator, GroupHost {
  readonly world: ProcessGroup;
  private readonly links: (PeerLink | undefined)[] = [];
  private readonly pool = new BufferPool();
  private readonly totals = emptyStats();
  private readonly totalsByLabel = new Map<string, CollectiveStats>();
  private readonly watchdog: NodeJS.Timeout | undefined;
  private failure: ShardScopeError | null = null;
  private groupCount = 0;
  onOp: ((op: OpTiming) => void) | null = null;
  arrivalOf: ((worldRank: number, key: string) => number | undefined) | null = null;
  private isClosing = false;

  constructor(
    readonly rank: number,
    readonly worldSize: number,
    mesh: Mesh,
    private readonly timeoutMs: number,
    readonly tuning: ResolvedTuning,
  ) {
    const events = {
      onAbort: (link: PeerLink, meta: AbortFrame) => {
        const kind = (ABORT_KINDS as readonly string[]).includes(meta.kind) ? meta.kind as ErrorKind : 'peer-lost';
        this.fail(new ShardScopeError(kind, `${meta.message} (reported by ${link.peerName})`));
      },
      onClosed: (link: PeerLink, error: Error | undefined, isGraceful: boolean) => {
        if (this.isClosing) return;
        if (isGraceful) {
          link.fail(new ShardScopeError('peer-lost', `${link.peerName} has closed its communicator`));
          return;
        }
        this.fail(new ShardScopeError('peer-lost', `${link.peerName} was lost: connection closed${error ? ` (${error.message})` : ''}`));
      },
    };
    for (const [peerRank, { connection, info }] of mesh.peers) {
      const name = `rank ${peerRank} on ${info.label} (${info.host}:${info.port || connection.remote.split(':').pop()})`;
      this.links[peerRank] = new PeerLink(peerRank, name, connection, this.pool, events);
    }
    this.world = new Group(this, 0, Array.from({ length: worldSize }, (_, r) => r), rank, WORLD_LABEL);
    if (worldSize > 1) {
      this.watchdog = setInterval(() => this.checkTimeouts(), Math.max(50, Math.min(1000, timeoutMs / 4)));
      this.watchdog.unref();
    }
  }

  newGroup(ranks: number[], options: GroupOptions = {}): ProcessGroup | null {
    const isValid = ranks.length > 0 && new Set(ranks).size === ranks.length
      && ranks.every((r) => Number.isInteger(r) && r >= 0 && r < this.worldSize);
    if (!isValid) throw new ShardScopeError('bad-input', `newGroup: ranks must be distinct integers in 0..${this.worldSize - 1}, got [${ranks.join(', ')}]`);
    const label = options.label ?? DEFAULT_LABEL;
    if (typeof label !== 'string' || label.length === 0) throw new ShardScopeError('bad-input', `newGroup: label must be a non-empty string, got ${JSON.stringify(label)}`);
    this.groupCount += 1;
    return ranks.includes(this.rank) ? new Group(this, this.groupCount, [...ranks], this.rank, label) : null;
  }

  stats(): CollectiveStats {
    return copyStats(this.totals);
  }

  statsByLabel(): Record<string, CollectiveStats> {
    return Object.fromEntries([...this.totalsByLabel].map(([label, stats]) => [label, copyStats(stats)]));
  }

  transportStats(): TransportStats {
    const connections = this.links.filter((l): l is PeerLink => l !== undefined).map((l) => l.connection);
    return {
      connections: connections.length,
      zeroCopyConnections: connections.filter((c) => c.isDirect).length,
      bytesReadInPlace: connections.reduce((sum, c) => sum + c.bytesReadInPlace, 0),
      bytesReadCopied: connections.reduce((sum, c) => sum + c.bytesReadCopied, 0),
    };
  }

  traceOps(listener: ((op: OpTiming) => void) | null): void {
    this.onOp = listener;
    this.arrivalOf = listener ? (worldRank, key) => this.links[worldRank]?.takeArrival(key) : null;
    for (const link of this.links) if (link) link.arrivals = listener ? new Map() : null;
  }

  async close(): Promise<void> {
    if (this.isClosing) return;
    this.isClosing = true;
    clearInterval(this.watchdog);
    this.failure ??= new ShardScopeError('cancelled', `the communicator of rank ${this.rank} is closed`);
    const live = this.links.filter((l): l is PeerLink => l !== undefined);
    for (const link of live) link.fail(this.failure);
    await Promise.all(live.map(async (link) => {
      await link.sendControl({ t: 'bye' });
      await link.connection.end();
    }));
  }

  assertUsable(): void {
    if (this.failure) throw this.failure;
  }

  sendTo(worldRank: number, key: string, payload: Uint8Array): Promise<void> {
    return this.link(worldRank).send(key, payload);
  }

  receiveFrom(worldRank: number, key: string, target?: Uint8Array): Promise<Uint8Array> {
    return this.link(worldRank).receive(key, target);
  }

  release(buffer: Uint8Array): void {
    this.pool.release(buffer);
  }

  record(label: string, kind: OpKind, bytesSent: number, bytesReceived: number, seconds: number): void {
    addToStats(this.totals, kind, bytesSent, bytesReceived, seconds);
    let byLabel = this.totalsByLabel.get(label);
    if (!byLabel) this.totalsByLabel.set(label, byLabel = emptyStats());
    addToStats(byLabel, kind, bytesSent, bytesReceived, seconds);
  }

  private link(worldRank: number): PeerLink {
    const link = this.links[worldRank];
    if (!link) throw new ShardScopeError('internal', `rank ${this.rank} has no link to rank ${worldRank}`);
    return link;
  }

  /** Fails everything at once and tells every peer, so no rank waits forever on a broken run. */
  private fail(error: ShardScopeError): void {
    if (this.failure || this.isClosing) return;
    this.failure = error;
    clearInterval(this.watchdog);
    for (const link of this.links) {
      if (!link) continue;
      link.fail(error);
      link.sendControl({ t: 'abort', kind: error.kind, message: error.message })
        .then(() => link.connection.end(200), () => link.connection.destroy());
    }
  }

  private checkTimeouts(): void {
    const nowMs = Date.now();
    for (const link of this.links) {
      if (!link || link.pendingReceives === 0) continue;
      const idleMs = nowMs - Math.max(link.waitingSinceMs, link.connection.lastReceiveMs);
      if (idleMs > this.timeoutMs) {
        this.fail(new ShardScopeError('timeout', `rank ${this.rank}: no data from ${link.peerName} for ${Math.round(idleMs)} ms (timeout ${this.timeoutMs} ms)`));
        return;
      }
    }
  }
}
