/**
 * `vnet serve`'s server (node:http + ws): `GET /` (the page), `GET /api/topology` (the resolved
 * cloud and its graph), `GET /api/trace/<probe>.pcap` and `.json` (the last probes' captures and
 * traces) and the WebSocket stream at `/ws` (docs/websocket.md), all from the viewer attachment
 * (viewer-attachment.ts, which `vnet api` attaches to its own server too). This module owns the
 * HTTP server: GET and HEAD only, 400 for a target that is not a URL or a request that is not
 * HTTP, 404 for other paths, `--watch` reloads, listening and closing.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { readFileSync } from 'node:fs';
import { parseTopology } from '../topology/load.js';
import { loadTopologyFile } from '../files/read-topology.js';
import type { Cloud } from '../topology/model.js';
import { isLoopbackHost } from './access.js';
import { clip, preview } from './preview.js';
import { requestTarget } from './request-target.js';
import type { RateLimit } from './token-bucket.js';
import { attachViewer, refuse, send, VIEWER_DEFAULTS, type ServerStats } from './viewer-attachment.js';
import { watchFile, type FileWatch } from './watch.js';

export type { ClientStats, ServerStats } from './viewer-attachment.js';

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
  ...VIEWER_DEFAULTS,
  watchDebounceMs: 100,
} as const;

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? DEFAULTS.host;
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
  const viewer = attachViewer(http, {
    cloud: options.cloud, loopback: isLoopbackHost(host), log,
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(options.token !== undefined ? { token: options.token } : {}),
    ...(options.maxPayload !== undefined ? { maxPayload: options.maxPayload } : {}),
    ...(options.queueLimit !== undefined ? { queueLimit: options.queueLimit } : {}),
    ...(options.injectRate !== undefined ? { injectRate: options.injectRate } : {}),
    ...(options.maxQueuedInjections !== undefined ? { maxQueuedInjections: options.maxQueuedInjections } : {}),
    ...(options.maxClients !== undefined ? { maxClients: options.maxClients } : {}),
    ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
  });
  const live = viewer.live;

  function handleHttp(req: IncomingMessage, res: ServerResponse): void {
    const target = requestTarget(req.url);
    if (!target.ok) return send(res, 400, 'text/plain; charset=utf-8', `${target.message}\n`, false);
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('Allow', 'GET, HEAD');
      return send(res, 405, 'text/plain; charset=utf-8', 'method not allowed: the server answers GET\n', false);
    }
    if (!viewer.handle(req, res)) send(res, 404, 'text/plain; charset=utf-8', `not found: ${preview(target.path)}\n`, head);
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
    watcher?.close();
    await viewer.close();
    await new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    });
  }

  return {
    url: `http://${urlHost}:${address.port}/`,
    host,
    port: address.port,
    stats: (): ServerStats => viewer.stats(),
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
