/** What a run exposes on the network: local-only ranks listen on loopback only; a silent stranger does not hold a rank open. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { initCollective } from '../../../src-worker/collective/index.js';
import { freePort, TEST_SECRET } from './support/spawn-ranks.js';

/** Local addresses (hex ip:port as in /proc/net/tcp*) of the sockets this process listens on. */
function ownListeningAddresses(): string[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`));
      if (match) inodes.add(match[1]);
    } catch {
      // fd closed meanwhile
    }
  }
  const listening: string[] = [];
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const cells = line.trim().split(/\s+/);
      if (cells[3] === '0A' && inodes.has(cells[9])) listening.push(cells[1]);
    }
  }
  return listening;
}

const isWildcard = (address: string) => /^0+:/.test(address);

test('when the master is on loopback, every rank listens on loopback only', async () => {
  const masterPort = await freePort();
  const options = (rank: number) => ({ rank, worldSize: 3, masterAddr: '127.0.0.1', masterPort, secret: TEST_SECRET, timeoutMs: 20_000 });
  // Ranks 1 and 2 start first: they listen and wait for the master, which is when they are exposed.
  const late = [initCollective(options(1)), initCollective(options(2))];
  let listening: string[] = [];
  for (let tries = 0; listening.length < 2 && tries < 100; tries += 1) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    listening = ownListeningAddresses();
  }
  assert.ok(listening.length >= 2, `ranks 1 and 2 listen (${listening.join(', ')})`);
  assert.deepEqual(listening.filter(isWildcard), [], `no rank listens on every interface: ${listening.join(', ')}`);
  const comms = await Promise.all([initCollective(options(0)), ...late]);
  await Promise.all(comms.map((c) => c.close()));
});

test('a silent stranger connected to the master port is dropped once the world is built, not after the collective timeout', async () => {
  const masterPort = await freePort();
  const options = (rank: number) => ({ rank, worldSize: 2, masterAddr: '127.0.0.1', masterPort, secret: TEST_SECRET, timeoutMs: 30_000 });
  const rank0 = initCollective(options(0));
  const stranger = connect(masterPort, '127.0.0.1');
  stranger.on('error', () => {});
  await once(stranger, 'connect');
  stranger.resume();
  const strangerClosed = once(stranger, 'close');
  const comms = await Promise.all([rank0, initCollective(options(1))]);
  const builtAtMs = Date.now();
  await strangerClosed;
  const heldMs = Date.now() - builtAtMs;
  assert.ok(heldMs < 2000, `the stranger was held ${heldMs} ms after the world was built`);
  await Promise.all(comms.map((c) => c.close()));
});

test('a stranger that never answers the challenge is dropped within the handshake timeout, while the world waits', async () => {
  const masterPort = await freePort();
  const rank0 = initCollective({ rank: 0, worldSize: 2, masterAddr: '127.0.0.1', masterPort, secret: TEST_SECRET, timeoutMs: 30_000 });
  rank0.catch(() => {});
  await new Promise((resolve) => setTimeout(resolve, 100));
  const startMs = Date.now();
  const stranger = connect(masterPort, '127.0.0.1');
  stranger.on('error', () => {});
  stranger.resume();
  await once(stranger, 'close');
  const heldMs = Date.now() - startMs;
  assert.ok(heldMs < 5000, `held ${heldMs} ms`);
  const comm1 = initCollective({ rank: 1, worldSize: 2, masterAddr: '127.0.0.1', masterPort, secret: TEST_SECRET, timeoutMs: 30_000 });
  const comms = await Promise.all([rank0, comm1]);
  await Promise.all(comms.map((c) => c.close()));
});
