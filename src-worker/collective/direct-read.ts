/**
 * Zero-copy socket reception: makes an already-connected net.Socket read into buffers we choose
 * (the same mechanism as the documented `onread: { buffer, callback }` option of net.connect, which
 * accepted sockets cannot be given). Each read(2) then lands straight in the posted receive buffer
 * instead of a fresh 64 KiB chunk that is copied and garbage-collected. Uses Node's internal
 * per-socket slots (found by symbol description; present in the Node versions package.json `engines`
 * allows, which test/worker/collective/zero-copy.test.ts checks); returns false when they are absent, in
 * which case the caller keeps its 'data' listener. Whether to try at all is the caller's choice
 * (CollectiveTuning.zeroCopyReads).
 */
import type { Socket } from 'node:net';

interface UserBufferHandle {
  useUserBuffer?: (buffer: Uint8Array) => void;
}

/** Called after each read with the byte count and the buffer it landed in; returns the buffer for the next read. */
export type DirectReader = (byteLength: number, buffer: Uint8Array) => Uint8Array;

function slot(socket: Socket, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(socket).find((s) => s.description === description);
}

/**
 * Switches the socket to reading into `first`, then into whatever `onRead` returns; exceptions thrown by
 * onRead must be handled inside it. Returns false (and changes nothing) when this Node cannot do it.
 */
export function enableDirectReads(socket: Socket, first: Uint8Array, onRead: DirectReader): boolean {
  const kBuffer = slot(socket, 'kBuffer');
  const kBufferCb = slot(socket, 'kBufferCb');
  const kBufferGen = slot(socket, 'kBufferGen');
  const handle = (socket as unknown as { _handle?: UserBufferHandle | null })._handle;
  if (!kBuffer || !kBufferCb || !kBufferGen || typeof handle?.useUserBuffer !== 'function') return false;
  const slots = socket as unknown as Record<symbol, unknown>;
  if (slots[kBuffer]) return false;
  let next = first;
  slots[kBuffer] = first;
  // Node calls kBufferCb(nread, buffer) after each read, then kBufferGen() for the next buffer.
  slots[kBufferCb] = (byteLength: number, buffer: Uint8Array) => {
    next = onRead(byteLength, buffer);
  };
  slots[kBufferGen] = () => next;
  handle.useUserBuffer(first);
  return true;
}
