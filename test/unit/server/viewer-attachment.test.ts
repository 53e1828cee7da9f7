/**
 * Which paths the viewer attachment claims on a server it shares: under `vnet api` it must
 * answer its own paths (the page under /viewer/, /api/topology, /api/trace/…) and leave every
 * OpenStack path (Keystone at / and /v3, Neutron, Octavia, Nova, Glance, /api/topology.yaml)
 * untouched, having written nothing. Requests are fakes; no socket is opened.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTopologyFile } from '../../../src/files/read-topology.js';
import { attachViewer } from '../../../src/server/viewer-attachment.js';

const loaded = loadTopologyFile('topologies/minimal.yaml');
if (!loaded.ok) throw new Error('minimal.yaml does not load');
const http = createServer();
const viewer = attachViewer(http, { cloud: loaded.cloud, loopback: true, pagePath: '/viewer/', name: 'vnet api', log: () => undefined });
afterAll(() => viewer.close());

interface Written { status?: number; headers: Record<string, unknown>; body?: string }

function request(method: string, url: string): { claimed: boolean; written: Written } {
  const written: Written = { headers: {} };
  const req = { method, url, headers: { host: '127.0.0.1:8774' } } as unknown as IncomingMessage;
  const res = {
    headersSent: false,
    setHeader: (k: string, v: unknown) => { written.headers[k.toLowerCase()] = v; },
    writeHead: (status: number, headers: Record<string, unknown>) => { written.status = status; for (const [k, v] of Object.entries(headers)) written.headers[k.toLowerCase()] = v; },
    end: (body?: string | Buffer) => { written.body = body === undefined ? '' : String(body); },
    destroy: () => undefined,
  } as unknown as ServerResponse;
  return { claimed: viewer.handle(req, res), written };
}

const OPENSTACK = ['/', '/v3', '/network', '/load-balancer', '/compute', '/image'];
const segment = fc.stringMatching(/^[A-Za-z0-9._~%:-]{0,12}$/);

describe('the viewer attachment under vnet api', () => {
  it('leaves every OpenStack path to the API and writes nothing (property)', () => {
    fc.assert(fc.property(fc.constantFrom(...OPENSTACK), fc.array(segment, { maxLength: 4 }), fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE'), fc.boolean(), (prefix, rest, method, slash) => {
      const path = `${prefix === '/' ? '' : prefix}/${rest.join('/')}${slash ? '/' : ''}`;
      const { claimed, written } = request(method, path);
      expect(claimed, path).toBe(false);
      expect(written).toEqual({ headers: {} });
    }), { numRuns: 500 });
    for (const path of ['/api/topology.yaml', '/api/topology/', '/viewerx', '/viewer/nothing.js', '/ws', '/index.html', '/viewer.js']) {
      expect(request('GET', path).claimed, path).toBe(false);
    }
  });

  it('answers its own paths: the page under /viewer/, /viewer redirected, /api/topology, /api/trace', () => {
    const page = request('GET', '/viewer/');
    expect(page.claimed).toBe(true);
    expect([200, 503]).toContain(page.written.status);
    for (const path of ['/viewer/index.html', '/viewer/viewer.js', '/viewer/viewer.css', '/api/topology', '/api/trace/1.json', '/api/trace/2.pcap']) {
      expect(request('GET', path).claimed, path).toBe(true);
    }
    expect(request('GET', '/api/trace/1.json').written.status).toBe(404);
    const moved = request('GET', '/viewer?token=a');
    expect([moved.written.status, moved.written.headers['location']]).toEqual([301, '/viewer/?token=a']);
    const posted = request('POST', '/api/topology');
    expect([posted.claimed, posted.written.status, posted.written.headers['allow']]).toEqual([true, 405, 'GET, HEAD']);
  });

  it('refuses a page outside loopback names (Host) with 403, as vnet serve does', () => {
    const written: Written = { headers: {} };
    const req = { method: 'GET', url: '/api/topology', headers: { host: 'evil.example:8774' } } as unknown as IncomingMessage;
    const res = { setHeader: () => undefined, writeHead: (s: number) => { written.status = s; }, end: () => undefined } as unknown as ServerResponse;
    expect(viewer.handle(req, res)).toBe(true);
    expect(written.status).toBe(403);
  });
});
