/**
 * `state {node}` over the WebSocket (protocol v1, DESIGN §7 addition): the answer is a `state`
 * message with the node's tables now, by id or by name; a probe changes what the next answer
 * holds; an unknown node gets `unknown-node` (with a "did you mean") and a `state` without a
 * node gets `invalid-message`, and the connection stays open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { loadTopologyFile } from '../../src/files/read-topology.js';
import { startServer, type RunningServer } from '../../src/server/server.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Msg = Record<string, any>;

let server: RunningServer;
let ws: WebSocket;
const messages: Msg[] = [];

function next(pred: (m: Msg) => boolean, timeoutMs = 5_000): Promise<Msg> {
  const start = messages.length;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out; last: ${JSON.stringify(messages.at(-1)).slice(0, 300)}`)), timeoutMs);
    const check = () => {
      const found = messages.slice(start).find(pred);
      if (!found) return;
      clearTimeout(timer);
      ws.off('message', check);
      resolve(found);
    };
    ws.on('message', check);
  });
}

const send = (m: Msg) => ws.send(JSON.stringify({ v: 1, ...m }));

describe('state {node}', () => {
  beforeAll(async () => {
    const loaded = loadTopologyFile('topologies/three-tier.yaml');
    if (!loaded.ok) throw new Error('three-tier does not load');
    server = await startServer({ cloud: loaded.cloud, file: 'topologies/three-tier.yaml' });
    ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}ws`);
    ws.on('message', (d) => messages.push(JSON.parse(String(d)) as Msg));
    const hello = next((m) => m.type === 'hello');
    await new Promise((resolve) => ws.once('open', resolve));
    await hello;
  });

  afterAll(async () => {
    ws.terminate();
    await server.close();
  });

  it('answers with the node\'s tables, by id or by name; a probe shows up in the next answer', async () => {
    let answer = next((m) => m.type === 'state');
    send({ type: 'state', id: 's1', node: 'router:edge' });
    const before = await answer;
    expect(before.ref).toBe('s1');
    expect(before.state.node).toBe('router:edge');
    expect(before.state.nat).toEqual([]);
    expect(before.state.routes.map((r: Msg) => r.prefix)).toContain('0.0.0.0/0');

    const verdict = next((m) => m.type === 'verdict');
    send({ type: 'inject', from: 'client', to: 'lb-fip', port: 80 });
    expect((await verdict).verdict.verdict).toBe('delivered');

    answer = next((m) => m.type === 'state');
    send({ type: 'state', id: 's2', node: 'edge' });
    const after = await answer;
    expect(after.state.node).toBe('router:edge');
    expect(after.state.nat).toHaveLength(1);
    expect(after.state.nat[0].original).toBe('198.51.100.7:40001 → 203.0.113.80:80');
  });

  it('an unknown node is an unknown-node error with a suggestion; a missing node is invalid; the socket stays', async () => {
    let error = next((m) => m.type === 'error');
    send({ type: 'state', id: 'bad', node: 'edgee' });
    const unknown = await error;
    expect(unknown).toMatchObject({ code: 'unknown-node', ref: 'bad', path: 'node' });
    expect(unknown.message).toContain('did you mean "edge"');

    error = next((m) => m.type === 'error');
    send({ type: 'state', id: 'none' });
    expect(await error).toMatchObject({ code: 'invalid-message', ref: 'none', path: 'node' });

    const answer = next((m) => m.type === 'state');
    send({ type: 'state', node: 'network:app' });
    expect((await answer).state.kind).toBe('switch');
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });

  it('details {node}: what the topology says of a node (hello is compact): an instance\'s ports, MACs, addresses, groups and floating IP; a network\'s subnets; a router\'s interfaces', async () => {
    let answer = next((m) => m.type === 'details');
    send({ type: 'details', id: 'd1', node: 'web-1' });
    const web = await answer;
    expect(web).toMatchObject({ ref: 'd1', node: 'instance:web-1', details: { kind: 'instance', name: 'web-1', services: ['tcp/80', 'tcp/22'] } });
    expect(web.details.ports[0]).toMatchObject({ id: 'web-1/eth0', mac: 'fa:16:3e:00:00:01', fixed_ips: [{ subnet: 'web', ip: '10.0.0.2' }], security_groups: ['web', 'ssh'] });
    expect(web.details.floating_ips.map((f: Msg) => f.ip)).toEqual(['203.0.113.11']);

    answer = next((m) => m.type === 'details');
    send({ type: 'details', id: 'd2', node: 'network:app' });
    expect((await answer).details.subnets.map((s: Msg) => s.cidr)).toEqual(['10.0.0.0/24', '10.0.1.0/24']);

    answer = next((m) => m.type === 'details');
    send({ type: 'details', node: 'edge' });
    const edge = await answer;
    expect(edge.details.external_gateway.ip).toBe('203.0.113.10');
    expect(edge.details.interfaces.map((p: Msg) => p.fixed_ips[0].ip)).toEqual(['10.0.0.1', '10.0.1.1']);

    const error = next((m) => m.type === 'error');
    send({ type: 'details', id: 'bad', node: 'web-9' });
    expect(await error).toMatchObject({ code: 'unknown-node', ref: 'bad', path: 'node' });
    expect(ws.readyState).toBe(WebSocket.OPEN);
  });
});
