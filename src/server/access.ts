/**
 * Who may use the server. Bound to loopback (the default), only this machine can connect, and
 * the `Host` header must name loopback too, so a web page cannot reach the server through DNS
 * rebinding. A browser's `Origin` must be the server itself (http, same host and port, no
 * user info): other sites' pages get 403, which browsers do not enforce for WebSockets on their
 * own. With a token, the page, the API and the WebSocket need `?token=` (or `Authorization:
 * Bearer`); 401 otherwise. A request target that is not a URL is 400 (request-target.ts).
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { preview } from './preview.js';
import { requestTarget } from './request-target.js';

/** `localhost`, 127.0.0.0/8 or ::1 (the addresses a server may bind without a token). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    // The URL parser writes IPv6 in its canonical form: ::1, and ::ffff:7f00:1 for ::ffff:127.0.0.1.
    // It refuses what isIP accepts with a zone (fe80::1%eth0): no zone is loopback.
    const canonical = authority(`[${h}]`)?.hostname;
    return canonical === '[::1]' || (canonical !== undefined && /^\[::ffff:7f[0-9a-f]{2}:/.test(canonical));
  }
  return false;
}

export interface AccessPolicy {
  readonly token: string | undefined;
  /** The server listens on loopback only: then the Host header must name loopback too. */
  readonly loopback: boolean;
}

export type AccessResult = { readonly ok: true } | { readonly ok: false; readonly status: 400 | 401 | 403; readonly message: string };

/** `host[:port]` as the URL parser normalises it (lower case, default port dropped), or undefined when it is anything more or less. */
function authority(text: string): URL | undefined {
  let url: URL;
  try {
    url = new URL(`http://${text}`);
  } catch {
    return undefined;
  }
  const plain = url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '' && !text.includes('@');
  return plain && url.hostname !== '' ? url : undefined;
}

/** The host part of a Host header (`127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `::1`). */
function hostname(hostHeader: string): string | undefined {
  return authority(hostHeader)?.hostname.replace(/^\[|\]$/g, '');
}

/** An `Origin` that is this http server: scheme http, no user info, nothing after the port, the Host's host and port. */
function sameOrigin(origin: string, host: string | undefined): boolean {
  if (host === undefined || origin === 'null') return false;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' || url.username !== '' || url.password !== '' || origin.includes('@')) return false;
  if (url.pathname !== '/' || url.search !== '' || url.hash !== '') return false;
  const server = authority(host);
  return server !== undefined && url.host === server.host;
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function checkAccess(req: IncomingMessage, policy: AccessPolicy): AccessResult {
  const target = requestTarget(req.url);
  if (!target.ok) return { ok: false, status: 400, message: target.message };
  const host = req.headers.host;
  if (policy.loopback && host !== undefined && !isLoopbackHost(hostname(host) ?? '')) {
    return { ok: false, status: 403, message: `forbidden: Host ${preview(host)} is not this machine (the server is bound to loopback)` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, host)) {
    return { ok: false, status: 403, message: `forbidden: Origin ${preview(origin)} is not this server (http://${host === undefined ? '<no Host header>' : preview(host)})` };
  }
  if (policy.token !== undefined) {
    const auth = req.headers.authorization;
    const given = target.query.get('token') ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : null);
    if (given === null || !sameToken(given, policy.token)) return { ok: false, status: 401, message: 'unauthorized: this server needs ?token=TOKEN (the token given to vnet serve --token)' };
  }
  return { ok: true };
}
