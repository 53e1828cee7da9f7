/**
 * The small pure parts of the server: the inject token bucket, subscription filters, and the
 * access rules (loopback names, Host, Origin, token) on hand-made requests.
 */
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkAccess, isLoopbackHost } from '../../../src/server/access.js';
import { compileFilter, EVERYTHING, wantsEvent, wantsVerdict } from '../../../src/server/subscription.js';
import { TokenBucket } from '../../../src/server/token-bucket.js';
import type { TraceEvent } from '../../../src/trace/events.js';

describe('TokenBucket', () => {
  it('allows a burst, then refills at the rate', () => {
    const b = new TokenBucket({ perSecond: 10, burst: 5 }, 0);
    expect(b.take(5, 0)).toBe(true);
    expect(b.take(1, 0)).toBe(false);
    expect(b.waitFor(1, 0)).toBe(100);
    expect(b.take(1, 100)).toBe(true);
    expect(b.take(5, 10_000)).toBe(true); // capped at the burst, not 100 tokens
    expect(b.take(1, 10_000)).toBe(false);
  });

  it('a cost over the burst never fits', () => {
    const b = new TokenBucket({ perSecond: 10, burst: 5 }, 0);
    expect(b.take(6, 1e9)).toBe(false);
    expect(b.waitFor(6, 0)).toBe(Infinity);
  });

  it('a clock that steps back does not mint tokens', () => {
    const b = new TokenBucket({ perSecond: 10, burst: 5 }, 1000);
    b.take(5, 1000);
    expect(b.take(1, 500)).toBe(false);
    expect(b.take(1, 1000)).toBe(false);
  });
});

const event = (over: Partial<TraceEvent>): TraceEvent => ({ seq: 0, probe: 1, t: 0, node: 'router:edge', port: null, stage: 'router.route', action: 'route', packet: '', direction: 'forward', detail: {}, ...over });

describe('subscription filters', () => {
  it('everything by default', () => {
    expect(wantsEvent(EVERYTHING, event({}), 'delivered')).toBe(true);
    expect(wantsEvent(EVERYTHING, event({ probe: 0, stage: 'lb.health' }), undefined)).toBe(true);
    expect(wantsVerdict(EVERYTHING, 'dropped', [], null)).toBe(true);
  });

  it('nodes by id or name; stages by id or family; verdicts of the probe', () => {
    const f = compileFilter({ nodes: ['edge', 'instance:web-1'], stages: ['sg', 'router.route'], verdicts: ['dropped'] });
    expect(wantsEvent(f, event({}), 'dropped')).toBe(true);
    expect(wantsEvent(f, event({}), 'delivered')).toBe(false);
    expect(wantsEvent(f, event({ node: 'instance:web-1', stage: 'sg.ingress' }), 'dropped')).toBe(true);
    expect(wantsEvent(f, event({ node: 'instance:web-2', stage: 'sg.ingress' }), 'dropped')).toBe(false);
    expect(wantsEvent(f, event({ stage: 'router.ttl' }), 'dropped')).toBe(false);
    expect(wantsVerdict(f, 'dropped', ['host:client', 'router:edge'], null)).toBe(true);
    expect(wantsVerdict(f, 'dropped', ['host:client'], 'instance:web-1')).toBe(true);
    expect(wantsVerdict(f, 'dropped', ['host:client'], null)).toBe(false);
    expect(wantsVerdict(f, 'delivered', ['router:edge'], null)).toBe(false);
  });

  it('events: false is verdicts only; background: false hides health checks', () => {
    expect(wantsEvent(compileFilter({ events: false }), event({}), 'delivered')).toBe(false);
    expect(wantsVerdict(compileFilter({ events: false }), 'delivered', [], null)).toBe(true);
    expect(wantsEvent(compileFilter({ background: false }), event({ probe: 0 }), undefined)).toBe(false);
    // A verdict filter does not apply to background events (they have no verdict).
    expect(wantsEvent(compileFilter({ verdicts: ['dropped'] }), event({ probe: 0 }), undefined)).toBe(true);
  });
});

const request = (headers: Record<string, string>, url = '/ws'): IncomingMessage => ({ headers, url }) as unknown as IncomingMessage;

describe('access', () => {
  it('knows loopback names and addresses', () => {
    for (const h of ['127.0.0.1', '127.8.9.1', 'localhost', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1']) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ['0.0.0.0', '::', '10.0.0.1', 'example.com', '::2', '::ffff:10.0.0.1', '128.0.0.1']) expect(isLoopbackHost(h), h).toBe(false);
  });

  it('on loopback, Host must name loopback (DNS rebinding)', () => {
    const policy = { token: undefined, loopback: true };
    expect(checkAccess(request({ host: '127.0.0.1:8080' }), policy).ok).toBe(true);
    expect(checkAccess(request({ host: 'localhost:8080' }), policy).ok).toBe(true);
    expect(checkAccess(request({ host: '[::1]:8080' }), policy).ok).toBe(true);
    expect(checkAccess(request({ host: 'attacker.example:8080' }), policy)).toMatchObject({ ok: false, status: 403 });
    expect(checkAccess(request({ host: 'attacker.example:8080' }), { token: 't', loopback: false }, ).ok).toBe(false); // no token
  });

  it('Origin must be the server itself', () => {
    const policy = { token: undefined, loopback: true };
    expect(checkAccess(request({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:8080' }), policy).ok).toBe(true);
    expect(checkAccess(request({ host: '127.0.0.1:8080', origin: 'http://127.0.0.1:9090' }), policy)).toMatchObject({ status: 403 });
    expect(checkAccess(request({ host: '127.0.0.1:8080', origin: 'https://evil.example' }), policy)).toMatchObject({ status: 403 });
    expect(checkAccess(request({ host: '127.0.0.1:8080', origin: 'null' }), policy)).toMatchObject({ status: 403 });
    expect(checkAccess(request({ host: '127.0.0.1:8080', origin: '::garbage' }), policy)).toMatchObject({ status: 403 });
  });

  it('Origin: the scheme must be http (the server speaks http), with no user info, nothing after the port', () => {
    const policy = { token: undefined, loopback: true };
    const host = '127.0.0.1:8080';
    for (const origin of ['https://127.0.0.1:8080', 'ftp://127.0.0.1:8080', 'ws://127.0.0.1:8080', 'http://x@127.0.0.1:8080', 'http://x:y@127.0.0.1:8080', 'http://@127.0.0.1:8080', 'http://127.0.0.1:8080/path', 'http://127.0.0.1:8080?q', 'http://127.0.0.1', 'http://[', 'http://a:99999']) {
      expect(checkAccess(request({ host, origin }), policy), origin).toMatchObject({ ok: false, status: 403 });
    }
    // Host and Origin are compared as the URL parser normalises them (case, the default port).
    expect(checkAccess(request({ host: 'LOCALHOST:8080', origin: 'http://localhost:8080' }), policy).ok).toBe(true);
    expect(checkAccess(request({ host: 'localhost:80', origin: 'HTTP://localhost' }), policy).ok).toBe(true);
    expect(checkAccess(request({ host: '[::1]:8080', origin: 'http://[::1]:8080' }), policy).ok).toBe(true);
    // A Host with user info names no server an Origin can be.
    expect(checkAccess(request({ host: 'x@127.0.0.1:8080', origin: 'http://127.0.0.1:8080' }), policy)).toMatchObject({ ok: false, status: 403 });
    // Without a Host (HTTP/1.0), no Origin is this server.
    expect(checkAccess(request({ origin: 'http://127.0.0.1:8080' }), policy)).toMatchObject({ ok: false, status: 403 });
  });

  it('Host headers the URL parser refuses (a zone, a bracket, user info) are not loopback, and never throw', () => {
    const policy = { token: undefined, loopback: true };
    expect(isLoopbackHost('fe80::1%eth0')).toBe(false);
    for (const host of ['fe80::1%eth0', '[fe80::1%25eth0]:80', '[', '[::1', 'a:99999', '', ' ', '%', 'x@127.0.0.1:8080', '127.0.0.1:8080/x']) {
      expect(checkAccess(request({ host }), policy), host).toMatchObject({ ok: false, status: 403 });
    }
  });

  it('a request target that is not a URL is 400, before the token is looked for', () => {
    for (const url of ['http://a:99999/', 'http://[/', '*']) {
      expect(checkAccess(request({ host: '127.0.0.1:8080' }, url), { token: undefined, loopback: true }), url).toMatchObject({ ok: false, status: 400 });
      expect(checkAccess(request({ host: '127.0.0.1:8080' }, url), { token: 't', loopback: true }), url).toMatchObject({ ok: false, status: 400 });
    }
    // Absolute-form is a request like any other: its query carries the token.
    expect(checkAccess(request({ host: '127.0.0.1:8080' }, 'http://127.0.0.1:8080/ws?token=t'), { token: 't', loopback: true }).ok).toBe(true);
  });

  it('a token in the query or as a bearer; 401 otherwise', () => {
    const policy = { token: 's3cret', loopback: false };
    expect(checkAccess(request({ host: 'h:1' }, '/ws?token=s3cret'), policy).ok).toBe(true);
    expect(checkAccess(request({ host: 'h:1', authorization: 'Bearer s3cret' }, '/api/topology'), policy).ok).toBe(true);
    expect(checkAccess(request({ host: 'h:1' }, '/ws?token=s3cre'), policy)).toMatchObject({ status: 401 });
    expect(checkAccess(request({ host: 'h:1' }, '/ws'), policy)).toMatchObject({ status: 401 });
    expect(checkAccess(request({ host: 'h:1', authorization: 'Basic czNjcmV0' }), policy)).toMatchObject({ status: 401 });
  });
});
