/**
 * Sans-IO frame codec: a frame is a fixed 12-byte header (magic, meta length, payload length, all
 * big-endian u32), UTF-8 JSON metadata, then raw payload bytes. The decoder takes bytes in any
 * chunking and returns whole frames, their metadata checked against the protocol (protocol.ts);
 * it never touches a socket.
 */
import { ShardScopeError } from '../../src-shared/errors.js';
import { parseFrameMeta, type FrameMeta } from './protocol.js';

/** 'SSC1': marks the start of every frame, so a stranger's random bytes fail fast. */
export const FRAME_MAGIC = 0x53534331;
/** Size of the fixed header in bytes. */
export const FRAME_HEADER_BYTES = 12;

/** One decoded frame. */
export interface Frame {
  meta: FrameMeta;
  payload: Uint8Array;
}

/** Size limits enforced while decoding (a peer that exceeds them is speaking nonsense or attacking). */
export interface FrameLimits {
  maxMetaBytes: number;
  maxPayloadBytes: number;
}

/** Chooses where a payload lands: return a view of exactly `byteLength` bytes (e.g. into a posted receive buffer). */
export type PayloadAllocator = (meta: FrameMeta, byteLength: number) => Uint8Array;

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

/** Encodes header + metadata of a frame whose payload (sent separately, without copying) has payloadBytes bytes. */
export function encodeFrameHead(meta: FrameMeta, payloadBytes: number): Uint8Array {
  const metaBytes = textEncoder.encode(JSON.stringify(meta));
  const head = new Uint8Array(FRAME_HEADER_BYTES + metaBytes.length);
  const view = new DataView(head.buffer);
  view.setUint32(0, FRAME_MAGIC);
  view.setUint32(4, metaBytes.length);
  view.setUint32(8, payloadBytes);
  head.set(metaBytes, FRAME_HEADER_BYTES);
  return head;
}

/** Encodes a whole frame into one new byte array (control frames and tests; data frames use encodeFrameHead). */
export function encodeFrame(meta: FrameMeta, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const head = encodeFrameHead(meta, payload.byteLength);
  const whole = new Uint8Array(head.length + payload.byteLength);
  whole.set(head, 0);
  whole.set(payload, head.length);
  return whole;
}

const defaultAllocator: PayloadAllocator = (_meta, byteLength) => new Uint8Array(byteLength);

/** Incremental decoder: push bytes as they arrive, get the frames they complete. */
export class FrameDecoder {
  private limits: FrameLimits;
  private readonly header = new Uint8Array(FRAME_HEADER_BYTES);
  private headerFilled = 0;
  private metaLength = 0;
  private payloadLength = 0;
  private metaBuffer: Uint8Array | null = null;
  private metaFilled = 0;
  private meta: FrameMeta | null = null;
  private payload: Uint8Array | null = null;
  private payloadFilled = 0;

  constructor(limits: FrameLimits, private allocate: PayloadAllocator = defaultAllocator) {
    this.limits = { ...limits };
  }

  /** Changes the limits, e.g. raises them once the peer is authenticated. */
  setLimits(limits: FrameLimits): void {
    this.limits = { ...limits };
  }

  /** Consumes bytes; returns every frame they complete, in order. Throws `protocol` on malformed input. */
  push(bytes: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    this.feed(bytes, (frame) => frames.push(frame));
    return frames;
  }

  /**
   * Consumes bytes and calls onFrame for each completed frame as soon as it is complete, so the
   * caller can change limits or the allocator between frames (e.g. right after authentication).
   */
  feed(bytes: Uint8Array, onFrame: (frame: Frame) => void): void {
    let offset = 0;
    while (offset < bytes.length) {
      if (this.headerFilled < FRAME_HEADER_BYTES) {
        const take = Math.min(FRAME_HEADER_BYTES - this.headerFilled, bytes.length - offset);
        this.header.set(bytes.subarray(offset, offset + take), this.headerFilled);
        this.headerFilled += take;
        offset += take;
        if (this.headerFilled === FRAME_HEADER_BYTES) this.startFrame();
        else break;
      }
      if (this.meta === null) {
        const take = Math.min(this.metaLength - this.metaFilled, bytes.length - offset);
        this.metaBuffer!.set(bytes.subarray(offset, offset + take), this.metaFilled);
        this.metaFilled += take;
        offset += take;
        if (this.metaFilled < this.metaLength) break;
        this.meta = parseMeta(this.metaBuffer!);
        this.payload = this.payloadLength === 0 ? new Uint8Array(0) : this.allocate(this.meta, this.payloadLength);
        if (this.payload.byteLength !== this.payloadLength) {
          throw new ShardScopeError('internal', `payload allocator returned ${this.payload.byteLength} bytes, expected ${this.payloadLength}`);
        }
      }
      const take = Math.min(this.payloadLength - this.payloadFilled, bytes.length - offset);
      if (take > 0) {
        this.payload!.set(bytes.subarray(offset, offset + take), this.payloadFilled);
        this.payloadFilled += take;
        offset += take;
      }
      if (this.payloadFilled === this.payloadLength) {
        const frame = { meta: this.meta, payload: this.payload! };
        this.reset();
        onFrame(frame);
      }
    }
  }

  /**
   * Zero-copy reception, step 1: the unfilled rest of the current frame's payload (a view of the
   * allocator's buffer, e.g. a posted receive), or null when the next bytes are header/metadata and
   * must go through feed(). A reader writes wire bytes straight into this view, then calls fillPayload().
   */
  payloadWindow(): Uint8Array | null {
    if (this.meta === null || this.payload === null || this.payloadFilled >= this.payloadLength) return null;
    return this.payload.subarray(this.payloadFilled);
  }

  /** Zero-copy reception, step 2: byteLength bytes were written at the start of payloadWindow(); emits the frame once complete. */
  fillPayload(byteLength: number, onFrame: (frame: Frame) => void): void {
    if (this.meta === null || this.payload === null || byteLength > this.payloadLength - this.payloadFilled) {
      throw new ShardScopeError('internal', `fillPayload(${byteLength}) outside the current payload window`);
    }
    this.payloadFilled += byteLength;
    if (this.payloadFilled === this.payloadLength) {
      const frame = { meta: this.meta, payload: this.payload };
      this.reset();
      onFrame(frame);
    }
  }

  /** Changes where payloads land from the next frame on. */
  setAllocator(allocate: PayloadAllocator): void {
    this.allocate = allocate;
  }

  /** True when no partial frame is buffered (a clean frame boundary). */
  isIdle(): boolean {
    return this.headerFilled === 0;
  }

  private startFrame(): void {
    const view = new DataView(this.header.buffer);
    if (view.getUint32(0) !== FRAME_MAGIC) throw new ShardScopeError('protocol', 'bad frame magic: the peer does not speak the ShardScope collective protocol');
    this.metaLength = view.getUint32(4);
    this.payloadLength = view.getUint32(8);
    if (this.metaLength < 2 || this.metaLength > this.limits.maxMetaBytes) {
      throw new ShardScopeError('protocol', `frame metadata of ${this.metaLength} bytes is outside the allowed 2..${this.limits.maxMetaBytes}`);
    }
    if (this.payloadLength > this.limits.maxPayloadBytes) {
      throw new ShardScopeError('protocol', `frame payload of ${this.payloadLength} bytes exceeds the allowed ${this.limits.maxPayloadBytes}`);
    }
    this.metaBuffer = new Uint8Array(this.metaLength);
    this.metaFilled = 0;
    this.meta = null;
    this.payloadFilled = 0;
  }

  private reset(): void {
    this.headerFilled = 0;
    this.metaBuffer = null;
    this.meta = null;
    this.payload = null;
    this.payloadFilled = 0;
  }
}

function parseMeta(bytes: Uint8Array): FrameMeta {
  let value: unknown;
  try {
    value = JSON.parse(textDecoder.decode(bytes));
  } catch {
    throw new ShardScopeError('protocol', 'frame metadata is not valid JSON');
  }
  return parseFrameMeta(value);
}
