/**
 * `vnet serve`'s server end to end: real `ws` clients on an ephemeral port on 127.0.0.1, one
 * server per test. The protocol (DESIGN §7): hello with the topology; an inject streams its
 * events in seq order, then a verdict equal to what Simulator.probe gives for the same probe;
 * every client sees the same stream; bad messages get `error` and the socket stays; a message
 * over maxPayload closes the socket with 1009 (ws's protocol behaviour: the frame is never
 * read, so no reply is possible); a client that never reads stays bounded and later learns
 * what it lost; Origin, Host and token checks; /api/topology; --watch; a clean shutdown.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { connect as connectTcp } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadTopologyFile } from '../../src/files/read-topology.js';
import { resolveDestination, resolveSource } from '../../src/engine/endpoints.js';
import { Simulator } from '../../src/engine/simulator.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/server.js';
import { buildGraph } from '../../src/topology/graph.js';
import type { Cloud } from '../../src/topology/model.js';
import { cloudToJson } from '../../src/topology/to-json.js';
import { verdictJson } from '../../src/trace/render.js';
import { Client, type Msg } from './ws-client.js';

const FILE = 'topologies/three-tier.yaml';
const loaded = loadTopologyFile(FILE);
if (!loaded.ok) throw new Error(`${FILE} does not load`);
const cloud: Cloud = loaded.cloud;

let server: RunningServer | undefined;
const clients: Client[] = [];
let tmp: string | undefined;

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await server?.close();
  server = undefined;
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

async function start(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  server = await startServer({ cloud, file: FILE, ...options });
  return server;
}
const wsUrl = (s: RunningServer, query = '') => `${s.url.replace(/^http/, 'ws')}ws${query}`;
async function connect(s: RunningServer, query = '', options: WebSocket.ClientOptions = {}): Promise<Client> {
  const c = await Client.open(wsUrl(s, query), options);
  clients.push(c);
  await c.waitFor((m) => m.type === 'hello');
  return c;
}

function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Raw bytes on a fresh connection (half-closed after them); everything the server writes back. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connectTcp({ host: '127.0.0.1', port }, () => socket.end(text));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('utf8')));
  });
}

/** What the library gives for the same probes, in one fresh simulation. */
function expected(from: string, to: string, port: number, count: number) {
  const sim = new Simulator(cloud);
  const src = resolveSource(cloud, from);
  const dst = resolveDestination(cloud, to);
  if (!src.ok || !dst.ok) throw new Error('bad probe');
  return Array.from({ length: count }, () => sim.probe({ from: src.value.node, to: dst.value, proto: 'tcp', port }));
}

const verdictsOf = (c: Client) => c.messages.filter((m) => m.type === 'verdict');

describe('hello and the topology', () => {
  it('greets each client with the protocol version and the resolved topology', async () => {
    const s = await start();
    expect(s.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    const c = await connect(s);
    const hello = c.messages[0]!;
    expect(hello).toMatchObject({ type: 'hello', v: 1, version: 1, reason: 'connect' });
    expect(hello.topology.name).toBe('three-tier');
    expect(hello.topology.file).toBe('three-tier.yaml');
    // Compact: every graph node as [id, kind index, label], links as index pairs, the form's endpoints; the full cloud is /api/topology.
    const graph = buildGraph(cloud);
    expect(hello.topology.nodes.map((n: Msg) => n[0]).sort()).toEqual(graph.nodes().sort());
    const webAt = hello.topology.nodes.findIndex((n: Msg) => n[0] === 'instance:web-1');
    expect(hello.topology.kinds[hello.topology.nodes[webAt][1]]).toBe('instance');
    expect(hello.topology.nodes[webAt][2]).toBe(graph.getNodeAttribute('instance:web-1', 'label'));
    expect(hello.topology.edges).toHaveLength(2 * graph.size);
    expect(hello.topology.endpoints.floating_ips).toContainEqual(['lb-fip', '203.0.113.80']);
    expect(hello.topology.cloud).toBeUndefined();
  });

  it('GET /api/topology: the same payload as JSON; GET /: the viewer page, its script and stylesheet from this server only', async () => {
    const s = await start();
    const api = await get(`${s.url}api/topology`);
    expect(api.status).toBe(200);
    expect(api.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(api.body) as Msg;
    expect(body).toEqual(JSON.parse(JSON.stringify({ name: 'three-tier', file: 'three-tier.yaml', cloud: cloudToJson(cloud), graph: buildGraph(cloud).export() })));
    const page = await get(s.url);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.body).toContain('<script src="viewer.js"></script>');
    // No inline script, nothing fetched from elsewhere.
    expect(page.body.match(/<script[^>]*>/gi)).toEqual(['<script src="viewer.js">']);
    expect(page.body).not.toMatch(/https?:\/\//i);
    const script = await get(`${s.url}viewer.js`);
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toMatch(/^text\/javascript/);
    expect(script.body.length).toBeGreaterThan(10_000);
    expect((await get(`${s.url}viewer.css`)).headers['content-type']).toMatch(/^text\/css/);
    expect((await get(`${s.url}nope`)).status).toBe(404);
    expect((await get(`${s.url}api/topology`, {}, 'POST')).status).toBe(405);
    expect((await get(`${s.url}api/topology`, {}, 'HEAD')).body).toBe('');
  });
});

describe('inject', () => {
  it('streams the events in seq order, then a verdict equal to Simulator.probe for the same probe', async () => {
    const s = await start();
    const c = await connect(s);
    c.send({ type: 'inject', v: 1, id: 'lb', from: 'client', to: 'lb-fip', port: 80, count: 3 });
    await c.waitFor((m) => m.type === 'verdict' && m.probe.index === 3);
    const want = expected('client', 'lb-fip', 80, 3);
    const stream = c.messages.slice(1);
    const seqs = stream.filter((m) => m.type === 'event').map((m) => m.event.seq as number);
    expect(seqs.length).toBeGreaterThan(30);
    expect(seqs.every((q, i) => i === 0 || q > seqs[i - 1]!)).toBe(true);
    let at = 0;
    want.forEach((w, i) => {
      const id = i + 1;
      // This probe's events come before its verdict, and before anything of the next probe.
      const verdictAt = stream.findIndex((m) => m.type === 'verdict' && m.probe.id === id);
      const events = stream.slice(at, verdictAt).filter((m) => m.type === 'event' && m.event.probe === id).map((m) => m.event);
      expect(events).toEqual(JSON.parse(JSON.stringify(w.events)));
      const v = stream[verdictAt]!;
      const { events: _e, ...body } = verdictJson(w);
      expect(v.verdict).toEqual(JSON.parse(JSON.stringify({ ...body, event_count: w.events.length })));
      expect(v.probe).toEqual({ id, ref: 'lb', from: 'client', to: 'lb-fip', proto: 'tcp', port: 80, index: id, count: 3 });
      at = verdictAt + 1;
    });
    // Round robin over the members, as in the library.
    expect(verdictsOf(c).map((m) => m.verdict.lb.member)).toEqual(want.map((w) => w.lb!.member));
  });

  it('a probe that lands on another node than the one it names is misdelivered, and says where (issue 14)', async () => {
    const twoProject = loadTopologyFile('topologies/two-project.yaml');
    if (!twoProject.ok) throw new Error('two-project.yaml does not load');
    server = await startServer({ cloud: twoProject.cloud, file: 'topologies/two-project.yaml' });
    const c = await connect(server);
    c.send({ type: 'inject', v: 1, from: 'a-vm1', to: 'b-vm1', port: 80 });
    c.send({ type: 'inject', v: 1, from: 'a-vm1', to: 'b-fip', port: 80 });
    await c.waitFor((m) => m.type === 'verdict' && m.probe.to === 'b-fip');
    const [byName, byFip] = verdictsOf(c);
    expect(byName!.verdict).toMatchObject({ verdict: 'misdelivered', landed: { node: 'instance:a-vm1', port: null, outcome: 'delivered' } });
    expect(byFip!.verdict).toMatchObject({ verdict: 'delivered', landed: { node: 'instance:b-vm1', port: 'b-vm1/eth0', outcome: 'delivered' } });
  });

  it('two clients see the same stream, whoever injects', async () => {
    const s = await start();
    const a = await connect(s);
    const b = await connect(s);
    a.send({ type: 'inject', v: 1, from: 'client', to: 'web-1-fip', port: 80, count: 2 });
    b.send({ type: 'inject', v: 1, from: 'scanner', to: 'web-1-fip', port: 22 });
    for (const c of [a, b]) await c.waitFor((m) => m.type === 'verdict' && m.probe.from === 'scanner');
    expect(a.raw.slice(1)).toEqual(b.raw.slice(1));
    expect(verdictsOf(a).map((m) => m.verdict.verdict)).toEqual(['delivered', 'delivered', 'dropped']);
  });

  it('names that resolve to nothing → bad-endpoint with a did-you-mean', async () => {
    const s = await start();
    const c = await connect(s);
    c.send({ type: 'inject', v: 1, id: 'x', from: 'clinet', to: 'web-1', port: 80 });
    const e = await c.waitFor((m) => m.type === 'error');
    expect(e).toMatchObject({ code: 'bad-endpoint', path: 'from', ref: 'x' });
    expect(e.message).toContain('"client"');
  });

  it('a token bucket limits the probes a client injects', async () => {
    const s = await start({ injectRate: { perSecond: 1, burst: 5 } });
    const c = await connect(s);
    c.send({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', port: 5432, count: 5 });
    c.send({ type: 'inject', v: 1, id: 'one-more', from: 'web-1', to: 'db-1', port: 5432 });
    c.send({ type: 'inject', v: 1, id: 'too-big', from: 'web-1', to: 'db-1', port: 5432, count: 6 });
    const limited = await c.waitFor((m) => m.type === 'error' && m.ref === 'one-more');
    expect(limited.code).toBe('rate-limited');
    expect(limited.retry_after_ms).toBeGreaterThan(0);
    expect(await c.waitFor((m) => m.type === 'error' && m.ref === 'too-big')).toMatchObject({ code: 'rate-limited' });
    await c.waitFor((m) => m.type === 'verdict' && m.probe.index === 5);
    expect(verdictsOf(c)).toHaveLength(5);
  });
});

describe('bad messages', () => {
  it('malformed JSON, an unknown type, invalid fields and binary frames get an error and the socket stays open', async () => {
    const s = await start();
    const c = await connect(s);
    c.send('{"type": "inject", ');
    c.send({ type: 'injekt', v: 1 });
    c.send({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', port: 99999 });
    c.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    await c.waitFor((m) => m.type === 'error' && m.code === 'bad-json' && /binary/.test(m.message));
    expect(c.messages.filter((m) => m.type === 'error').map((m) => [m.code, m.path ?? null])).toEqual([['bad-json', null], ['unknown-type', 'type'], ['invalid-message', 'port'], ['bad-json', null]]);
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.send({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', port: 5432 });
    expect((await c.waitFor((m) => m.type === 'verdict')).verdict.verdict).toBe('delivered');
  });

  it('a message over maxPayload closes that socket with 1009 (ws cannot reply to a frame it refused to read); others carry on', async () => {
    const s = await start({ maxPayload: 1024 });
    const big = await connect(s);
    const other = await connect(s);
    big.send(JSON.stringify({ type: 'inject', v: 1, from: 'web-1', to: 'x'.repeat(2000) }));
    const closed = await big.waitClose();
    expect(closed.code).toBe(1009);
    other.send({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', port: 5432 });
    await other.waitFor((m) => m.type === 'verdict');
    expect(s.stats().clients).toHaveLength(1);
  });
});

describe('subscriptions, pause and reset', () => {
  it('a filter by stage family and verdict: only the dropped probe, only its security-group events', async () => {
    const s = await start();
    const c = await connect(s);
    const all = await connect(s);
    c.send({ type: 'subscribe', v: 1, filter: { stages: ['sg'], verdicts: ['dropped'] } });
    c.send({ type: 'inject', v: 1, from: 'client', to: 'web-1-fip', port: 80 });
    c.send({ type: 'inject', v: 1, from: 'scanner', to: 'web-1-fip', port: 22 });
    c.send({ type: 'inject', v: 1, id: 'last', from: 'scanner', to: 'web-1-fip', port: 80 });
    await all.waitFor((m) => m.type === 'verdict' && m.probe.ref === 'last');
    // A reply on the same socket comes after everything the server sent it before.
    c.send({ type: 'pause', v: 1, bad: true });
    await c.waitFor((m) => m.type === 'error');
    const stream = c.messages.slice(1, -1);
    expect(stream.filter((m) => m.type === 'verdict').map((m) => m.probe.id)).toEqual([2]);
    const events = stream.filter((m) => m.type === 'event');
    expect(events.length).toBeGreaterThan(0);
    expect(events.every((m) => m.event.probe === 2 && m.event.stage.startsWith('sg.'))).toBe(true);
    expect(events.some((m) => m.event.stage === 'sg.ingress' && /^drop/.test(m.event.action))).toBe(true);
  });

  it('verdicts only (events: false)', async () => {
    const s = await start();
    const c = await connect(s);
    c.send({ type: 'subscribe', v: 1, filter: { events: false } });
    c.send({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', port: 5432, count: 2 });
    await c.waitFor((m) => m.type === 'verdict' && m.probe.index === 2);
    expect(c.messages.slice(1).map((m) => m.type)).toEqual(['verdict', 'verdict']);
  });

  it('pause holds a client\'s stream; resume delivers it in order', async () => {
    const s = await start();
    const watcher = await connect(s);
    const injector = await connect(s);
    watcher.send({ type: 'pause', v: 1 });
    injector.send({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', port: 5432 });
    await injector.waitFor((m) => m.type === 'verdict');
    await new Promise((r) => setTimeout(r, 50));
    expect(watcher.messages).toHaveLength(1);
    expect(s.stats().clients[0]!.queued).toBeGreaterThan(0);
    watcher.send({ type: 'resume', v: 1 });
    await watcher.waitFor((m) => m.type === 'verdict');
    expect(watcher.raw.slice(1)).toEqual(injector.raw.slice(1));
  });

  it('reset: a new simulator for everyone, announced by hello; probe numbers start again', async () => {
    const s = await start();
    const a = await connect(s);
    const b = await connect(s);
    a.send({ type: 'inject', v: 1, from: 'client', to: 'lb-fip', port: 80 });
    await a.waitFor((m) => m.type === 'verdict');
    b.send({ type: 'reset', v: 1 });
    for (const c of [a, b]) expect(await c.waitFor((m) => m.type === 'hello' && m.reason === 'reset')).toBeTruthy();
    const from = a.messages.length;
    a.send({ type: 'inject', v: 1, from: 'client', to: 'lb-fip', port: 80 });
    const v = await a.waitFor((m) => m.type === 'verdict', from);
    // Cold again: ARP runs again and round robin restarts at the first member.
    expect(v.probe.id).toBe(1);
    expect(v.verdict).toEqual(verdictsOf(a)[0]!.verdict);
  });
});

describe('a client that never reads', () => {
  it('stays bounded (socket buffer + queue ≤ queueLimit); what it lost is reported once it reads again', async () => {
    const queueLimit = 256 * 1024;
    const s = await start({ queueLimit, injectRate: { perSecond: 1e6, burst: 1e6 } });
    const stalled = await connect(s);
    const control = await connect(s);
    control.send({ type: 'subscribe', v: 1, filter: { events: false } });
    // ws.pause() stops reading the socket: TCP backpressure reaches the server as from a client that never reads.
    stalled.ws.pause();

    let maxHeld = 0;
    const sample = setInterval(() => {
      const st = s.stats().clients.find((c) => c.id === 1)!;
      maxHeld = Math.max(maxHeld, st.bufferedAmount + st.queuedBytes);
    }, 2);
    const probes = 1500;
    control.send({ type: 'inject', v: 1, from: 'client', to: 'lb-fip', port: 80, count: probes });
    await control.waitFor((m) => m.type === 'verdict' && m.probe.index === probes, 0, 10_000);
    clearInterval(sample);

    const st = s.stats();
    const mine = st.clients.find((c) => c.id === 1)!;
    expect(st.events).toBeGreaterThan(50_000); // ~15 MB of events for the stalled client
    expect(maxHeld).toBeLessThanOrEqual(queueLimit);
    expect(mine.bufferedAmount + mine.queuedBytes).toBeLessThanOrEqual(queueLimit);
    expect(mine.dropping).toBe(true);
    expect(mine.lost).toBeGreaterThan(0);

    // The client may have read a little meanwhile (the kernel's buffers grow), so losses may
    // come in several notices; once it reads again, every loss is reported and nothing else is missing.
    stalled.ws.resume();
    const lostTotal = mine.lostTotal;
    const reported = () => stalled.messages.filter((m) => m.type === 'dropped').reduce((a, m) => a + (m.count as number), 0);
    for (const deadline = Date.now() + 5_000; reported() < lostTotal && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    expect(reported()).toBe(lostTotal);
    const notices = stalled.messages.filter((m) => m.type === 'dropped');
    for (const n of notices) expect(n.count).toBe(n.events + n.verdicts + n.errors);
    const sum = (k: string) => notices.reduce((a, m) => a + (m[k] as number), 0);
    expect(stalled.messages.filter((m) => m.type === 'event').length + sum('events')).toBe(st.events);
    expect(stalled.messages.filter((m) => m.type === 'verdict').length + sum('verdicts')).toBe(probes);
    // Everything it did get is in order, and the last notice comes after the last event it got.
    const seqs = stalled.messages.filter((m) => m.type === 'event').map((m) => m.event.seq as number);
    expect(seqs.every((q, i) => i === 0 || q > seqs[i - 1]!)).toBe(true);
    expect(stalled.messages.at(-1)!.type).toBe('dropped');
    // And it is a normal client again.
    const from = stalled.messages.length;
    control.send({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', port: 5432 });
    await stalled.waitFor((m) => m.type === 'verdict', from);
  });
});

describe('access', () => {
  it('a browser page from another origin gets 403; the server\'s own origin and non-browser clients get in', async () => {
    const s = await start();
    const host = new URL(s.url).host;
    await expect(Client.open(wsUrl(s), { origin: 'https://evil.example' })).rejects.toMatchObject({ status: 403 });
    await expect(Client.open(wsUrl(s), { origin: `http://127.0.0.1:${s.port + 1}` })).rejects.toMatchObject({ status: 403 });
    const same = await connect(s, '', { origin: `http://${host}` });
    expect(same.messages[0]!.type).toBe('hello');
    expect((await get(`${s.url}api/topology`, { origin: 'https://evil.example' })).status).toBe(403);
  });

  it('bound to loopback, a Host that is not loopback (DNS rebinding) gets 403', async () => {
    const s = await start();
    expect((await get(`${s.url}api/topology`, { host: `rebind.example:${s.port}` })).status).toBe(403);
    expect((await get(`${s.url}api/topology`, { host: `localhost:${s.port}` })).status).toBe(200);
  });

  it('with a token: 401 without it, on the page, the API and the WebSocket', async () => {
    const s = await start({ token: 'open sesame' });
    const q = `?token=${encodeURIComponent('open sesame')}`;
    await expect(Client.open(wsUrl(s))).rejects.toMatchObject({ status: 401 });
    await expect(Client.open(wsUrl(s, '?token=open'))).rejects.toMatchObject({ status: 401 });
    expect((await connect(s, q)).messages[0]!.type).toBe('hello');
    expect((await get(`${s.url}api/topology`)).status).toBe(401);
    expect((await get(s.url)).status).toBe(401);
    expect((await get(`${s.url}api/topology${q}`)).status).toBe(200);
    expect((await get(`${s.url}api/topology`, { authorization: 'Bearer open sesame' })).status).toBe(200);
  });

  it('only /ws upgrades', async () => {
    const s = await start();
    await expect(Client.open(`${s.url.replace(/^http/, 'ws')}socket`)).rejects.toMatchObject({ status: 404 });
  });
});

describe('no request or message ends the process', () => {
  it('a target that is not a URL (the bug report: a bad port, an open bracket) is 400 on the page, the API and the upgrade, with or without a token', async () => {
    for (const token of [undefined, 'sesame']) {
      const s = await start(token === undefined ? {} : { token });
      for (const target of ['http://a:99999/', 'http://[/', 'http://a:99999/ws']) {
        for (const upgrade of [false, true]) {
          const headers = upgrade ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' : '';
          const answer = await raw(s.port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\n${headers}\r\n`);
          expect(answer, `${target}${upgrade ? ' (upgrade)' : ''}`).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n[^]*\r\n\r\nbad request: the target "http:\/\/(a:99999|\[)/);
        }
      }
      const q = token === undefined ? '' : `?token=${token}`;
      expect((await get(`${s.url}api/topology${q}`)).status).toBe(200);
      await s.close();
      server = undefined;
    }
  });

  it('a request that is not HTTP gets 400, CONNECT gets 405 (not a silent close)', async () => {
    const s = await start();
    expect(await raw(s.port, 'GET\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(s.port, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${s.port}\r\nBad Header\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    expect(await raw(s.port, `CONNECT 127.0.0.1:22 HTTP/1.1\r\nHost: 127.0.0.1:22\r\n\r\n`)).toMatch(/^HTTP\/1\.1 405 /);
    expect((await get(`${s.url}api/topology`)).status).toBe(200);
  });

  it('an exception in a handler: HTTP 500 with a short body, WebSocket error internal, one log line each, and the server carries on', async () => {
    // A cloud that throws on every read once armed: the handlers' next reads fail.
    let armed = false;
    const broken = new Proxy(cloud, { get: (target, key, receiver) => {
      if (armed) throw new Error('boom\n  at a stack line');
      return Reflect.get(target, key, receiver) as unknown;
    } });
    const lines: string[] = [];
    const s = await start({ cloud: broken, log: (line) => lines.push(line) });
    const c = await connect(s);
    armed = true;
    const api = await get(`${s.url}api/trace/1.json`);
    expect(api.status).toBe(500);
    expect(api.body).toMatch(/^internal error/);
    expect(api.body).not.toMatch(/boom|stack/);
    c.send({ type: 'inject', v: 1, id: 'x', from: 'web-1', to: 'db-1', port: 5432 });
    const error = await c.waitFor((m) => m.type === 'error');
    expect(error).toMatchObject({ code: 'internal', ref: null });
    expect(error.message).not.toMatch(/boom|stack/);
    expect(lines).toHaveLength(2);
    for (const line of lines) expect(line).toMatch(/^vnet serve: internal error .*: Error: boom at a stack line$/);
    armed = false;
    expect(c.ws.readyState).toBe(WebSocket.OPEN);
    c.send({ type: 'inject', v: 1, id: 'ok', from: 'web-1', to: 'db-1', port: 5432 });
    expect((await c.waitFor((m) => m.type === 'verdict' && m.probe.ref === 'ok')).verdict.verdict).toBe('delivered');
    expect((await get(`${s.url}api/topology`)).status).toBe(200);
  });
});

describe('--watch', () => {
  it('a bad edit keeps the model and sends the positioned errors; a good edit sends a new hello', async () => {
    tmp = mkdtempSync(join(tmpdir(), 'vnet-serve-'));
    const file = join(tmp, 'cloud.yaml');
    copyFileSync(FILE, file);
    const original = readFileSync(file, 'utf8');
    const s = await start({ file, watch: true, watchDebounceMs: 30 });
    const c = await connect(s);

    writeFileSync(file, original.replace('db:  { cidr: 10.0.1.0/24 }', 'db:  { cidr: 10.0.1.0/33 }'));
    const e = await c.waitFor((m) => m.type === 'error');
    expect(e.code).toBe('topology-invalid');
    const line = original.split('\n').findIndex((l) => l.includes('10.0.1.0/24')) + 1;
    expect(e.issues[0]).toMatchObject({ file, line, path: 'networks.app.subnets.db.cidr' });
    expect(e.issues[0].col).toBeGreaterThan(0);
    expect(e.message).toContain(`${file}:${line}:`);
    // The last good model is still served and still simulates.
    expect(JSON.parse((await get(`${s.url}api/topology`)).body).cloud.subnets[1].cidr).toBe('10.0.1.0/24');
    // A viewer that connects now learns the file is broken.
    const late = await connect(s);
    expect((await late.waitFor((m) => m.type === 'error')).code).toBe('topology-invalid');

    writeFileSync(file, original.replace('name: three-tier', 'name: three-tier-edited'));
    const hello = await c.waitFor((m) => m.type === 'hello' && m.reason === 'reload');
    expect(hello.topology.name).toBe('three-tier-edited');
    expect(JSON.parse((await get(`${s.url}api/topology`)).body).name).toBe('three-tier-edited');
    c.send({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', port: 5432 });
    expect((await c.waitFor((m) => m.type === 'verdict')).probe.id).toBe(1);
  });
});

describe('shutdown', () => {
  it('close() ends every connection with 1001 and frees the port', async () => {
    const s = await start();
    const a = await connect(s);
    const b = await connect(s);
    const closing = [a.waitClose(), b.waitClose()];
    await s.close();
    server = undefined;
    for (const c of await Promise.all(closing)) expect(c).toEqual({ code: 1001, reason: 'server shutting down' });
    await expect(get(s.url)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await s.close(); // idempotent
  });
});
