/**
 * No request and no message may end `vnet serve` (DESIGN §7). Raw HTTP requests — methods,
 * origin-form, absolute-form and garbage targets, bad ports, brackets, percent escapes, odd Host,
 * Origin, Upgrade and token headers — go over real sockets to servers on 127.0.0.1 (with and
 * without a token); WebSocket messages of every shape (deep nesting, huge strings, wrong types,
 * binary frames) go over one connection. Every request gets an HTTP answer that is not a 500,
 * every bad message an `error` that is not `internal`, and the servers still serve afterwards.
 */
import fc from 'fast-check';
import { connect as tcpConnect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadTopologyFile } from '../../../src/files/read-topology.js';
import { parseClientMessage } from '../../../src/server/protocol.js';
import { startServer, type RunningServer } from '../../../src/server/server.js';

const FILE = 'topologies/three-tier.yaml';
const loaded = loadTopologyFile(FILE);
if (!loaded.ok) throw new Error(`${FILE} does not load`);
const cloud = loaded.cloud;
const TOKEN = 't0k';
const HTTP_RUNS = 2_500;
const UPGRADE_RUNS = 1_000;
const WS_RUNS = 2_500;
const DEEP_RUNS = 300;
/** The servers' maxPayload (the default, 64 KiB). */
const MAX_PAYLOAD = 64 * 1024;

let open: RunningServer;
let guarded: RunningServer;
const logged: string[] = [];

beforeAll(async () => {
  const log = (line: string) => { logged.push(line); };
  open = await startServer({ cloud, file: FILE, log });
  guarded = await startServer({ cloud, file: FILE, token: TOKEN, log });
});

afterAll(async () => {
  await Promise.all([open?.close(), guarded?.close()]);
});

interface Answer {
  /** The status of the first response line, or null when the server closed without a word. */
  readonly status: number | null;
  readonly head: string;
  readonly timedOut: boolean;
}

/** Sends raw bytes on a fresh connection, half-closes it, and reads what comes back. */
function exchange(port: number, raw: string, timeoutMs = 2_000): Promise<Answer> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let timedOut = false;
    const socket = tcpConnect({ host: '127.0.0.1', port }, () => socket.end(raw, 'latin1'));
    const timer = setTimeout(() => { timedOut = true; socket.destroy(); }, timeoutMs);
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      const text = Buffer.concat(chunks).toString('latin1');
      const head = text.split('\r\n')[0] ?? '';
      const m = /^HTTP\/1\.1 (\d{3}) /.exec(head);
      resolve({ status: m ? Number(m[1]) : null, head, timedOut });
    });
  });
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP requests

// GET (and HEAD) most often: only they get past the method check to the access checks.
const METHOD = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('GET', 'GET', 'GET', 'HEAD') },
  fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'CONNECT', 'TRACE', 'PATCH', 'get', 'PRI', 'M-SEARCH'),
  fc.stringMatching(/^[A-Z]{1,8}$/),
);
const SCHEME = fc.constantFrom('http', 'https', 'ws', 'wss', 'ftp', 'HTTP', 'javascript', 'file', 'a', '');
const HOSTPART = fc.constantFrom('a', '127.0.0.1', 'localhost', '[::1]', '[', ']', '[/', '[::1', '::1', '[fe80::1%25eth0]', '[fe80::1%eth0]', '%', '%zz', 'xn--', '', '..', 'é.example', '0x7f.1', '999.999.999.999', 'user@127.0.0.1', 'a:b@c');
const PORTPART = fc.oneof(fc.constantFrom('', ':', ':99999', ':-1', ':0', ':65535', ':65536', ':8080', ':abc', ':1:2', ':{PORT}'), fc.integer({ min: -10, max: 200_000 }).map((p) => `:${p}`));
const KNOWN_PATH = fc.constantFrom('/', '/ws', '/api/topology', '/viewer.js', '/index.html', '/api/trace/1.json');
const PATH_PIECE = fc.oneof(
  KNOWN_PATH,
  fc.constantFrom('', '/', '/ws', '/api/topology', '/viewer.js', '/viewer.css', '/index.html', '/api/trace/1.json', '/api/trace/1.pcap', '/api/trace/0.pcap', '/api/trace/99999999999.json', '/api/trace/', '/..', '/%2e%2e/', '//', '/%', '/%zz', '/%00', '/%ff%fe', '/\\', '/?', '/#x', '/;a', '/é'),
  fc.stringMatching(/^\/[A-Za-z0-9%._~!$&'()*+,;=:@/-]{0,20}$/),
);
const QUERY = fc.constantFrom('', '?', `?token=${TOKEN}`, '?token=', '?token=%', '?token=%zz', `?token=${TOKEN}&token=x`, '?token=t0k%00', '?a=%E0%A4%A', '?&&==', '?token=' + 'x'.repeat(300));
const ABSOLUTE = fc.tuple(SCHEME, fc.constantFrom('://', ':/', ':', '//', ':///'), HOSTPART, PORTPART, PATH_PIECE, QUERY).map((p) => p.join(''));
const GARBAGE = fc.string({ unit: 'binary-ascii', maxLength: 40 }).map((s) => s.replace(/[\r\n ]/g, ''));
const TARGET = fc.oneof(
  { weight: 3, arbitrary: fc.tuple(KNOWN_PATH, QUERY).map(([p, q]) => p + q) },
  { weight: 2, arbitrary: fc.tuple(PATH_PIECE, QUERY).map(([p, q]) => p + q) },
  { weight: 4, arbitrary: ABSOLUTE },
  { weight: 1, arbitrary: fc.constantFrom('*', '', 'http://a:99999/', 'http://[/', 'http://[::1]:99999/ws', 'ws://127.0.0.1:{PORT}/ws', '//127.0.0.1:{PORT}/api/topology', '%', 'http://a:99999/ws?token=t0k') },
  { weight: 1, arbitrary: GARBAGE },
);
const VERSION = fc.constantFrom('HTTP/1.1', 'HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/0.9', 'HTTP/1.1x', 'HTTP/9.9', '');

const HOST_VALUE = fc.constantFrom('127.0.0.1:{PORT}', 'localhost:{PORT}', '[::1]:{PORT}', 'LOCALHOST:{PORT}', '127.0.0.1', 'a:99999', '127.0.0.1:99999', '[', '[::1', '[fe80::1%25eth0]:80', 'fe80::1%eth0', '::1', 'evil.example', '', ' ', 'user@127.0.0.1:{PORT}', '%', '[/', 'xn--:1');
const ORIGIN_VALUE = fc.constantFrom('http://127.0.0.1:{PORT}', 'https://127.0.0.1:{PORT}', 'ftp://127.0.0.1:{PORT}', 'http://x@127.0.0.1:{PORT}', 'http://x:y@127.0.0.1:{PORT}', 'null', 'http://[', 'http://a:99999', '::garbage', '', 'http://127.0.0.1:{PORT}/path', 'HTTP://LOCALHOST:{PORT}', 'http://[fe80::1%eth0]', 'ws://127.0.0.1:{PORT}');
const HEADER = fc.oneof(
  HOST_VALUE.map((h) => `Host: ${h}`),
  ORIGIN_VALUE.map((o) => `Origin: ${o}`),
  fc.constantFrom('Upgrade: websocket', 'Upgrade: h2c', 'Upgrade: ', 'Connection: Upgrade', 'Connection: keep-alive, Upgrade', 'Connection: close', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Version: 99', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Key: short', `Authorization: Bearer ${TOKEN}`, 'Authorization: Bearer ', 'Authorization: Basic x', 'Content-Length: 5', 'Content-Length: -1', 'Content-Length: 99999999999999999999', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip, chunked', 'Expect: 100-continue', 'Sec-WebSocket-Extensions: permessage-deflate', 'X: \u0001'),
  fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), fc.string({ maxLength: 20 })).map(([k, val]) => `${k}: ${val.replace(/[\r\n]/g, '')}`),
);
const UPGRADE_HEADERS = ['Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='];

interface RawRequest { readonly method: string; readonly target: string; readonly version: string; readonly headers: readonly string[]; readonly body: string; readonly guarded: boolean }

const request = (extraHeaders: readonly string[]) => fc.record({
  method: METHOD,
  // An upgrade is most interesting at /ws, where it meets the access checks.
  target: extraHeaders.length > 0 ? fc.oneof({ weight: 2, arbitrary: QUERY.map((q) => `/ws${q}`) }, TARGET) : TARGET,
  version: VERSION,
  // Usually a Host first (what access checks read), then anything.
  headers: fc.tuple(fc.option(HOST_VALUE, { freq: 4, nil: undefined }), fc.array(HEADER, { maxLength: 5 }))
    .map(([host, h]) => [...(host !== undefined ? [`Host: ${host}`] : []), ...extraHeaders, ...h]),
  body: fc.constantFrom('', 'hello', '0\r\n\r\n', '{"type":"reset","v":1}'),
  guarded: fc.boolean(),
});

function rawText(r: RawRequest, port: number): string {
  const line = [r.method, r.target, r.version].filter((s) => s !== '').join(' ');
  return `${line}\r\n${r.headers.join('\r\n')}${r.headers.length > 0 ? '\r\n' : ''}\r\n${r.body}`.replaceAll('{PORT}', String(port));
}

async function answersEveryRequest(r: RawRequest): Promise<void> {
  const server = r.guarded ? guarded : open;
  const answer = await exchange(server.port, rawText(r, server.port));
  expect(answer.timedOut, 'the server never answered').toBe(false);
  // Node itself closes a connection without a word only where HTTP allows it; everything else is a status.
  expect(answer.status, `no HTTP status line, got ${JSON.stringify(answer.head)}`).not.toBeNull();
  expect(answer.status).not.toBe(500);
  expect(answer.status).toBeLessThan(600);
}

async function stillServes(server: RunningServer, query = ''): Promise<void> {
  const res = await fetch(`${server.url}api/topology${query}`);
  expect(res.status).toBe(200);
  expect(((await res.json()) as { name: string }).name).toBe('three-tier');
}

describe('the server survives any HTTP request', () => {
  it('the requests from the bug report get 400, on both servers and on the upgrade path', async () => {
    for (const server of [open, guarded]) {
      for (const target of ['http://a:99999/', 'http://[/', 'http://a:99999/ws']) {
        for (const extra of [[], UPGRADE_HEADERS]) {
          for (const method of ['GET', 'POST']) {
            const answer = await exchange(server.port, `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n${extra.map((h) => `${h}\r\n`).join('')}\r\n`);
            expect(answer.status, `${method} ${target} ${extra.length > 0 ? '(upgrade)' : ''}`).toBe(400);
          }
        }
      }
      await stillServes(server, server === guarded ? `?token=${TOKEN}` : '');
    }
  });

  it(`any request line and headers (${HTTP_RUNS} requests): an HTTP answer, never a 500 or a silent close`, async () => {
    await fc.assert(fc.asyncProperty(request([]), answersEveryRequest), { numRuns: HTTP_RUNS });
    await stillServes(open);
    await stillServes(guarded, `?token=${TOKEN}`);
  });

  it(`any WebSocket upgrade (${UPGRADE_RUNS} requests): an HTTP answer, never a 500 or a silent close`, async () => {
    await fc.assert(fc.asyncProperty(request(UPGRADE_HEADERS), answersEveryRequest), { numRuns: UPGRADE_RUNS });
    await stillServes(open);
    await stillServes(guarded, `?token=${TOKEN}`);
    expect(logged).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// WebSocket messages

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = Record<string, any>;

/** One ws client that records every message; `until` waits for one. */
class Peer {
  readonly messages: Msg[] = [];
  closed: number | undefined;
  private wake: (() => void) | undefined;

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as Msg);
      this.wake?.();
    });
    ws.on('close', (code) => {
      this.closed = code;
      this.wake?.();
    });
  }

  static open(server: RunningServer): Promise<Peer> {
    return new Promise((resolve, reject) => {
      const peer = new Peer(new WebSocket(`${server.url.replace(/^http/, 'ws')}ws`));
      peer.ws.once('open', () => resolve(peer));
      peer.ws.once('error', reject);
    });
  }

  async until(pred: (m: Msg) => boolean, timeoutMs = 5_000): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.messages.findIndex(pred);
      if (i >= 0) return i;
      if (this.closed !== undefined) throw new Error(`the server closed the connection (${this.closed})`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no answer');
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.wake = () => { clearTimeout(t); resolve(); };
      });
    }
  }
}

/** A JSON value, as text, nested `depth` deep (built as text: JSON.stringify cannot). */
const nested = (depth: number, kind: 'array' | 'object' | 'mixed'): string => {
  let open = '';
  let close = '';
  for (let i = 0; i < depth; i++) {
    const arr = kind === 'array' || (kind === 'mixed' && i % 2 === 0);
    open += arr ? '[' : '{"a":';
    close = (arr ? ']' : '}') + close;
  }
  return `${open}0${close}`;
};
// One value stays under the 64 KiB maxPayload; a message of several may not (then: 1009, by design).
const deep = (min: number, max: number) => fc.tuple(fc.integer({ min, max }), fc.constantFrom('array' as const, 'object' as const, 'mixed' as const)).map(([d, k]) => nested(k === 'array' ? d * 3 : d, k));
const DEEP = deep(1, 3_000);
/** Deeper than any message of the protocol may be, up to 27,000 levels. */
const TOO_DEEP = deep(100, 9_000);
/** A string of up to 30,000 bytes of JSON text. */
const HUGE = fc.tuple(fc.integer({ min: 1, max: 30_000 }), fc.constantFrom('x', 'é', '\\"', '\\u0000', 'web')).map(([n, s]) => `"${s.repeat(Math.max(1, Math.floor(n / Buffer.byteLength(s))))}"`);
const SCALAR = fc.oneof(
  fc.constantFrom('null', 'true', 'false', '0', '-0', '1', '1.5', '1e308', '1e999', '-1e999', '65536', '99999', '10001', '""', '"tcp"', '"udp"', '"icmp"', '"sg"', '"edge"', '"router:edge"', '"web-1"', '"db-1"', '"client"', '"lb-fip"', '"__proto__"', '"constructor"', '"toString"', '{}', '[]', '{"__proto__":{"x":1}}', '[1,2,3]'),
  fc.jsonValue({ maxDepth: 3 }).map((j) => JSON.stringify(j)),
);
const VALUE = fc.oneof({ weight: 6, arbitrary: SCALAR }, { weight: 2, arbitrary: DEEP }, { weight: 1, arbitrary: HUGE });
const KEYS = ['type', 'v', 'id', 'from', 'to', 'proto', 'port', 'count', 'ipv6', 'node', 'filter', '__proto__', 'constructor', 'extra'];
const TYPE = fc.constantFrom('"inject"', '"subscribe"', '"pause"', '"resume"', '"reset"', '"state"', '"details"', '"injekt"', '"hello"', '"error"', '"__proto__"', '"constructor"', '"hasOwnProperty"', '1', 'null');
const FILTER = fc.oneof(
  VALUE,
  fc.dictionary(fc.constantFrom('events', 'background', 'nodes', 'stages', 'verdicts', 'extra'), fc.oneof(VALUE, fc.array(VALUE, { maxLength: 3 }).map((a) => `[${a.join(',')}]`)), { maxKeys: 4 })
    .map((d) => `{${Object.entries(d).map(([k, val]) => `${JSON.stringify(k)}:${val}`).join(',')}}`),
);

/** An object message: a type, usually v: 1 and an id (so its error can be matched), then fields of any shape. */
const OBJECT_MESSAGE = fc.record({
  type: TYPE,
  v: fc.oneof({ weight: 5, arbitrary: fc.constant('1') }, { weight: 1, arbitrary: VALUE }),
  fields: fc.array(fc.tuple(fc.constantFrom(...KEYS), VALUE), { maxLength: 4 }),
  filter: fc.option(FILTER, { nil: undefined }),
}).map(({ type, v, fields, filter }) => {
  const parts = [`"type":${type}`, `"v":${v}`, '"id":"{ID}"', ...fields.map(([k, val]) => `"${k}":${val}`), ...(filter !== undefined ? [`"filter":${filter}`] : [])];
  return `{${parts.join(',')}}`;
});

/** A text frame (`{ID}` becomes the message's id) or a binary one. */
type Frame = { readonly text: string } | { readonly binary: Uint8Array };
const FRAME: fc.Arbitrary<Frame> = fc.oneof(
  { weight: 8, arbitrary: OBJECT_MESSAGE.map((text) => ({ text })) },
  { weight: 1, arbitrary: VALUE.map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.string({ maxLength: 60 }).map((text) => ({ text })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((binary) => ({ binary })) },
);

const ERROR_CODES = ['bad-json', 'unknown-type', 'unsupported-version', 'invalid-message', 'bad-endpoint', 'unknown-node', 'rate-limited', 'busy', 'cancelled'];

describe('the server survives any WebSocket message', () => {
  let peer: Peer;
  let n = 0;
  let oversized = 0;
  beforeAll(async () => { peer = await Peer.open(open); });
  afterAll(() => { peer?.ws.terminate(); });

  /**
   * Sends one frame, then a `state` request; every answer to the frame comes before the state.
   * A frame over maxPayload is not read at all: ws closes with 1009 (then undefined, and a new connection).
   */
  async function answers(frame: Frame): Promise<Msg[] | undefined> {
    const id = `f${++n}`;
    const from = peer.messages.length;
    const data = 'binary' in frame ? frame.binary : frame.text.replaceAll('{ID}', id);
    if (Buffer.byteLength(data) > MAX_PAYLOAD) {
      peer.ws.send(data, { binary: 'binary' in frame });
      await peer.until(() => false).catch(() => undefined);
      expect(peer.closed).toBe(1009);
      oversized++;
      peer = await Peer.open(open);
      await peer.until((m) => m.type === 'hello');
      peer.messages.length = 0;
      return undefined;
    }
    peer.ws.send(data, { binary: 'binary' in frame });
    peer.ws.send(JSON.stringify({ type: 'state', v: 1, id: `s${n}`, node: 'edge' }));
    const at = await peer.until((m) => m.ref === `s${n}` && (m.type === 'state' || m.type === 'error'));
    expect(peer.messages[at]!.type).toBe('state');
    const between = peer.messages.slice(from, at);
    peer.messages.splice(0, at + 1);
    // Whatever its ref (a message may repeat "id"), an error here answers this frame, or is a late
    // `cancelled` for an injection a reset cut short.
    return between.filter((m) => m.type === 'error');
  }

  it(`any frame (${WS_RUNS} frames): an error that is not internal, or a message the protocol accepts; the connection stays`, async () => {
    await fc.assert(fc.asyncProperty(FRAME, async (frame) => {
      const errors = await answers(frame);
      if (errors === undefined) return;
      for (const e of errors) {
        expect(ERROR_CODES).toContain(e.code);
        expect(typeof e.message).toBe('string');
        expect(e.message.length).toBeLessThan(2_000);
      }
      if (errors.length === 0) {
        expect('text' in frame, 'a binary frame got no error').toBe(true);
        if ('text' in frame) expect(parseClientMessage(frame.text.replaceAll('{ID}', `f${n}`)), 'no error for a message the protocol refuses').toMatchObject({ ok: true });
      }
    }), { numRuns: WS_RUNS });
    expect(peer.closed).toBeUndefined();
    // Most frames are read: the limit closes only the few that pass it.
    expect(oversized).toBeLessThan(WS_RUNS / 20);
  });

  it(`deep nesting in any field of any message (${DEEP_RUNS} messages): invalid-message, and the connection stays`, async () => {
    const field = fc.constantFrom('node', 'from', 'to', 'port', 'count', 'id', 'filter', 'extra', 'v', 'type');
    const kind = fc.constantFrom('state', 'inject', 'subscribe', 'pause');
    await fc.assert(fc.asyncProperty(kind, field, TOO_DEEP, async (type, key, deep) => {
      const rest = key === 'v' || key === 'type' ? '' : ',"v":1';
      const head = key === 'type' ? '' : `"type":"${type}",`;
      const errors = await answers({ text: `{${head}"id":"{ID}"${rest},"${key}":${deep}}` });
      expect(errors).toHaveLength(1);
      const [error] = errors!;
      expect(error, JSON.stringify(error)).toMatchObject({ type: 'error', code: 'invalid-message', path: key });
      expect(error!.message.length).toBeLessThan(2_000);
    }), { numRuns: DEEP_RUNS });
    expect(peer.closed).toBeUndefined();
  });

  it('the bug report\'s message: state with a node nested 5,000 deep', async () => {
    const errors = await answers({ text: `{"type":"state","v":1,"id":"{ID}","node":${nested(5_000, 'array')}}` });
    expect(errors).toMatchObject([{ code: 'invalid-message', path: 'node' }]);
  });

  it('afterwards, a new client is greeted and served, and nothing was logged as internal', async () => {
    const fresh = await Peer.open(open);
    await fresh.until((m) => m.type === 'hello');
    fresh.ws.send(JSON.stringify({ type: 'inject', v: 1, id: 'ok', from: 'web-1', to: 'db-1', port: 5432 }));
    const at = await fresh.until((m) => m.type === 'verdict' && m.probe.ref === 'ok');
    expect(fresh.messages[at]!.verdict.verdict).toBe('delivered');
    fresh.ws.terminate();
    await stillServes(open);
    expect(logged).toEqual([]);
  });
});
