/**
 * The thin node:http adapter of the API: it reads the body (bounded), parses JSON, builds an
 * ApiRequest, and writes the ApiResponse with a correct Content-Length and, when the client asks
 * to close, `Connection: close` (pooled clients such as tempest's urllib3 need the echo).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiApp } from './app.js';
import type { ApiResponse } from './types.js';

/** Bodies above this are refused (413): the largest real request is a bulk create of a few KB. */
const MAX_BODY = 1 << 20;

export interface RunningApi {
  readonly url: string;
  readonly port: number;
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

export function startApi(app: ApiApp, host: string, port: number): Promise<RunningApi> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const close = (req.headers.connection ?? '').toLowerCase() === 'close';
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
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const a = server.address() as AddressInfo;
      const shown = a.family === 'IPv6' ? `[${a.address}]` : a.address;
      resolve({
        url: `http://${shown}:${a.port}`, port: a.port,
        close: () => new Promise<void>((done) => { server.close(() => done()); server.closeAllConnections(); }),
      });
    });
  });
}
