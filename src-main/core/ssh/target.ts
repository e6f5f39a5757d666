/** Remote targets: who to reach and how to authenticate; `[user@]host[:port]` specs. */
import { userInfo } from 'node:os';
import { ShardScopeError } from '../../../src-shared/errors.js';

/** One host to reach over SSH. */
export interface RemoteTarget {
  /** What the user calls it (ssh config alias or the spec as typed); used in messages and as HostInventory.id. */
  id: string;
  /** Address or DNS name to connect to. */
  host: string;
  port: number;
  user: string;
  /** Private key files to try, in order (`~` already expanded). */
  identityFiles?: string[];
  /** Passphrase for encrypted identity files. */
  passphrase?: string;
  /** Password for password auth (never stored by this module). */
  password?: string;
  /** Agent socket; defaults to SSH_AUTH_SOCK. Set to '' to not use an agent. */
  agentSocket?: string;
  /** One jump host to go through (ProxyJump with a single hop). */
  proxyJump?: RemoteTarget;
}

const hostPattern = /^[A-Za-z0-9._-]+$/;
const userPattern = /^[A-Za-z0-9._][A-Za-z0-9._-]*$/;

/** Parses `[user@]host[:port]` (IPv6 as `[addr]:port`); the user defaults to the local user, the port to 22. */
export function parseHostSpec(spec: string, defaultUser = userInfo().username): RemoteTarget {
  const text = spec.trim();
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : defaultUser;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  let host = rest;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1];
    portText = bracketed[2];
  } else if (rest.split(':').length === 2) {
    [host, portText] = rest.split(':');
  }
  const isIpv6 = bracketed !== null && /^[0-9A-Fa-f:.]+$/.test(host);
  if (!host || (!isIpv6 && !hostPattern.test(host)) || host.startsWith('-')) {
    throw new ShardScopeError('bad-input', `bad host ${JSON.stringify(spec)}: expected [user@]host[:port]`);
  }
  if (!userPattern.test(user)) throw new ShardScopeError('bad-input', `bad user in host ${JSON.stringify(spec)}: expected [user@]host[:port]`);
  return { id: text, host, port: parsePort(portText, spec), user };
}

/** Parses a TCP port (1..65535); undefined means 22. */
export function parsePort(text: string | undefined, context: string): number {
  if (text === undefined) return 22;
  const port = Number(text);
  if (!/^\d+$/.test(text) || port < 1 || port > 65535) {
    throw new ShardScopeError('bad-input', `bad port ${JSON.stringify(text)} in ${JSON.stringify(context)}: expected 1..65535`);
  }
  return port;
}

/** `user@host:port` for messages. */
export function describeTarget(target: RemoteTarget): string {
  const where = target.port === 22 ? target.host : `${target.host}:${target.port}`;
  return target.id === target.host || target.id === `${target.user}@${target.host}` ? `${target.user}@${where}` : `${target.id} (${target.user}@${where})`;
}
