/** End to end: hostile WebSocket traffic on an authenticated connection closes that socket only; web mode keeps serving. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { after, before, test } from 'node:test';
import WebSocket from 'ws';
import { apiProtocols, connectApi } from '../support/api-client.js';
import { startWebApp, type AppProcess } from '../support/app-process.js';

let app: AppProcess;

before(async () => {
  app = await startWebApp(['--web', '--interval-ms', '1000']);
});

after(async () => {
  const code = await app?.stop();
  assert.equal(code, 0, `app did not stop cleanly:\n${app?.output()}`);
});

/** Opens an authenticated socket by hand, so the test can write any bytes after the handshake. */
async function rawSocket(): Promise<Socket> {
  const { port } = new URL(app.origin);
  const socket = connect(Number(port), '127.0.0.1');
  await once(socket, 'connect');
  socket.write([
    'GET /api HTTP/1.1', `Host: 127.0.0.1:${port}`, `Origin: ${app.origin}`, 'Upgrade: websocket', 'Connection: Upgrade',
    'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', `Sec-WebSocket-Protocol: ${apiProtocols(app.token).join(', ')}`, '', '',
  ].join('\r\n'));
  let head = '';
  while (!head.includes('\r\n\r\n')) {
    const [chunk] = await once(socket, 'data') as [Buffer];
    head += chunk.toString('latin1');
  }
  assert.match(head, /^HTTP\/1.1 101/, head);
  return socket;
}

/** A masked client frame (mask of zeros keeps the payload readable). */
function frame(firstByte: number, payload: Buffer, announcedLength?: bigint): Buffer {
  const length = announcedLength ?? BigInt(payload.length);
  let header: Buffer;
  if (length < 126n) header = Buffer.from([firstByte, 0x80 | Number(length)]);
  else if (length < 65536n) header = Buffer.from([firstByte, 0x80 | 126, Number(length >> 8n), Number(length & 0xffn)]);
  else {
    header = Buffer.alloc(10);
    header[0] = firstByte;
    header[1] = 0x80 | 127;
    header.writeBigUInt64BE(length, 2);
  }
  return Buffer.concat([header, Buffer.alloc(4), payload]);
}

async function sendAndWaitClosed(bytes: Buffer): Promise<void> {
  const socket = await rawSocket();
  socket.on('error', () => {}); // the server may reset the connection while we still write: that is the point
  const closed = new Promise((resolve) => socket.on('close', resolve));
  socket.write(bytes);
  socket.resume();
  await closed;
}

async function assertStillServing(): Promise<void> {
  assert.equal(app.child.exitCode, null, `web mode died:\n${app.output()}`);
  const api = await connectApi(app);
  const info = await api.call('getAppInfo');
  assert.equal(info.mode, 'web');
  api.close();
}

const closeFrame = (code: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(code); return frame(0x88, b); };

const hostileFrames: [string, Buffer][] = [
  ['invalid UTF-8 in a text frame', frame(0x81, Buffer.from([0xc3, 0x28, 0xff]))],
  ['a reserved opcode', frame(0x83, Buffer.from('x'))],
  ['close code 999', closeFrame(999)],
  ['a header announcing 2^40 bytes', frame(0x81, Buffer.alloc(0), 1n << 40n)],
  ['a 3 MB text frame', frame(0x81, Buffer.alloc(3 << 20, 0x61))],
  ['an unmasked frame', Buffer.from([0x81, 0x01, 0x61])],
];

for (const [name, bytes] of hostileFrames) {
  test(`${name} closes that socket only`, async () => {
    const bystander = await connectApi(app);
    await sendAndWaitClosed(bytes);
    await assertStillServing();
    assert.equal((await bystander.call('getAppInfo')).mode, 'web', 'another open connection keeps working');
    bystander.close();
  });
}

test('a 2 MB message from a well-behaved client closes it with 1009, the server stays up', async () => {
  const ws = new WebSocket(`${app.origin.replace('http', 'ws')}/api`, apiProtocols(app.token), { origin: app.origin });
  ws.on('error', () => {});
  await once(ws, 'open');
  ws.send('x'.repeat(2 << 20));
  const [code] = await once(ws, 'close') as [number];
  assert.equal(code, 1009);
  await assertStillServing();
});

test('a flood of searches on one connection is bounded, and stopRun does not wait behind it', async () => {
  const api = await connectApi(app);
  const request = { model: 'llama2-7b', cluster: { gpu: 'rtx-4090', gpus: 8 }, limit: 3 };
  const order: string[] = [];
  const flood = Array.from({ length: 400 }, () => api.call('searchPlans', request).then(
    () => { order.push('search'); return 'ok'; },
    (e: { kind?: string }) => e.kind ?? 'error',
  ));
  const stop = await api.call('stopRun', { runId: 'no-such-run' });
  order.push('stop');
  assert.equal(stop.stopped, false);
  const settled = await Promise.all(flood);
  const served = settled.filter((s) => s === 'ok').length;
  assert.ok(settled.includes('unavailable'), 'calls past the queue are refused with unavailable');
  assert.ok(served >= 4, 'calls within the bound are served');
  const searchesBeforeStop = order.indexOf('stop');
  assert.ok(searchesBeforeStop < served / 2, `stopRun answered after ${searchesBeforeStop} of ${served} searches: the searches block the event loop`);
  api.close();
});

test('searches from many connections run off the event loop: a plain GET is answered while they queue', async () => {
  const clients = await Promise.all(Array.from({ length: 8 }, () => connectApi(app)));
  const request = { model: 'llama2-7b', cluster: { gpu: 'rtx-4090', gpus: 8 }, limit: 3 };
  const order: string[] = [];
  const searches = clients.flatMap((c) => Array.from({ length: 8 }, () => c.call('searchPlans', request).then(() => order.push('search'), () => order.push('refused'))));
  // Give the server the messages before the GET goes out.
  await new Promise((resolve) => setImmediate(resolve));
  const page = await fetch(`${app.origin}/`, { redirect: 'manual' });
  order.push('get');
  assert.equal(page.status, 401);
  await Promise.all(searches);
  const searchesBeforeGet = order.indexOf('get');
  assert.ok(searchesBeforeGet < 32, `the GET was answered after ${searchesBeforeGet} of 64 searches`);
  for (const c of clients) c.close();
});
