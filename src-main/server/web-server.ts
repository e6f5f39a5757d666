/**
 * Web mode: the same ShardScopeApi over HTTP + WebSocket, bound to 127.0.0.1 only, with a random
 * token in the URL it prints. No CORS headers are ever sent; a wrong Host, Origin or token is refused.
 * The session scheme (token sent explicitly by the page, cookie only for the static files) is
 * explained in docs/web-mode-session.md. A broken or hostile socket closes only itself.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import type { ApiHandlers } from '../../src-shared/api/contract.js';
import { wireRequestSchema, type WireEvent, type WireResponse } from '../../src-shared/api/wire.js';
import { toErrorPayload } from '../../src-shared/errors.js';
import { answerCall } from '../core/api/dispatch.js';
import type { Logger } from '../core/log/logger.js';
import type { ApiEventBus } from '../core/api/event-bus.js';
import { AccessGuard, API_PROTOCOL } from './access-guard.js';
import { CallLimiter } from '../core/api/call-limiter.js';
import { serveStatic } from './static-files.js';

/** What the server serves. */
export interface WebServerOptions {
  handlers: ApiHandlers;
  events: ApiEventBus;
  rendererDir: string;
  /** 0 picks a free port. */
  port: number;
  /** Fixed token for tests; random (32 bytes) otherwise. */
  token?: string;
  /** Internal errors of calls and refused requests are logged here. */
  log: Logger;
}

/** A running web-mode server. */
export interface WebServer {
  url: string;
  port: number;
  close(): Promise<void>;
}

const MAX_MESSAGE_BYTES = 1 << 20;

/** Starts the server on 127.0.0.1 and resolves once it listens. */
export async function startWebServer(options: WebServerOptions): Promise<WebServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  let port = 0;
  const guard = new AccessGuard(token, () => port);
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: (protocols) => (protocols.has(API_PROTOCOL) ? API_PROTOCOL : false),
  });
  wss.on('error', () => {});
  const server = createServer((req, res) => {
    res.on('finish', () => { if (res.statusCode === 401 || res.statusCode === 403) options.log.warn(`web server refused ${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}: ${res.statusCode} (host ${req.headers.host ?? 'none'})`); });
    handleHttp(req, res, guard, options.rendererDir).catch((error: unknown) => {
      options.log.error(`web server failed on ${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`, error); // never the query: it may hold the token
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  // A malformed request or a reset socket is that client's problem: drop it, keep serving.
  server.on('clientError', (_error, socket) => socket.destroy());

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path !== '/api' || !guard.isOwnHost(req) || !guard.isOwnOrigin(req) || !guard.hasTokenProtocol(req)) {
      options.log.warn(`web server refused a WebSocket on ${path} (host ${req.headers.host ?? 'none'}, origin ${req.headers.origin ?? 'none'})`);
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serveSocket(ws, options));
  });

  await listen(server, options.port);
  port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    close: () => closeServer(server, wss),
  };
}

async function handleHttp(req: IncomingMessage, res: ServerResponse, guard: AccessGuard, rendererDir: string) {
  if (!guard.isOwnHost(req)) {
    res.writeHead(403).end('forbidden: unknown host');
    return;
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end('method not allowed');
    return;
  }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const queryToken = url.searchParams.get('token');
  if (queryToken !== null) {
    if (!guard.isToken(queryToken)) {
      res.writeHead(401).end('unauthorized: wrong token');
      return;
    }
    // The page cookie only unlocks the static files. The answer is the page itself, not a redirect:
    // a redirect carrying the token in its fragment would replace the route the URL came with
    // (`?token=T#/runs/ID`). The page moves the token to sessionStorage and drops it from the address
    // bar, route kept; no-referrer and no-store keep it out of its requests and the cache.
    res.setHeader('Set-Cookie', guard.pageCookie());
    await serveStatic(rendererDir, url.pathname, res);
    return;
  }
  if (!guard.hasPageCookie(req)) {
    res.writeHead(401).end('unauthorized: open the URL with the token that `shardscope app` printed');
    return;
  }
  await serveStatic(rendererDir, url.pathname, res);
}

function serveSocket(ws: WebSocket, options: WebServerOptions): void {
  const send = (message: WireResponse | WireEvent) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const limiter = new CallLimiter();
  const unsubscribe = options.events.subscribe((event, payload) => send({ event, payload }));
  ws.on('close', () => { unsubscribe(); limiter.clear(); });
  // Oversized frames, invalid UTF-8, reserved opcodes, bad close codes: ws reports them here and
  // closes the socket; without a listener the whole process would die of an unhandled 'error'.
  ws.on('error', () => ws.terminate());
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      ws.close(1003, 'text messages only');
      return;
    }
    let request;
    try {
      request = wireRequestSchema.parse(JSON.parse(data.toString()));
    } catch {
      options.log.warn('web server closed a WebSocket that sent a malformed request');
      ws.close(1008, 'malformed request');
      return;
    }
    const { id, method, args } = request;
    limiter.run(method, () => answerCall(options.handlers, method, args, options.log)).then(
      (answer) => send({ id, ...answer }),
      (error: unknown) => send({ id, ok: false, error: toErrorPayload(error) }), // refused by the limiter
    );
  });
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server, wss: WebSocketServer): Promise<void> {
  for (const client of wss.clients) client.terminate();
  wss.close();
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}
