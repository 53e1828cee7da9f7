/**
 * The viewer, its data and its WebSocket stream, attached to a node:http server that someone
 * else owns: `vnet serve`'s (server.ts, the page at `/`) and `vnet api`'s (api/http-server.ts,
 * the page at `/viewer/`, since `/` is Keystone's version list). One attachment = one shared
 * simulation (live-simulation.ts), its clients with their bounded outboxes and token buckets, the
 * page and its assets, `/api/topology`, `/api/trace/<probe>.pcap|.json` and the upgrade to `/ws`
 * (protocol.ts, docs/websocket.md). Access (Host, Origin, token) is checked as access.ts says.
 * An exception in any handler is caught, answered `internal` (HTTP 500, WebSocket `error`) and
 * logged in one line; no request or message ends the process.
 */
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Cloud } from '../topology/model.js';
import { checkAccess, type AccessPolicy } from './access.js';
import { errorFrame, LiveSimulation, type Peer, type SimulationStats } from './live-simulation.js';
import { Outbox, type OutboxStats, type Sink } from './outbox.js';
import { clip, preview } from './preview.js';
import { parseClientMessage } from './protocol.js';
import { requestTarget } from './request-target.js';
import { compileFilter, EVERYTHING } from './subscription.js';
import { TokenBucket, type RateLimit } from './token-bucket.js';
import { traceResource } from './trace-routes.js';
import { findViewer, readViewerAsset, VIEWER_ASSETS } from './viewer-assets.js';

export interface ViewerOptions {
  readonly cloud: Cloud;
  /** The file the cloud came from (or is saved to), named in the page and the API. */
  readonly file?: string;
  /** Required as `?token=` (or `Authorization: Bearer`) on the page, the API and the WebSocket. */
  readonly token?: string;
  /** The server listens on loopback only: the `Host` header must name loopback too. */
  readonly loopback: boolean;
  /** Where the page and its assets are served: `/` (the default) or a folder such as `/viewer/`. */
  readonly pagePath?: string;
  /** Who reports internal errors, as the log line starts (default `vnet serve`). */
  readonly name?: string;
  /** Largest client message, bytes (default 64 KiB); larger ones close the connection with 1009. */
  readonly maxPayload?: number;
  /** Bytes held per client (socket buffer + queue) before its stream drops (default 1 MiB). */
  readonly queueLimit?: number;
  /** Probes a client may inject: a token bucket (default 1,000/s, bursts of 10,000). */
  readonly injectRate?: RateLimit;
  /** Injections waiting to run over all clients (default 64). */
  readonly maxQueuedInjections?: number;
  /** Connected clients at most (default 64); more get 503. */
  readonly maxClients?: number;
  /** Ping interval; a client that misses a pong in one interval is dropped (default 30 s). */
  readonly heartbeatMs?: number;
  /** Where a caught internal error is reported, one line each (default: standard error). */
  readonly log?: (line: string) => void;
}

export interface ClientStats extends OutboxStats {
  readonly id: number;
}

export interface ServerStats extends SimulationStats {
  readonly clients: readonly ClientStats[];
}

export interface ViewerAttachment {
  readonly live: LiveSimulation;
  /**
   * Answers `req` when its path is one of the viewer's (the page, its assets, `/api/topology`,
   * `/api/trace/…`) and returns true; returns false, having written nothing, for any other path.
   */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** The cloud changed (a write through `vnet api`): every viewer gets it as a `hello` `reload`. */
  update(cloud: Cloud): void;
  stats(): ServerStats;
  /** Closes every WebSocket (1001; a client that is not reading, or does not answer within 2 s, is cut off). */
  close(): Promise<void>;
}

export const VIEWER_DEFAULTS = {
  maxPayload: 64 * 1024,
  queueLimit: 1024 * 1024,
  injectRate: { perSecond: 1_000, burst: 10_000 },
  maxQueuedInjections: 64,
  maxClients: 64,
  heartbeatMs: 30_000,
} as const;

/** What `reset` costs in the inject rate limit, in probes: it rebuilds the whole simulator. */
const RESET_COST = 100;

interface Client extends Peer {
  readonly id: number;
  readonly ws: WebSocket;
  readonly bucket: TokenBucket;
  alive: boolean;
}

// Scripts only from this server (no inline script, no CDN). Sigma adds one <style> element of
// its own and sets element styles, hence 'unsafe-inline' for styles; the JSON download is a blob: link.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** An answer with the headers every answer of the viewer's server carries (no caching, no sniffing, the CSP). */
export function send(res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean, headers: Readonly<Record<string, string>> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': CSP, 'Referrer-Policy': 'no-referrer' });
  res.end(head ? undefined : body);
}

/** A plain-text HTTP answer written on a raw socket (an upgrade or a request Node could not parse), then closed. */
export function refuse(socket: Duplex, status: number, message: string): void {
  const reason = STATUS_CODES[status] ?? 'Bad Request';
  const body = `${message}\n`;
  socket.once('finish', () => socket.destroy());
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

interface Resource {
  readonly type: string;
  readonly body: () => string | Buffer;
  readonly status?: number;
  /** Holds no data (the viewer's script and stylesheet): loads without the token. */
  readonly public?: boolean;
  readonly headers?: Readonly<Record<string, string>>;
}

export function attachViewer(http: Server, options: ViewerOptions): ViewerAttachment {
  const queueLimit = options.queueLimit ?? VIEWER_DEFAULTS.queueLimit;
  const injectRate = options.injectRate ?? VIEWER_DEFAULTS.injectRate;
  const maxClients = options.maxClients ?? VIEWER_DEFAULTS.maxClients;
  const pagePath = options.pagePath ?? '/';
  if (!pagePath.startsWith('/') || !pagePath.endsWith('/')) throw new Error(`attachViewer: pagePath ${JSON.stringify(pagePath)}: expected a path that starts and ends with /`);
  const name = options.name ?? 'vnet serve';
  const policy: AccessPolicy = { token: options.token, loopback: options.loopback };
  const live = new LiveSimulation(options.cloud, options.file ?? null, { maxQueuedInjections: options.maxQueuedInjections ?? VIEWER_DEFAULTS.maxQueuedInjections, sliceMs: 4, flushMs: 10 });
  const clients = new Set<Client>();
  let nextId = 1;
  const log = options.log ?? ((line: string) => { process.stderr.write(`${line}\n`); });
  /** One line, whatever was thrown (no stack: it is a report, not a debugger). */
  const report = (where: string, e: unknown) => {
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    log(`${name}: internal error ${where}: ${clip(what.replace(/\s+/g, ' '), 300)}`);
  };
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? VIEWER_DEFAULTS.maxPayload, perMessageDeflate: false, clientTracking: false });

  function handle(req: IncomingMessage, res: ServerResponse): boolean {
    const target = requestTarget(req.url);
    if (!target.ok) return false;
    const found = resource(target.path, target.query);
    if (found === undefined) return false;
    try {
      const head = req.method === 'HEAD';
      if (req.method !== 'GET' && !head) {
        res.setHeader('Allow', 'GET, HEAD');
        send(res, 405, 'text/plain; charset=utf-8', `method not allowed: ${preview(target.path)} answers GET\n`, false);
        return true;
      }
      const access = checkAccess(req, found.public ? { ...policy, token: undefined } : policy);
      if (!access.ok) send(res, access.status, 'text/plain; charset=utf-8', `${access.message}\n`, head);
      else send(res, found.status ?? 200, found.type, found.body(), head, found.headers);
    } catch (e) {
      report(`answering ${preview(req.method)} ${preview(req.url)}`, e);
      if (res.headersSent) res.destroy();
      else send(res, 500, 'text/plain; charset=utf-8', 'internal error: the server failed to answer this request (it is logged); the server carries on\n', false);
    }
    return true;
  }

  /** What each viewer path answers (undefined: not the viewer's). The body is made only after access is checked. */
  function resource(path: string, query: URLSearchParams): Resource | undefined {
    if (path === '/api/topology') return { type: 'application/json; charset=utf-8', body: () => live.topologyJson };
    const trace = traceResource(path, live.traces, live.cloud.name);
    if (trace) return trace;
    // `/viewer` without its slash would load `viewer.js` from `/`: send the browser to the folder.
    if (pagePath !== '/' && path === pagePath.slice(0, -1)) {
      const search = query.toString();
      return { type: 'text/plain; charset=utf-8', status: 301, public: true, headers: { Location: `${pagePath}${search === '' ? '' : `?${search}`}` }, body: () => `moved to ${pagePath}\n` };
    }
    if (!path.startsWith(pagePath)) return undefined;
    const key = `/${path.slice(pagePath.length)}`;
    const asset = Object.hasOwn(VIEWER_ASSETS, key) ? VIEWER_ASSETS[key] : undefined;
    if (asset === undefined) return undefined;
    const viewer = findViewer();
    if (!viewer.ok) return { type: 'text/plain; charset=utf-8', body: () => `${viewer.message}\n`, status: 503 };
    return { type: asset.type, body: () => readViewerAsset(viewer.dir, asset), public: asset.file !== 'index.html' };
  }

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    try {
      upgrade(req, socket, head);
    } catch (e) {
      report(`upgrading ${preview(req.url)}`, e);
      if (socket.writable) refuse(socket, 500, 'internal error: the server failed to answer this upgrade (it is logged); the server carries on');
      else socket.destroy();
    }
  };
  http.on('upgrade', onUpgrade);

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const target = requestTarget(req.url);
    if (!target.ok) return refuse(socket, 400, target.message);
    if (target.path !== '/ws') return refuse(socket, 404, `not found: ${preview(target.path)} (the WebSocket is at /ws)`);
    const access = checkAccess(req, policy);
    if (!access.ok) return refuse(socket, access.status, access.message);
    if (clients.size >= maxClients) return refuse(socket, 503, `too many clients (${maxClients})`);
    wss.handleUpgrade(req, socket, head, (ws) => {
      try {
        onConnection(ws);
      } catch (e) {
        report('greeting a WebSocket client', e);
        ws.close(1011, 'internal error');
      }
    });
  }

  function onConnection(ws: WebSocket): void {
    // ws has no batching API; its socket (a net.Socket, private but stable in ws 8) can cork.
    const socket = (ws as unknown as { _socket?: Socket })._socket;
    const sink: Sink = {
      send: (data) => ws.send(data, { binary: false }),
      get bufferedAmount() { return ws.bufferedAmount; },
      get open() { return ws.readyState === WebSocket.OPEN; },
      cork: () => socket?.cork(),
      uncork: () => socket?.uncork(),
    };
    const client: Client = { id: nextId++, ws, outbox: new Outbox(sink, queueLimit), subscription: EVERYTHING, bucket: new TokenBucket(injectRate, performance.now()), alive: true };
    clients.add(client);
    ws.on('message', (data, isBinary) => {
      try {
        onMessage(client, data, isBinary);
      } catch (e) {
        report(`answering a message of client ${client.id}`, e);
        client.outbox.reply(errorFrame({ code: 'internal', message: 'internal error: the server failed to handle this message (it is logged); the connection stays', ref: null }));
        live.scheduleFlush();
      }
    });
    ws.on('pong', () => { client.alive = true; });
    // ws emits 'error' before it closes a connection that broke the protocol (e.g. 1009); the close follows.
    ws.on('error', () => undefined);
    ws.on('close', () => {
      clients.delete(client);
      try {
        live.disconnect(client);
      } catch (e) {
        report(`disconnecting client ${client.id}`, e);
      }
    });
    live.connect(client);
  }

  function onMessage(client: Client, data: RawData, isBinary: boolean): void {
    const reply = (code: Parameters<typeof errorFrame>[0]['code'], message: string, ref: string | null, extra = {}) => {
      client.outbox.reply(errorFrame({ code, message, ref }, extra));
      live.scheduleFlush();
    };
    if (isBinary) return reply('bad-json', 'expected a JSON text frame, got a binary frame', null);
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.from(data).toString('utf8');
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      client.outbox.reply(errorFrame(parsed.error));
      live.scheduleFlush();
      return;
    }
    const msg = parsed.message;
    const ref = msg.id ?? null;
    switch (msg.type) {
      case 'inject': {
        const cost = msg.count ?? 1;
        const now = performance.now();
        if (!client.bucket.take(cost, now)) {
          const wait = client.bucket.waitFor(cost, now);
          const why = Number.isFinite(wait)
            ? `rate limit: this client may inject ${injectRate.perSecond} probes a second (bursts of ${injectRate.burst}); ${cost} more fit in ${wait} ms`
            : `rate limit: ${cost} probes is more than the largest burst this server allows (${injectRate.burst})`;
          return reply('rate-limited', why, ref, Number.isFinite(wait) ? { retry_after_ms: wait } : {});
        }
        const error = live.inject(client, msg);
        if (error) {
          client.outbox.reply(errorFrame(error));
          live.scheduleFlush();
        }
        return;
      }
      case 'subscribe':
        client.subscription = compileFilter(msg.filter ?? {});
        return;
      case 'pause':
        client.outbox.pause();
        return;
      case 'resume':
        client.outbox.resume();
        live.scheduleFlush();
        return;
      case 'reset':
        if (!client.bucket.take(RESET_COST, performance.now())) return reply('rate-limited', `rate limit: a reset counts as ${RESET_COST} probes and this client has used its share; try again shortly`, ref);
        live.reset();
        return;
      case 'state':
        client.outbox.reply(live.nodeState(msg.node, ref));
        live.scheduleFlush();
        return;
      case 'details':
        client.outbox.reply(live.nodeDetails(msg.node, ref));
        live.scheduleFlush();
        return;
    }
  }

  const heartbeat = setInterval(() => {
    for (const c of clients) {
      if (!c.alive) {
        c.ws.terminate();
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, options.heartbeatMs ?? VIEWER_DEFAULTS.heartbeatMs);
  heartbeat.unref();

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    clearInterval(heartbeat);
    http.off('upgrade', onUpgrade);
    live.close();
    const closed = [...clients].map((c) => new Promise<void>((resolve) => {
      if (c.ws.readyState === WebSocket.CLOSED) return resolve();
      c.ws.once('close', () => resolve());
      // A client that is not reading (its stream is dropping) would never see the close frame.
      if (c.outbox.stats().dropping) return c.ws.terminate();
      c.ws.close(1001, 'server shutting down');
      // A client that does not answer the close handshake is cut off.
      setTimeout(() => { c.ws.terminate(); resolve(); }, 2_000).unref();
    }));
    await Promise.all(closed);
    wss.close();
  }

  return {
    live,
    handle,
    update: (cloud) => live.update(cloud),
    stats: () => ({ ...live.stats(), clients: [...clients].map((c) => ({ id: c.id, ...c.outbox.stats() })) }),
    close: () => (closing ??= close()),
  };
}
