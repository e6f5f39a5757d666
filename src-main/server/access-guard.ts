/**
 * Who may talk to the web-mode server (see docs/web-mode-session.md for the why):
 * - every request must name our own host (127.0.0.1 or localhost with our port, against DNS rebinding);
 * - the API (WebSocket) needs the instance token, sent explicitly by the page as a WebSocket
 *   sub-protocol, and our own Origin. Nothing a browser attaches on its own (cookies) opens the API;
 * - the static page needs a per-port cookie holding a separate random page key. Cookies are not
 *   scoped by port, so other 127.0.0.1 servers may receive it: it only unlocks the public bundle.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The WebSocket sub-protocol the server selects; the token travels as a second one, `auth.<token>`. */
export const API_PROTOCOL = 'shardscope';
const TOKEN_PROTOCOL_PREFIX = 'auth.';

/** Cookie name of one instance: per port, so two instances on one machine do not overwrite each other. */
export function pageCookieName(port: number): string {
  return `shardscope_page_${port}`;
}

/** The checks for one server instance (its port, token and page key). */
export class AccessGuard {
  /** Random key of the page cookie: never the token, so a leaked cookie does not open the API. */
  readonly pageKey = randomBytes(32).toString('base64url');

  constructor(private readonly token: string, private readonly port: () => number) {}

  /** The Host header values we answer to. */
  private allowedHosts(): string[] {
    const port = this.port();
    return [`127.0.0.1:${port}`, `localhost:${port}`];
  }

  /** True when the Host header names this server (not some other name pointing at loopback). */
  isOwnHost(req: IncomingMessage): boolean {
    return this.allowedHosts().includes(req.headers.host ?? '');
  }

  /** True when a WebSocket's Origin is this server's own page. */
  isOwnOrigin(req: IncomingMessage): boolean {
    const origin = req.headers.origin;
    return origin !== undefined && this.allowedHosts().some((h) => origin === `http://${h}`);
  }

  /** True when the token matches, compared in constant time. */
  isToken(candidate: string | null | undefined): boolean {
    return sameSecret(candidate, this.token);
  }

  /** True when a WebSocket upgrade offers `auth.<token>` among its sub-protocols. */
  hasTokenProtocol(req: IncomingMessage): boolean {
    return offeredProtocols(req).some((p) => p.startsWith(TOKEN_PROTOCOL_PREFIX) && this.isToken(p.slice(TOKEN_PROTOCOL_PREFIX.length)));
  }

  /** The Set-Cookie value that lets this browser load the page (static files only). */
  pageCookie(): string {
    return `${pageCookieName(this.port())}=${this.pageKey}; HttpOnly; SameSite=Strict; Path=/`;
  }

  /** True when the request carries this instance's page cookie. */
  hasPageCookie(req: IncomingMessage): boolean {
    return sameSecret(readCookie(req, pageCookieName(this.port())), this.pageKey);
  }
}

/** The sub-protocols a WebSocket upgrade offers. */
export function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}

function sameSecret(candidate: string | null | undefined, secret: string): boolean {
  if (!candidate) return false;
  const a = Buffer.from(candidate);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Reads one cookie value from a request. */
export function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}
