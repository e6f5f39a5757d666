/**
 * The data link to one peer: sends keyed data frames, and matches arriving frames to posted
 * receives by key (group id, op sequence, step, segment), so traffic of different groups and ops
 * never mixes. A posted receive with a target buffer gets its payload written straight into it.
 */
import { ShardScopeError } from '../../src-shared/errors.js';
import type { BufferPool } from './buffer-pool.js';
import type { Connection } from './connection.js';
import type { Frame } from './frame-codec.js';
import type { AbortFrame, FrameMeta } from './protocol.js';

interface PostedReceive {
  target?: Uint8Array;
  resolve: (payload: Uint8Array) => void;
  reject: (error: Error) => void;
}

/** Callbacks from a link to its communicator. */
export interface LinkEvents {
  /** The peer announced it is aborting the run (it saw another failure). */
  onAbort(link: PeerLink, meta: AbortFrame): void;
  /** The connection closed; `isGraceful` when the peer said goodbye first. */
  onClosed(link: PeerLink, error: Error | undefined, isGraceful: boolean): void;
}

/** Keyed send/receive over one authenticated connection. */
export class PeerLink {
  private readonly posted = new Map<string, PostedReceive>();
  private readonly arrived = new Map<string, Uint8Array>();
  private failure: ShardScopeError | null = null;
  private isGraceful = false;
  /** When the oldest currently pending receive began waiting (for timeouts); 0 when none. */
  waitingSinceMs = 0;
  /** While ops are traced: when each data frame's header arrived (performance.now() ms), by key, until taken. */
  arrivals: Map<string, number> | null = null;

  constructor(
    readonly peerRank: number,
    /** "rank 3 on gpu-b (10.0.0.3:4100)" */
    readonly peerName: string,
    readonly connection: Connection,
    private readonly pool: BufferPool,
    events: LinkEvents,
  ) {
    connection.onClose = (error) => events.onClosed(this, error, this.isGraceful);
    connection.attach((frame) => this.onFrame(frame, events), (meta, byteLength) => this.allocate(meta, byteLength));
  }

  /** Number of receives waiting for data. */
  get pendingReceives(): number {
    return this.posted.size;
  }

  /** Sends one data frame; the payload is written from caller memory, which must stay unchanged until this resolves. */
  send(key: string, payload: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return this.connection.write({ t: 'd', k: key }, payload).catch((error: Error) => {
      throw this.failure ?? new ShardScopeError('peer-lost', `${this.peerName}: send failed (${error.message})`);
    });
  }

  /** Waits for the frame with this key; with a target, the payload lands in it (its length must match). */
  receive(key: string, target?: Uint8Array): Promise<Uint8Array> {
    if (this.failure) return Promise.reject(this.failure);
    const early = this.arrived.get(key);
    if (early) {
      this.arrived.delete(key);
      if (!target) return Promise.resolve(early);
      if (early.byteLength !== target.byteLength) return Promise.reject(sizeMismatch(key, target.byteLength, early.byteLength));
      target.set(early);
      this.pool.release(early);
      return Promise.resolve(target);
    }
    if (this.posted.has(key)) return Promise.reject(new ShardScopeError('internal', `two receives posted for ${key}`));
    if (this.posted.size === 0) this.waitingSinceMs = Date.now();
    return new Promise((resolve, reject) => this.posted.set(key, { target, resolve, reject }));
  }

  /** Returns a buffer obtained from receive() without a target to the pool. */
  release(buffer: Uint8Array): void {
    this.pool.release(buffer);
  }

  /** Fails every pending and future operation on this link with `error`. */
  fail(error: ShardScopeError): void {
    if (this.failure) return;
    this.failure = error;
    for (const posted of this.posted.values()) posted.reject(error);
    this.posted.clear();
    for (const buffer of this.arrived.values()) this.pool.release(buffer);
    this.arrived.clear();
  }

  /** Sends a control frame (abort / bye), ignoring failures: best effort on the way down. */
  sendControl(meta: FrameMeta): Promise<void> {
    return this.connection.write(meta).catch(() => {});
  }

  /** Takes the arrival time of the frame with this key (see `arrivals`). */
  takeArrival(key: string): number | undefined {
    const arrivedMs = this.arrivals?.get(key);
    if (arrivedMs !== undefined) this.arrivals!.delete(key);
    return arrivedMs;
  }

  private allocate(meta: FrameMeta, byteLength: number): Uint8Array {
    if (meta.t === 'd') {
      this.arrivals?.set(meta.k, performance.now());
      const target = this.posted.get(meta.k)?.target;
      if (target) {
        if (target.byteLength !== byteLength) throw sizeMismatch(meta.k, target.byteLength, byteLength);
        return target;
      }
    }
    return this.pool.take(byteLength);
  }

  private onFrame(frame: Frame, events: LinkEvents): void {
    const { meta, payload } = frame;
    switch (meta.t) {
      case 'd':
        this.onData(meta.k, payload);
        return;
      case 'abort':
        events.onAbort(this, meta);
        return;
      case 'bye':
        this.isGraceful = true;
        return;
      default:
        throw new ShardScopeError('protocol', `${this.peerName} sent a "${meta.t}" frame after the handshake`);
    }
  }

  private onData(key: string, payload: Uint8Array): void {
    const posted = this.posted.get(key);
    if (!posted) {
      if (this.arrived.has(key)) throw new ShardScopeError('protocol', `${this.peerName} sent ${key} twice`);
      this.arrived.set(key, payload);
      return;
    }
    this.posted.delete(key);
    this.waitingSinceMs = this.posted.size === 0 ? 0 : Date.now();
    if (posted.target && posted.target !== payload) {
      if (posted.target.byteLength !== payload.byteLength) {
        posted.reject(sizeMismatch(key, posted.target.byteLength, payload.byteLength));
        return;
      }
      posted.target.set(payload);
      this.pool.release(payload);
      posted.resolve(posted.target);
      return;
    }
    posted.resolve(payload);
  }
}

function sizeMismatch(key: string, expectedBytes: number, actualBytes: number): ShardScopeError {
  return new ShardScopeError('protocol', `message ${key}: expected ${expectedBytes} bytes, got ${actualBytes} (ranks called the operation with different lengths?)`);
}
