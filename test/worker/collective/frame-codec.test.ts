import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameDecoder, type Frame } from '../../../src-worker/collective/frame-codec.js';
import { ShardScopeError } from '../../../src-shared/errors.js';

const limits = { maxMetaBytes: 1 << 16, maxPayloadBytes: 1 << 24 };

function sampleFrames(): Frame[] {
  const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);
  return [
    { meta: { t: 'd', k: '0.0.0.0' }, payload: bytes(0, 1) },
    { meta: { t: 'd', k: '1.2.3.4 é ünïcode' }, payload: bytes(1, 2) },
    { meta: { t: 'abort', kind: 'peer-lost', message: 'x' }, payload: bytes(7, 3) },
    { meta: { t: 'd', k: 'big' }, payload: bytes(100_003, 4) },
  ];
}

function concat(parts: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) { all.set(p, offset); offset += p.length; }
  return all;
}

function decodeInPieces(stream: Uint8Array, cuts: number[]): Frame[] {
  const decoder = new FrameDecoder(limits);
  const frames: Frame[] = [];
  let start = 0;
  for (const end of [...cuts, stream.length]) {
    frames.push(...decoder.push(stream.subarray(start, end)));
    start = end;
  }
  assert.ok(decoder.isIdle());
  return frames;
}

test('frames fed one byte at a time decode to the same frames', () => {
  const frames = sampleFrames().slice(0, 3);
  const stream = concat(frames.map((f) => encodeFrame(f.meta, f.payload)));
  const decoded = decodeInPieces(stream, Array.from({ length: stream.length - 1 }, (_, i) => i + 1));
  assert.deepEqual(decoded.map((f) => f.meta), frames.map((f) => f.meta));
  assert.deepEqual(decoded.map((f) => Array.from(f.payload)), frames.map((f) => Array.from(f.payload)));
});

test('frames split at random points decode to the same frames', () => {
  const frames = sampleFrames();
  const stream = concat(frames.map((f) => encodeFrame(f.meta, f.payload)));
  let seed = 12345;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let trial = 0; trial < 50; trial++) {
    const cuts = Array.from({ length: 1 + Math.floor(random() * 40) }, () => Math.floor(random() * stream.length)).sort((a, b) => a - b);
    const decoded = decodeInPieces(stream, cuts);
    assert.equal(decoded.length, frames.length);
    decoded.forEach((f, i) => {
      assert.deepEqual(f.meta, frames[i].meta);
      assert.ok(Buffer.from(f.payload).equals(Buffer.from(frames[i].payload)));
    });
  }
});

test('the allocator decides where a payload lands (receive straight into a posted buffer)', () => {
  const target = new Uint8Array(7);
  const decoder = new FrameDecoder(limits, (meta, n) => (meta.t === 'd' && meta.k === 'mine' ? target : new Uint8Array(n)));
  const stream = encodeFrame({ t: 'd', k: 'mine' }, Uint8Array.of(1, 2, 3, 4, 5, 6, 7));
  const frames = stream.reduce<Frame[]>((acc, _, i) => acc.concat(decoder.push(stream.subarray(i, i + 1))), []);
  assert.equal(frames[0].payload, target);
  assert.deepEqual(Array.from(target), [1, 2, 3, 4, 5, 6, 7]);
});

test('garbage, oversized frames and bad metadata are protocol errors', () => {
  const isProtocol = (error: unknown) => error instanceof ShardScopeError && error.kind === 'protocol';
  assert.throws(() => new FrameDecoder(limits).push(new TextEncoder().encode('GET / HTTP/1.1\r\n\r\n')), isProtocol);
  const big = encodeFrame({ t: 'd', k: 'x' }, new Uint8Array(100));
  assert.throws(() => new FrameDecoder({ maxMetaBytes: 4096, maxPayloadBytes: 0 }).push(big), isProtocol);
  const notJson = encodeFrame({ t: 'bye' });
  notJson[12] = 0x7b; notJson[13] = 0x7b;
  assert.throws(() => new FrameDecoder(limits).push(notJson), isProtocol);
});

test('zero-copy reads (scratch for headers, payload window for payloads) in random sizes decode to the same frames', () => {
  const frames = sampleFrames();
  const stream = concat(frames.map((f) => encodeFrame(f.meta, f.payload)));
  let seed = 777;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let trial = 0; trial < 30; trial++) {
    const decoder = new FrameDecoder(limits);
    const decoded: Frame[] = [];
    const scratch = new Uint8Array(64);
    let offset = 0;
    let windowBytes = 0;
    while (offset < stream.length) {
      const window = decoder.payloadWindow();
      const into = window ?? scratch;
      // Like read(2): at most the buffer's length, at most what the sender has written so far.
      const n = Math.min(into.length, stream.length - offset, 1 + Math.floor(random() * 5000));
      into.set(stream.subarray(offset, offset + n));
      offset += n;
      if (window) { decoder.fillPayload(n, (f) => decoded.push(f)); windowBytes += n; }
      else decoder.feed(scratch.subarray(0, n), (f) => decoded.push(f));
    }
    assert.ok(decoder.isIdle());
    assert.ok(windowBytes > 0, 'some payload bytes were read straight into the payload buffer');
    assert.equal(decoded.length, frames.length);
    decoded.forEach((f, i) => {
      assert.deepEqual(f.meta, frames[i].meta);
      assert.ok(Buffer.from(f.payload).equals(Buffer.from(frames[i].payload)));
    });
  }
});
