/**
 * The zero-copy read path (direct-read.ts) relies on Node internals, so it could silently fall back to copying
 * on a Node that changed them. A real 2-process all-reduce must show it is taken on the Node running the tests
 * (package.json `engines` allows only the majors tested), and that zeroCopyReads: false really copies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CollectiveStats, TransportStats } from '../../../src-worker/collective/index.js';
import { runWorld, type RankOutcome } from './support/spawn-ranks.js';

/** 4 MB float32 buffers: each all-reduce moves 2 MB to the other rank in 4 MiB-segment frames. */
const LENGTH = 1_000_003;

function reportOf(outcome: RankOutcome, rank: number): { transport: TransportStats; payloadBytesReceived: number } {
  const line = outcome.lines.find((l) => 'checks' in l || 'error' in l);
  assert.equal(outcome.code, 0, `rank ${rank} exited ${outcome.code}: ${JSON.stringify(line?.error)} ${outcome.stderr}`);
  for (const c of line!.checks as Array<{ op: string; mismatches: number }>) assert.equal(c.mismatches, 0, `rank ${rank}: ${c.op} wrong`);
  const stats = line!.stats as CollectiveStats;
  const payloadBytesReceived = Object.values(stats).reduce((sum, kind) => sum + kind.bytesReceived, 0);
  return { transport: line!.transport as TransportStats, payloadBytesReceived };
}

test(`a 2-process all-reduce reads payloads straight into posted buffers on Node ${process.versions.node}`, async () => {
  const outcomes = await runWorld('ops', 2, [LENGTH]);
  outcomes.forEach((outcome, rank) => {
    const { transport, payloadBytesReceived } = reportOf(outcome, rank);
    assert.equal(transport.connections, 1);
    assert.equal(transport.zeroCopyConnections, 1, `rank ${rank} fell back to copying reads on Node ${process.versions.node}: ${JSON.stringify(transport)}`);
    assert.ok(payloadBytesReceived > 8 * LENGTH, `rank ${rank} received ${payloadBytesReceived} payload bytes`);
    // Only headers, metadata and the start of a payload that shares a read with its header go through the scratch buffer.
    assert.ok(transport.bytesReadInPlace >= 0.95 * payloadBytesReceived, `rank ${rank}: ${transport.bytesReadInPlace} of ${payloadBytesReceived} payload bytes read in place`);
    assert.ok(transport.bytesReadCopied < 0.05 * payloadBytesReceived, `rank ${rank}: ${transport.bytesReadCopied} bytes copied`);
  });
});

test('zeroCopyReads: false makes the same all-reduce copy every byte from Node\'s chunks, with the same results', async () => {
  const outcomes = await runWorld('ops', 2, [LENGTH], { SHARDSCOPE_TEST_TUNING: JSON.stringify({ zeroCopyReads: false }) });
  outcomes.forEach((outcome, rank) => {
    const { transport, payloadBytesReceived } = reportOf(outcome, rank);
    assert.equal(transport.zeroCopyConnections, 0);
    assert.equal(transport.bytesReadInPlace, 0);
    assert.ok(transport.bytesReadCopied > payloadBytesReceived, `rank ${rank}: ${transport.bytesReadCopied} bytes copied for ${payloadBytesReceived} payload bytes`);
  });
});
