import { test } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameDecoder } from '../../../src-worker/collective/frame-codec.js';
import { parseFrameMeta, type FrameMeta } from '../../../src-worker/collective/protocol.js';
import { ShardScopeError } from '../../../src-shared/errors.js';

const limits = { maxMetaBytes: 1 << 16, maxPayloadBytes: 1 << 20 };
const nonce = 'a'.repeat(64);

/** One frame of every type the protocol has. */
const everyType: FrameMeta[] = [
  { t: 'challenge', nonce },
  { t: 'auth', nonce, mac: 'b'.repeat(64), rank: 2, label: 'gpu-b', host: '10.0.0.2', port: 4100 },
  { t: 'auth', nonce, mac: 'b'.repeat(64), rank: 1 },
  { t: 'auth-ok', mac: 'c'.repeat(64) },
  { t: 'world', peers: [{ rank: 0, host: '10.0.0.1', port: 29500, label: 'gpu-a' }, { rank: 1, host: '10.0.0.2', port: 4100, label: 'gpu-b' }] },
  { t: 'd', k: '0.3.1.2' },
  { t: 'abort', kind: 'peer-lost', message: 'rank 3 was lost' },
  { t: 'bye' },
];

test('every frame type of the protocol decodes to the same metadata', () => {
  const decoder = new FrameDecoder(limits);
  const decoded = everyType.flatMap((meta) => decoder.push(encodeFrame(meta)));
  assert.deepEqual(decoded.map((f) => f.meta), everyType);
});

test('unknown frame types and malformed fields are protocol errors naming the type', () => {
  const bad: Array<[unknown, RegExp]> = [
    [{ t: 'hello' }, /unknown frame type "hello"/],
    [{ t: 'toString' }, /unknown frame type "toString"/],
    [{ t: 5 }, /string "t"/],
    [['d', 'k'], /string "t"/],
    [{ t: 'd' }, /malformed "d"/],
    [{ t: 'd', k: 7 }, /malformed "d"/],
    [{ t: 'auth', nonce, mac: 'x', rank: -1 }, /malformed "auth"/],
    [{ t: 'auth', nonce, mac: 'x', rank: 1.5 }, /malformed "auth"/],
    [{ t: 'auth', nonce, mac: 'x', rank: 1, port: '22' }, /malformed "auth"/],
    [{ t: 'world', peers: [{ rank: 0, host: 'h', port: 1 }] }, /malformed "world"/],
    [{ t: 'world', peers: 'all' }, /malformed "world"/],
    [{ t: 'abort', kind: 'timeout' }, /malformed "abort"/],
    [{ t: 'challenge' }, /malformed "challenge"/],
  ];
  for (const [meta, message] of bad) {
    assert.throws(() => parseFrameMeta(meta), (error: unknown) => error instanceof ShardScopeError && error.kind === 'protocol' && message.test(error.message), JSON.stringify(meta));
    // The decoder applies the same check to what arrives on the wire.
    assert.throws(() => new FrameDecoder(limits).push(encodeFrame(meta as FrameMeta)), (error: unknown) => error instanceof ShardScopeError && error.kind === 'protocol');
  }
});
