/**
 * The server's trace downloads, with real ws clients on an ephemeral port: after a probe is
 * injected, `GET /api/trace/<id>.pcap` gives the same capture as the library's Simulator with
 * `capture: true` (as an attachment), `GET /api/trace/<id>.json` gives `{ probe, events,
 * verdict }` equal to the library's verdict; unknown, expired and pre-reset ids are 404s that
 * say why; the token guards these routes as it guards /api/topology.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadTopologyFile } from '../../src/files/read-topology.js';
import { resolveDestination, resolveSource } from '../../src/engine/endpoints.js';
import { Simulator } from '../../src/engine/simulator.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/server/server.js';
import type { Cloud } from '../../src/topology/model.js';
import { writePcap } from '../../src/trace/pcap.js';
import { verdictJson } from '../../src/trace/render.js';

const FILE = 'topologies/three-tier.yaml';
const loaded = loadTopologyFile(FILE);
if (!loaded.ok) throw new Error(`${FILE} does not load`);
const cloud: Cloud = loaded.cloud;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = Record<string, any>;

let server: RunningServer | undefined;
const sockets: WebSocket[] = [];

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await server?.close();
  server = undefined;
});

async function start(options: Partial<ServerOptions> = {}): Promise<RunningServer> {
  server = await startServer({ cloud, file: FILE, ...options });
  return server;
}

/** Connects, sends `messages`, and resolves with what came back once `done` holds. */
function converse(s: RunningServer, messages: readonly Msg[], done: (received: Msg[]) => boolean, query = ''): Promise<Msg[]> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${s.url.replace(/^http/, 'ws')}ws${query}`);
    sockets.push(ws);
    const received: Msg[] = [];
    const timer = setTimeout(() => reject(new Error(`timed out; got ${received.map((m) => m.type).join(', ')}`)), 10_000);
    ws.on('message', (data) => {
      received.push(JSON.parse(String(data)) as Msg);
      if (received.length === 1) for (const m of messages) ws.send(JSON.stringify(m));
      if (done(received)) {
        clearTimeout(timer);
        resolve(received);
      }
    });
    ws.once('error', reject);
  });
}

function get(url: string): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** The library's run of the same probes, capturing. */
function expected(count: number) {
  const sim = new Simulator(cloud, { capture: true });
  const src = resolveSource(cloud, 'client');
  const dst = resolveDestination(cloud, 'lb-fip');
  if (!src.ok || !dst.ok) throw new Error('bad probe');
  const verdicts = Array.from({ length: count }, () => sim.probe({ from: src.value.node, to: dst.value, proto: 'tcp', port: 80 }));
  return { verdicts, capture: sim.capture! };
}

const verdicts = (n: number) => (received: Msg[]) => received.filter((m) => m.type === 'verdict').length >= n;
const inject = { type: 'inject', v: 1, id: 'dl', from: 'client', to: 'lb-fip', proto: 'tcp', port: 80, count: 2 };

describe('GET /api/trace/<probe>', () => {
  it('.pcap: the probe\'s frames as the library captures them, as an attachment; .json: its probe, events and verdict', async () => {
    const s = await start();
    const received = await converse(s, [inject], verdicts(2));
    const want = expected(2);
    for (const id of [1, 2]) {
      const pcap = await get(`${s.url}api/trace/${id}.pcap`);
      expect(pcap.status).toBe(200);
      expect(pcap.headers['content-type']).toBe('application/vnd.tcpdump.pcap');
      expect(pcap.headers['content-disposition']).toBe(`attachment; filename="three-tier-probe-${id}.pcap"`);
      const frames = want.capture.ofProbe(id);
      expect(frames.length).toBeGreaterThan(id === 1 ? 10 : 3); // the second probe finds warm ARP caches
      expect(pcap.body.equals(Buffer.from(writePcap(frames)))).toBe(true);

      const json = await get(`${s.url}api/trace/${id}.json`);
      expect(json.status).toBe(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      const body = JSON.parse(json.body.toString('utf8')) as Msg;
      const { events, ...verdict } = verdictJson(want.verdicts[id - 1]!);
      expect(body.events).toEqual(JSON.parse(JSON.stringify(events)));
      expect(body.verdict).toEqual(JSON.parse(JSON.stringify({ ...verdict, event_count: (events as unknown[]).length })));
      expect(body.probe).toEqual(received.find((m) => m.type === 'verdict' && m.probe.id === id)!.probe);
    }
  });

  it('an unknown probe, or one from before a reset, is a 404 that says why', async () => {
    const s = await start();
    const none = await get(`${s.url}api/trace/1.pcap`);
    expect(none.status).toBe(404);
    expect(none.body.toString()).toMatch(/^no trace of probe 1: unknown or expired \(none is kept now/);
    await converse(s, [inject], verdicts(2));
    const unknown = await get(`${s.url}api/trace/7.json`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.toString()).toContain('probes 1-2 are kept');
    expect((await get(`${s.url}api/trace/1.json`)).status).toBe(200);
    // A reset restarts probe ids: the old traces go with the old simulator.
    await converse(s, [{ type: 'reset', v: 1 }], (r) => r.filter((m) => m.type === 'hello').length >= 2);
    expect((await get(`${s.url}api/trace/1.pcap`)).status).toBe(404);
    // Paths that are not a probe id are not trace routes at all.
    for (const path of ['0.pcap', '01.pcap', '1.txt', 'x.json', '1234567890.pcap']) expect((await get(`${s.url}api/trace/${path}`)).body.toString()).toMatch(/^not found/);
  });

  it('with a token: 401 without it, as for /api/topology', async () => {
    const s = await start({ token: 'open sesame' });
    const q = `?token=${encodeURIComponent('open sesame')}`;
    await converse(s, [{ ...inject, count: 1 }], verdicts(1), q);
    expect((await get(`${s.url}api/trace/1.pcap`)).status).toBe(401);
    expect((await get(`${s.url}api/trace/1.json`)).status).toBe(401);
    expect((await get(`${s.url}api/trace/9.json`)).status).toBe(401);
    expect((await get(`${s.url}api/trace/1.pcap${q}`)).status).toBe(200);
  });
});
