/**
 * Who may talk to the web-mode server: requests must name our own host (127.0.0.1 or localhost
 * with our port, against DNS rebinding), carry the run's random token (query on the first visit,
 * then an HttpOnly SameSite=Strict cookie), and WebSockets must come from our own origin.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'shardscope_token';

/** The checks for one server instance (its port and token). */
export class AccessGuard {
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
    if (!candidate) return false;
    const a = Buffer.from(candidate);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  /** True when the request carries the token in its cookie. */
  hasTokenCookie(req: IncomingMessage): boolean {
    return this.isToken(readCookie(req, TOKEN_COOKIE));
  }
}

/** Reads one cookie value from a request. */
export function readCookie(req: IncomingMessage, name: string): string | null {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return null;
}
