/**
 * `vnet serve`'s server (node:http + ws): `GET /` (the page), `GET /api/topology` (the resolved
 * cloud and its graph), `GET /api/trace/<probe>.pcap` and `.json` (the last probes' captures and
 * traces, trace-routes.ts) and the WebSocket stream at `/ws` (protocol.ts, docs/websocket.md). Every client
 * shares one simulation (live-simulation.ts); each has a bounded outbox (outbox.ts) and a token
 * bucket for the probes it injects. Bad messages get an `error` and the connection stays; a
 * message over `maxPayload` is a protocol violation that ws answers by closing with 1009.
 * Loopback by default; `Host`, `Origin` and an optional token are checked (access.ts).
 * No request or message ends the process: a target that is not a URL or a request that is not
 * HTTP is a 400, and an exception in any handler is caught there, answered `internal` (HTTP 500,
 * WebSocket `error`) and logged in one line.
 */
import { createServer, STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { parseTopology } from '../topology/load.js';
import { loadTopologyFile } from '../files/read-topology.js';
import type { Cloud } from '../topology/model.js';
import { checkAccess, isLoopbackHost, type AccessPolicy } from './access.js';
import { errorFrame, LiveSimulation, type Peer, type SimulationStats } from './live-simulation.js';
import { Outbox, type OutboxStats, type Sink } from './outbox.js';
import { clip, preview } from './preview.js';
import { parseClientMessage } from './protocol.js';
import { requestTarget } from './request-target.js';
import { compileFilter, EVERYTHING } from './subscription.js';
import { TokenBucket, type RateLimit } from './token-bucket.js';
import { traceResource } from './trace-routes.js';
import { findViewer, readViewerAsset, VIEWER_ASSETS } from './viewer-assets.js';
import { watchFile, type FileWatch } from './watch.js';

export interface ServerOptions {
  readonly cloud: Cloud;
  /** The file the cloud came from: named in the page and the API, reloaded under `watch`. */
  readonly file?: string;
  readonly host?: string;
  /** 0 (the default): any free port; the handle says which. */
  readonly port?: number;
  /** Required as `?token=` (or `Authorization: Bearer`) on the page, the API and the WebSocket. */
  readonly token?: string;
  /** Reload `file` when it changes. */
  readonly watch?: boolean;
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
  readonly watchDebounceMs?: number;
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

export interface RunningServer {
  /** `http://host:port/` (without the token). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Per-client buffers and losses, probes and events run: for tests and benchmarks. */
  stats(): ServerStats;
  /** Closes every connection (1001 "server shutting down"; a client that is not reading is cut off, one that does not answer the close within 2 s too), stops watching, frees the port. */
  close(): Promise<void>;
}

export const DEFAULTS = {
  host: '127.0.0.1',
  maxPayload: 64 * 1024,
  queueLimit: 1024 * 1024,
  injectRate: { perSecond: 1_000, burst: 10_000 },
  maxQueuedInjections: 64,
  maxClients: 64,
  watchDebounceMs: 100,
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

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULTS.host;
  const queueLimit = options.queueLimit ?? DEFAULTS.queueLimit;
  const injectRate = options.injectRate ?? DEFAULTS.injectRate;
  const maxClients = options.maxClients ?? DEFAULTS.maxClients;
  const policy: AccessPolicy = { token: options.token, loopback: isLoopbackHost(host) };
  const live = new LiveSimulation(options.cloud, options.file ?? null, { maxQueuedInjections: options.maxQueuedInjections ?? DEFAULTS.maxQueuedInjections, sliceMs: 4, flushMs: 10 });
  const clients = new Set<Client>();
  let nextId = 1;
  const log = options.log ?? ((line: string) => { process.stderr.write(`${line}\n`); });
  /** One line, whatever was thrown (no stack: it is a report, not a debugger). */
  const report = (where: string, e: unknown) => {
    const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    log(`vnet serve: internal error ${where}: ${clip(what.replace(/\s+/g, ' '), 300)}`);
  };

  const http = createServer((req, res) => {
    try {
      handleHttp(req, res);
    } catch (e) {
      report(`answering ${preview(req.method)} ${preview(req.url)}`, e);
      if (res.headersSent) res.destroy();
      else send(res, 500, 'text/plain; charset=utf-8', 'internal error: the server failed to answer this request (it is logged); the server carries on\n', false);
    }
  });
  // A request Node cannot parse (not HTTP, a bad header, too large): 400 (or 431, 408) and close,
  // unless a response on that connection has started, or the peer is gone.
  http.on('clientError', (e: NodeJS.ErrnoException & { reason?: string }, socket: Duplex) => {
    const started = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent === true;
    if (e.code === 'ECONNRESET' || !socket.writable || started) return socket.destroy();
    const status = e.code === 'HPE_HEADER_OVERFLOW' ? 431 : e.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    refuse(socket, status, `bad request: not a valid HTTP/1.1 request (${preview(e.reason ?? e.code ?? e.message)})`);
  });
  // CONNECT (a proxy's method) has its own event; unheard, Node would drop the connection silently.
  http.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.on('error', () => undefined);
    refuse(socket, 405, 'method not allowed: the server answers GET');
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: options.maxPayload ?? DEFAULTS.maxPayload, perMessageDeflate: false, clientTracking: false });

  function send(res: ServerResponse, status: number, type: string, body: string | Buffer, head: boolean, headers: Readonly<Record<string, string>> = {}): void {
    res.writeHead(status, { ...headers, 'Content-Type': type, 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', 'Content-Security-Policy': CSP, 'Referrer-Policy': 'no-referrer' });
    res.end(head ? undefined : body);
  }

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const target = requestTarget(req.url);
    if (!target.ok) return send(res, 400, 'text/plain; charset=utf-8', `${target.message}\n`, false);
    const path = target.path;
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed: the server answers GET\n', false);
    }
    const found = resource(path);
    if (found === undefined) return send(res, 404, 'text/plain; charset=utf-8', `not found: ${preview(path)}\n`, head);
    // The viewer's script and stylesheet hold no data: the page loads them without the token.
    const access = checkAccess(req, found.public ? { ...policy, token: undefined } : policy);
    if (!access.ok) return send(res, access.status, 'text/plain; charset=utf-8', `${access.message}\n`, head);
    return send(res, found.status ?? 200, found.type, found.body(), head, found.headers);
  }

  /** What each GET path answers (undefined: 404). The body is made only after access is checked. */
  function resource(path: string): { type: string; body: () => string | Buffer; status?: number; public?: boolean; headers?: Readonly<Record<string, string>> } | undefined {
    if (path === '/api/topology') return { type: 'application/json; charset=utf-8', body: () => live.topologyJson };
    const trace = traceResource(path, live.traces, live.cloud.name);
    if (trace) return trace;
    const asset = Object.hasOwn(VIEWER_ASSETS, path) ? VIEWER_ASSETS[path] : undefined;
    if (asset !== undefined) {
      const viewer = findViewer();
      if (!viewer.ok) return { type: 'text/plain; charset=utf-8', body: () => `${viewer.message}\n`, status: 503 };
      return { type: asset.type, body: () => readViewerAsset(viewer.dir, asset), public: asset.file !== 'index.html' };
    }
    return undefined;
  }

  function refuse(socket: Duplex, status: number, message: string): void {
    const reason = STATUS_CODES[status] ?? 'Bad Request';
    const body = `${message}\n`;
    socket.once('finish', () => socket.destroy());
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  }

  http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    try {
      upgrade(req, socket, head);
    } catch (e) {
      report(`upgrading ${preview(req.url)}`, e);
      if (socket.writable) refuse(socket, 500, 'internal error: the server failed to answer this upgrade (it is logged); the server carries on');
      else socket.destroy();
    }
  });

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

  // --watch: reload on change; an edit that does not load keeps the last good model.
  let watcher: FileWatch | undefined;
  if (options.watch) {
    if (options.file === undefined) throw new Error('startServer: watch needs the file the cloud came from');
    const file = options.file;
    let lastText = readText(file);
    watcher = watchFile(file, options.watchDebounceMs ?? DEFAULTS.watchDebounceMs, () => {
      try {
        const text = readText(file);
        if (text !== undefined && text === lastText) return;
        lastText = text;
        const loaded = text === undefined ? loadTopologyFile(file) : parseTopology(text, file);
        if (loaded.ok) live.reload(loaded.cloud);
        else live.reportInvalid(loaded.issues);
      } catch (e) {
        report(`reloading ${file}`, e);
      }
    });
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
  }, options.heartbeatMs ?? DEFAULTS.heartbeatMs);
  heartbeat.unref();

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(options.port ?? 0, host, () => {
      http.off('error', reject);
      // Once listening, an error of the server (e.g. EMFILE on accept) is reported, not thrown.
      http.on('error', (e) => report('in the HTTP server', e));
      resolve();
    });
  });
  const address = http.address() as AddressInfo;
  const urlHost = address.family === 'IPv6' || host.includes(':') ? `[${address.address}]` : host === 'localhost' ? 'localhost' : address.address;

  let closing: Promise<void> | undefined;
  async function close(): Promise<void> {
    clearInterval(heartbeat);
    watcher?.close();
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
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
  }

  return {
    url: `http://${urlHost}:${address.port}/`,
    host,
    port: address.port,
    stats: () => ({ ...live.stats(), clients: [...clients].map((c) => ({ id: c.id, ...c.outbox.stats() })) }),
    close: () => (closing ??= close()),
  };
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
