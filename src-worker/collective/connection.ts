/** One TCP connection carrying frames: owns the socket and its decoder, writes frames without copying payloads. */
import type { Socket } from 'node:net';
import { ShardScopeError } from '../../src-shared/errors.js';
import { enableDirectReads } from './direct-read.js';
import { encodeFrameHead, FrameDecoder, type Frame, type FrameLimits, type PayloadAllocator } from './frame-codec.js';
import type { FrameMeta } from './protocol.js';

/** Read size while between payloads: a frame header and its metadata, plus the start of a payload. */
const SCRATCH_BYTES = 4096;

/** Limits before the peer has proven it knows the secret: small control frames only. */
export const PRE_AUTH_LIMITS: FrameLimits = { maxMetaBytes: 4096, maxPayloadBytes: 0 };
/** Limits for an authenticated peer. */
export const AUTHED_LIMITS: FrameLimits = { maxMetaBytes: 1 << 20, maxPayloadBytes: 0xffffffff };

/** Frames in, frames out over one socket; handlers are swapped as the connection moves from handshake to data. */
export class Connection {
  /** Called for each complete frame; replaced by whoever owns the connection at that stage. */
  onFrame: (frame: Frame) => void = () => {};
  /** Called once when the socket is gone; `error` is set when it ended abnormally. */
  onClose: (error: Error | undefined) => void = () => {};
  /** Time of the last byte received, for timeouts. */
  lastReceiveMs = Date.now();
  /** "address:port" of the other end, for messages. */
  readonly remote: string;
  private readonly decoder: FrameDecoder;
  private held: Frame[] | null = null;
  private isClosed = false;
  /** Header/metadata reads land here; payload reads go straight to the payload buffer. */
  private readonly scratch = new Uint8Array(SCRATCH_BYTES);
  /** True when the socket reads into our buffers (zero-copy), false when it delivers 'data' chunks. */
  readonly isDirect: boolean;
  /** Bytes the kernel wrote straight into payload buffers (zero-copy reads only). */
  bytesReadInPlace = 0;
  /** Bytes that arrived in an intermediate buffer (a 'data' chunk or the scratch) and were copied from it. */
  bytesReadCopied = 0;
  private closeError: Error | undefined;

  /** zeroCopyReads: read straight into our buffers when this Node allows it (else, or when false, Node's 'data' chunks). */
  constructor(readonly socket: Socket, zeroCopyReads: boolean) {
    this.remote = `${socket.remoteAddress ?? '?'}:${socket.remotePort ?? '?'}`;
    this.decoder = new FrameDecoder(PRE_AUTH_LIMITS);
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 5000);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    // Zero-copy path: payload bytes are read straight into their destination; falls back to 'data' events.
    this.isDirect = zeroCopyReads && enableDirectReads(socket, this.scratch, (byteLength, buffer) => this.readInto(byteLength, buffer));
    socket.on('error', (error) => { this.closeError ??= error; });
    socket.on('close', () => {
      this.isClosed = true;
      this.onClose(this.closeError);
    });
  }

  /** Bytes from a 'data' event (copying path). */
  private received(chunk: Uint8Array): void {
    this.lastReceiveMs = Date.now();
    this.bytesReadCopied += chunk.byteLength;
    try {
      this.decoder.feed(chunk, (frame) => this.onFrame(frame));
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Direct read of byteLength bytes into buffer (scratch or the payload window); returns where the next read goes. */
  private readInto(byteLength: number, buffer: Uint8Array): Uint8Array {
    this.lastReceiveMs = Date.now();
    try {
      if (buffer === this.scratch) {
        this.bytesReadCopied += byteLength;
        this.decoder.feed(buffer.subarray(0, byteLength), (frame) => this.onFrame(frame));
      } else {
        this.bytesReadInPlace += byteLength;
        this.decoder.fillPayload(byteLength, (frame) => this.onFrame(frame));
      }
    } catch (error) {
      this.destroy(error instanceof Error ? error : new Error(String(error)));
      return this.scratch;
    }
    return this.decoder.payloadWindow() ?? this.scratch;
  }

  /** Raises the decoder limits: called synchronously once the peer has proven the secret. */
  authenticate(): void {
    this.decoder.setLimits(AUTHED_LIMITS);
  }

  /** Queues frames until attach(): nothing is lost between the handshake and the new owner. */
  hold(): void {
    this.held = [];
    this.onFrame = (frame) => this.held!.push(frame);
  }

  /** Hands the connection to its owner: sets where payloads land and who gets frames, then replays queued frames. */
  attach(onFrame: (frame: Frame) => void, allocate?: PayloadAllocator): void {
    if (allocate) this.decoder.setAllocator(allocate);
    const queued = this.held ?? [];
    this.held = null;
    this.onFrame = onFrame;
    // Dispatch through this.onFrame: a handler may hold() again mid-replay, and later frames must follow it.
    for (const frame of queued) this.onFrame(frame);
  }

  /** True once the socket has closed. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Writes one frame; the payload is written from the caller's memory (no copy); resolves when handed to the kernel. */
  write(meta: FrameMeta, payload?: Uint8Array): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.isClosed || this.socket.destroyed) {
        reject(new ShardScopeError('peer-lost', `connection to ${this.remote} is closed`));
        return;
      }
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      const head = encodeFrameHead(meta, payload?.byteLength ?? 0);
      if (!payload || payload.byteLength === 0) {
        this.socket.write(head, done);
        return;
      }
      this.socket.cork();
      this.socket.write(head);
      this.socket.write(payload, done);
      this.socket.uncork();
    });
  }

  /** Ends the connection after pending writes; forces it shut after graceMs. */
  end(graceMs = 1000): Promise<void> {
    if (this.isClosed) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.socket.destroy(), graceMs);
      timer.unref();
      this.socket.once('close', () => { clearTimeout(timer); resolve(); });
      this.socket.end();
    });
  }

  /** Drops the connection at once; `error` becomes the reason reported by onClose. */
  destroy(error?: Error): void {
    if (error) this.closeError ??= error;
    this.socket.destroy();
  }
}
