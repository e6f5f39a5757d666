import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { encodeFrame } from '../../../src-worker/collective/frame-codec.js';
import { freePort, startRank, TEST_SECRET } from './support/spawn-ranks.js';

/** Connects to a port that a starting process will open, retrying while it is refused. */
async function connectWhenListening(port: number): Promise<Socket> {
  for (;;) {
    try {
      return await new Promise<Socket>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => resolve(socket));
        socket.once('error', reject);
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNREFUSED') throw error;
      await new Promise((resolve) => setTimeout(resolve, 50)); // the rank process is still starting
    }
  }
}

test('a stranger and a rank with the wrong secret are refused and logged; the real world still computes exactly', async () => {
  const port = await freePort();
  const rank0 = startRank('ops', 0, 2, port, [7, 1003]);
  const stranger = await connectWhenListening(port);
  const strangerClosed = new Promise<void>((resolve) => stranger.on('close', () => resolve()));
  stranger.on('error', () => {});
  stranger.resume(); // read (and ignore) the challenge, so the server's close is seen
  // Answers the challenge with a made-up MAC, then tries to inject a data frame.
  stranger.write(encodeFrame({ t: 'auth', nonce: 'a'.repeat(64), mac: 'b'.repeat(64), rank: 1, host: '127.0.0.1', port: 1 }));
  stranger.write(encodeFrame({ t: 'd', k: '0.0.0.0' }, new Uint8Array(4)));
  await strangerClosed;

  const impostor = await startRank('ops', 1, 2, port, [7, 1003], { SHARDSCOPE_TEST_SECRET: 'not-the-run-secret-at-all' }).outcome;
  assert.equal(impostor.code, 1);
  assert.equal((impostor.lines[0].error as { kind: string }).kind, 'auth');

  const rank1 = await startRank('ops', 1, 2, port, [7, 1003], { SHARDSCOPE_TEST_SECRET: TEST_SECRET }).outcome;
  const outcome0 = await rank0.outcome;
  for (const o of [outcome0, rank1]) {
    assert.equal(o.code, 0, o.stderr);
    for (const c of o.lines[0].checks as Array<{ mismatches: number }>) assert.equal(c.mismatches, 0);
  }
  const refusals = outcome0.stderr.split('\n').filter((l) => l.includes('refused connection from 127.0.0.1'));
  assert.equal(refusals.length, 2, outcome0.stderr);
});

test('killing one rank mid-all-reduce makes every other rank fail with peer-lost naming it, within 10 s', async () => {
  const world = 4;
  const port = await freePort();
  let running = 0;
  let markAllRunning: () => void = () => {};
  const allRunning = new Promise<void>((resolve) => { markAllRunning = resolve; });
  const ranks = Array.from({ length: world }, (_, rank) => startRank('kill', rank, world, port, [4_000_000], { SHARDSCOPE_TEST_TIMEOUT_MS: '30000' }, (line) => {
    if (line.event === 'all-reducing' && ++running === world) markAllRunning();
  }));
  await allRunning;
  const killedAtMs = Date.now();
  ranks[2].child.kill('SIGKILL');
  const survivors = await Promise.all(ranks.filter((_, r) => r !== 2).map(async (r) => ({ ...(await r.outcome), elapsedMs: Date.now() - killedAtMs })));
  for (const s of survivors) {
    const error = s.lines.find((l) => 'error' in l)?.error as { kind: string; message: string } | undefined;
    assert.equal(s.code, 1);
    assert.equal(error?.kind, 'peer-lost', JSON.stringify(error));
    assert.match(error!.message, /rank 2 on test-host-2/);
    assert.ok(s.elapsedMs < 10_000, `exited ${s.elapsedMs} ms after the kill`);
  }
});
