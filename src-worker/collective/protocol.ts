/**
 * The collective wire protocol: the metadata of every frame a rank may send, as one discriminated union
 * on `t`, and the check that turns a decoded JSON object into it. Anything else a peer sends is a
 * `protocol` error at decode time, so no handler ever sees an unchecked field. How frames are laid out
 * on the wire (header, JSON metadata, payload) is frame-codec.ts; the handshake order is handshake.ts.
 *
 * Order on a connection: challenge -> auth -> auth-ok (handshake), then `world` (rank 0 to each other rank,
 * once, on the rendezvous connection), then `d` data frames in both directions, and finally `abort` or `bye`.
 */
import { ShardScopeError } from '../../src-shared/errors.js';

/** Where a rank can be reached, and how to name it in messages. */
export interface PeerInfo {
  rank: number;
  host: string;
  port: number;
  label: string;
}

/** Handshake, acceptor to dialler: a fresh random nonce (64 hex characters). */
export interface ChallengeFrame {
  t: 'challenge';
  nonce: string;
}

/** Handshake, dialler to acceptor: its own nonce, its HMAC proof, and who it is (host and port only when registering with rank 0). */
export interface AuthFrame {
  t: 'auth';
  nonce: string;
  mac: string;
  rank: number;
  label?: string;
  host?: string;
  port?: number;
}

/** Handshake, acceptor to dialler: the acceptor's HMAC proof. */
export interface AuthOkFrame {
  t: 'auth-ok';
  mac: string;
}

/** Rendezvous, rank 0 to every other rank: the world table, indexed by rank. */
export interface WorldFrame {
  t: 'world';
  peers: PeerInfo[];
}

/** Data: the payload of the message with key `k` (group id, op sequence, step, segment). */
export interface DataFrame {
  t: 'd';
  k: string;
}

/** The sender saw a failure and is aborting the run; `kind` is its error kind (a peer's word, checked by the receiver). */
export interface AbortFrame {
  t: 'abort';
  kind: string;
  message: string;
}

/** The sender is closing its communicator on purpose (its connection closing next is not a lost peer). */
export interface ByeFrame {
  t: 'bye';
}

/** Metadata of any frame of the protocol. */
export type FrameMeta = ChallengeFrame | AuthFrame | AuthOkFrame | WorldFrame | DataFrame | AbortFrame | ByeFrame;

/** The frame type names. */
export type FrameType = FrameMeta['t'];

type Fields = Record<string, unknown>;

const isString = (value: unknown): value is string => typeof value === 'string';
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

function isPeerInfo(value: unknown): value is PeerInfo {
  if (typeof value !== 'object' || value === null) return false;
  const fields = value as Fields;
  return isCount(fields.rank) && isString(fields.host) && isCount(fields.port) && isString(fields.label);
}

/** Field checks of each frame type (extra fields are ignored). */
const CHECKS: Record<FrameType, (fields: Fields) => boolean> = {
  challenge: (f) => isString(f.nonce),
  auth: (f) => isString(f.nonce) && isString(f.mac) && isCount(f.rank)
    && (f.label === undefined || isString(f.label)) && (f.host === undefined || isString(f.host)) && (f.port === undefined || isCount(f.port)),
  'auth-ok': (f) => isString(f.mac),
  world: (f) => Array.isArray(f.peers) && f.peers.every(isPeerInfo),
  d: (f) => isString(f.k),
  abort: (f) => isString(f.kind) && isString(f.message),
  bye: () => true,
};

/** Checks a decoded metadata object against the protocol; throws `protocol` naming what is wrong. */
export function parseFrameMeta(value: unknown): FrameMeta {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || !isString((value as Fields).t)) {
    throw new ShardScopeError('protocol', 'frame metadata must be an object with a string "t"');
  }
  const fields = value as Fields;
  const type = fields.t as string;
  if (!Object.hasOwn(CHECKS, type)) throw new ShardScopeError('protocol', `unknown frame type "${type}"`);
  if (!CHECKS[type as FrameType](fields)) throw new ShardScopeError('protocol', `malformed "${type}" frame`);
  return value as FrameMeta;
}
