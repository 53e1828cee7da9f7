/**
 * Who may use the server. Bound to loopback (the default), only this machine can connect, and
 * the `Host` header must name loopback too, so a web page cannot reach the server through DNS
 * rebinding. A browser's `Origin` must be the server itself (same host and port): other sites'
 * pages get 403, which browsers do not enforce for WebSockets on their own. With a token, the
 * page, the API and the WebSocket need `?token=` (or `Authorization: Bearer`); 401 otherwise.
 */
import { timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { IncomingMessage } from 'node:http';

/** `localhost`, 127.0.0.0/8 or ::1 (the addresses a server may bind without a token). */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    // The URL parser writes IPv6 in its canonical form: ::1, and ::ffff:7f00:1 for ::ffff:127.0.0.1.
    const canonical = new URL(`http://[${h}]`).hostname;
    return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:/.test(canonical);
  }
  return false;
}

export interface AccessPolicy {
  readonly token: string | undefined;
  /** The server listens on loopback only: then the Host header must name loopback too. */
  readonly loopback: boolean;
}

export type AccessResult = { readonly ok: true } | { readonly ok: false; readonly status: 401 | 403; readonly message: string };

/** The host part of a Host header (`127.0.0.1:8080` → `127.0.0.1`, `[::1]:80` → `::1`). */
function hostname(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return hostHeader;
  }
}

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function checkAccess(req: IncomingMessage, policy: AccessPolicy): AccessResult {
  const host = req.headers.host;
  if (policy.loopback && host !== undefined && !isLoopbackHost(hostname(host))) {
    return { ok: false, status: 403, message: `forbidden: Host ${host} is not this machine (the server is bound to loopback)` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined) {
    let originHost: string | undefined;
    try {
      originHost = origin === 'null' ? undefined : new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost === undefined || originHost !== host) return { ok: false, status: 403, message: `forbidden: Origin ${origin} is not this server (${host ?? 'no Host header'})` };
  }
  if (policy.token !== undefined) {
    const url = new URL(req.url ?? '/', 'http://server');
    const auth = req.headers.authorization;
    const given = url.searchParams.get('token') ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : null);
    if (given === null || !sameToken(given, policy.token)) return { ok: false, status: 401, message: 'unauthorized: this server needs ?token=TOKEN (the token given to vnet serve --token)' };
  }
  return { ok: true };
}
