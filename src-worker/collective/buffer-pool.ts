/** Reuses receive buffers of equal size, so steady-state collectives allocate nothing per segment. */

/** A small free list of byte buffers keyed by size, capped in total bytes. */
export class BufferPool {
  private readonly free = new Map<number, Uint8Array[]>();
  private pooledBytes = 0;

  constructor(private readonly maxPooledBytes = 256 * 1024 * 1024) {}

  /** A buffer of exactly byteLength bytes at byteOffset 0 (so any 4-byte typed view is aligned); contents undefined. */
  take(byteLength: number): Uint8Array {
    const list = this.free.get(byteLength);
    const reused = list?.pop();
    if (reused) {
      this.pooledBytes -= byteLength;
      return reused;
    }
    return new Uint8Array(Buffer.allocUnsafeSlow(byteLength).buffer, 0, byteLength);
  }

  /** Gives a buffer from take() back for reuse; the caller must not touch it afterwards. */
  release(buffer: Uint8Array): void {
    if (buffer.byteLength === 0 || this.pooledBytes + buffer.byteLength > this.maxPooledBytes) return;
    const list = this.free.get(buffer.byteLength) ?? [];
    list.push(buffer);
    this.free.set(buffer.byteLength, list);
    this.pooledBytes += buffer.byteLength;
  }
}
