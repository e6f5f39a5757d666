/**
 * Mutual HMAC challenge: the accepting side sends a random nonce, the dialler answers with
 * HMAC(secret, "client" | serverNonce | clientNonce) and its own nonce, the acceptor answers with
 * HMAC(secret, "server" | ...). No frame other than these is accepted before both checks pass.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ShardScopeError } from '../../src-shared/errors.js';
import type { Connection } from './connection.js';
import type { AuthFrame, FrameMeta } from './protocol.js';

/** HMAC-SHA256 (hex) proving knowledge of the secret for one role and pair of nonces. */
export function handshakeMac(secret: string, role: 'client' | 'server', serverNonce: string, clientNonce: string): string {
  return createHmac('sha256', secret).update(`shardscope-collective|${role}|${serverNonce}|${clientNonce}`).digest('hex');
}

/** Constant-time comparison of two hex MACs. */
export function macMatches(expected: string, actual: unknown): boolean {
  if (typeof actual !== 'string' || actual.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(expected), Buffer.from(actual));
}

/** Waits for one handshake frame; `accept` runs synchronously on it so limits can be raised before the next frame is decoded. */
function nextFrame(connection: Connection, timeoutMs: number, what: string, accept: (meta: FrameMeta) => void = () => {}): Promise<FrameMeta> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      connection.destroy();
      reject(new ShardScopeError('timeout', `no ${what} from ${connection.remote} within ${timeoutMs} ms`));
    }, timeoutMs);
    connection.onFrame = (frame) => {
      clearTimeout(timer);
      connection.hold();
      try {
        accept(frame.meta);
      } catch (error) {
        connection.destroy();
        reject(error);
        return;
      }
      resolve(frame.meta);
    };
    connection.onClose = (error) => {
      clearTimeout(timer);
      reject(new ShardScopeError('auth', `${connection.remote} closed the connection during the handshake${error ? ` (${error.message})` : ''}`));
    };
  });
}

/** Acceptor side: challenges the dialler; returns its hello (auth frame) once it has proven the secret. */
export async function acceptHandshake(connection: Connection, secret: string, timeoutMs: number): Promise<AuthFrame> {
  const serverNonce = randomBytes(32).toString('hex');
  const replyPromise = nextFrame(connection, timeoutMs, 'handshake reply', (meta) => {
    if (meta.t !== 'auth' || meta.nonce.length !== 64 || !macMatches(handshakeMac(secret, 'client', serverNonce, meta.nonce), meta.mac)) {
      throw new ShardScopeError('auth', `refused connection from ${connection.remote}: it did not prove the run secret (HMAC mismatch)`);
    }
    connection.authenticate();
  });
  replyPromise.catch(() => {});
  await connection.write({ t: 'challenge', nonce: serverNonce });
  const hello = await replyPromise;
  if (hello.t !== 'auth') throw new ShardScopeError('internal', `handshake reply "${hello.t}" was accepted`);
  await connection.write({ t: 'auth-ok', mac: handshakeMac(secret, 'server', serverNonce, hello.nonce) });
  return hello;
}

/** Dialler side: answers the challenge with `hello` fields attached, then checks the acceptor also knows the secret. */
export async function dialHandshake(connection: Connection, secret: string, hello: Pick<AuthFrame, 'rank' | 'label' | 'host' | 'port'>, timeoutMs: number): Promise<void> {
  const challenge = await nextFrame(connection, timeoutMs, 'challenge');
  if (challenge.t !== 'challenge' || challenge.nonce.length !== 64) {
    connection.destroy();
    throw new ShardScopeError('protocol', `${connection.remote} did not send a collective handshake challenge`);
  }
  const serverNonce = challenge.nonce;
  const clientNonce = randomBytes(32).toString('hex');
  const replyPromise = nextFrame(connection, timeoutMs, 'handshake confirmation', (meta) => {
    if (meta.t !== 'auth-ok' || !macMatches(handshakeMac(secret, 'server', serverNonce, clientNonce), meta.mac)) {
      throw new ShardScopeError('auth', `${connection.remote} did not prove the run secret (HMAC mismatch): wrong master or wrong secret`);
    }
    connection.authenticate();
  });
  replyPromise.catch(() => {});
  await connection.write({ ...hello, t: 'auth', nonce: clientNonce, mac: handshakeMac(secret, 'client', serverNonce, clientNonce) });
  await replyPromise;
}
