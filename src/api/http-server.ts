/**
 * The thin node:http adapter of the API: it reads the body (bounded), parses JSON, builds an
 * ApiRequest, and writes the ApiResponse with a correct Content-Length and, when the client asks
 * to close, `Connection: close` (pooled clients such as tempest's urllib3 need the echo).
 * With `viewer`, the same server also serves the live viewer (at /viewer/), /api/topology,
 * /api/trace/… and the WebSocket at /ws (src/server's attachment, as `vnet serve` does).
 * Every path keeps `vnet serve`'s access rules (src/server/access.ts): bound to loopback, the
 * `Host` must name loopback (a DNS-rebinding page cannot log in as admin/admin), and a browser's
 * `Origin` must be this server.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { checkAccess, isLoopbackHost } from '../server/access.js';
import { attachViewer, type ServerStats, type ViewerAttachment, type ViewerOptions } from '../server/viewer-attachment.js';
import type { ApiApp } from './app.js';
import type { ApiResponse } from './types.js';

/** Bodies above this are refused (413): the largest real request is a bulk create of a few KB. */
const MAX_BODY = 1 << 20;

/** The viewer's page, under /viewer/: / is Keystone's version list. */
export const VIEWER_PATH = '/viewer/';

export interface RunningApi {
  readonly url: string;
  readonly port: number;
  /** The viewer attached to this server, when asked for: `update` it after each change. */
  readonly viewer: ViewerAttachment | undefined;
  /** The viewer's clients and probes (empty without a viewer). */
  stats(): ServerStats;
  close(): Promise<void>;
}

let requests = 0;

function send(res: ServerResponse, out: ApiResponse, close: boolean): void {
  const text = out.text ?? (out.body === undefined || out.status === 204 ? '' : JSON.stringify(out.body));
  const headers: Record<string, string | number> = { ...(out.headers ?? {}), 'Content-Length': Buffer.byteLength(text), 'X-Openstack-Request-Id': `req-${(++requests).toString(16).padStart(12, '0')}` };
  if (text !== '' && out.text === undefined) headers['Content-Type'] = 'application/json';
  if (close) headers['Connection'] = 'close';
  res.writeHead(out.status, headers);
  res.end(text);
}

function errorBody(status: number, type: string, message: string): ApiResponse {
  return { status, body: { NeutronError: { type, message, detail: '' } } };
}

/** The viewer's options but those the API decides (loopback from its host, the page's path, the log's name). */
export type ApiViewerOptions = Omit<ViewerOptions, 'loopback' | 'pagePath' | 'name'>;

export function startApi(app: ApiApp, host: string, port: number, viewerOptions?: ApiViewerOptions): Promise<RunningApi> {
  let viewer: ViewerAttachment | undefined;
  const loopback = isLoopbackHost(host);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // The viewer's paths first (the API strips trailing slashes, and /viewer/ needs its own).
    if (viewer?.handle(req, res)) return;
    const close = (req.headers.connection ?? '').toLowerCase() === 'close';
    const access = checkAccess(req, { token: undefined, loopback });
    if (!access.ok) {
      req.resume();
      send(res, errorBody(access.status, access.status === 403 ? 'Forbidden' : 'BadRequest', access.message), true);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY && !refused) { refused = true; send(res, errorBody(413, 'RequestEntityTooLarge', `request body over ${MAX_BODY} bytes`), true); req.destroy(); }
      else if (!refused) chunks.push(c);
    });
    req.on('end', () => {
      if (refused) return;
      const local = server.address() as AddressInfo;
      const base = `http://${req.headers.host ?? `${local.address}:${local.port}`}`;
      let url: URL;
      try { url = new URL(req.url ?? '/', 'http://localhost'); } catch { send(res, errorBody(400, 'BadRequest', 'malformed request target'), close); return; }
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      if (raw.trim() !== '') {
        try { body = JSON.parse(raw); } catch { send(res, errorBody(400, 'BadRequest', 'the request body is not valid JSON'), close); return; }
      }
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      let path: string;
      try { path = decodeURIComponent(url.pathname); } catch { path = url.pathname; }
      send(res, app.handle({ method: req.method ?? 'GET', path: path.replace(/\/+$/, '') || '/', query: url.searchParams, headers, body, base }), close);
    });
    req.on('error', () => res.destroy());
  });
  if (viewerOptions !== undefined) viewer = attachViewer(server, { ...viewerOptions, loopback, pagePath: VIEWER_PATH, name: 'vnet api' });
  return new Promise((resolve, reject) => {
    server.once('error', (e) => { void viewer?.close(); reject(e); });
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${shown}:${a.port}`, port: a.port, viewer,
        stats: () => viewer?.stats() ?? { probes: 0, events: 0, queuedInjections: 0, clients: [] },
        close: async () => {
          await viewer?.close();
          await new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); });
        },
      });
    });
  });
}
