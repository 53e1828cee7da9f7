/**
 * The probes file: `probes:` a list of { from, to, proto?, port?, ipv6? }, every problem an
 * Issue with code, path and position, all reported at once; names resolve as `vnet trace`'s.
 */
import { describe, expect, it } from 'vitest';
import { parseProbes } from '../../../src/audit/probes.js';
import { cloudOf } from './helpers.js';

const cloud = cloudOf(`version: 1
networks: { lan: { subnets: { v4: { cidr: 10.0.0.0/24 } } } }
instances:
  web-1: { ports: [v4] }
  db-1: { ports: [{ subnet: v4, ip: 10.0.0.21 }] }
external_hosts:
  client: { ip: 198.51.100.7 }
`);

describe('parseProbes', () => {
  it('reads probes with the defaults of vnet trace: tcp when a port is given, icmp echo otherwise', () => {
    const r = parseProbes(`probes:
  - { from: web-1, to: db-1, proto: tcp, port: 5432 }
  - { from: web-1, to: 10.0.0.21, port: 80 }
  - { from: 10.0.0.21, to: web-1, proto: UDP, port: 53 }
  - { from: client, to: db-1 }
`, cloud, 'p.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.probes.map((p) => `${p.from}>${p.to} ${p.proto}/${p.port}`)).toEqual(['web-1>db-1 tcp/5432', 'web-1>10.0.0.21 tcp/80', '10.0.0.21>web-1 udp/53', 'client>db-1 icmp/0']);
    expect(r.probes[0]!.spec).toEqual({ from: 'instance:web-1', to: 10 * 2 ** 24 + 21, proto: 'tcp', port: 5432, target: expect.objectContaining({ name: 'db-1', nodes: ['instance:db-1'] }) as unknown });
    expect(r.probes[2]!.spec.src).toBe(10 * 2 ** 24 + 21);
    expect(r.probes[3]!.spec.from).toBe('host:client');
  });

  it('an empty list is allowed; JSON works too', () => {
    expect(parseProbes('probes: []', cloud)).toEqual({ ok: true, probes: [] });
    const r = parseProbes('{"probes": [{"from": "web-1", "to": "db-1"}]}', cloud, 'p.json');
    expect(r.ok && r.probes[0]!.proto).toBe('icmp');
  });

  it('reports every problem with its code, path, line and column', () => {
    const r = parseProbes(`probes:
  - { from: web-9, to: db-1, proto: tcp, port: 5432 }
  - { from: web-1, to: db-1, proto: tpc, port: 5432 }
  - { from: web-1, to: db-1, proto: icmp, port: 5 }
  - { from: web-1, prot: udp }
  - { from: web-1, to: db-1, proto: udp }
  - { from: web-1, to: db-1, port: 70000 }
  - { from: web-1, to: nowhere, ipv6: yes }
  - hello
`, cloud, 'p.yaml');
    if (r.ok) throw new Error('expected issues');
    expect(r.issues.map((i) => [i.code, i.path.join('.'), i.line])).toEqual([
      ['unknown-source', 'probes.0.from', 2],
      ['enum', 'probes.1.proto', 3],
      ['port-protocol', 'probes.2.port', 4],
      ['missing-key', 'probes.3', 5],
      ['unknown-key', 'probes.3.prot', 5],
      ['missing-key', 'probes.4', 6],
      ['port', 'probes.5.port', 7],
      ['type', 'probes.6.ipv6', 8],
      ['type', 'probes.7', 9],
    ]);
    expect(r.issues.every((i) => i.file === 'p.yaml' && i.col !== undefined)).toBe(true);
    expect(r.issues[0]!.message).toBe('web-9: no instance or external host named "web-9"; did you mean "web-1"?');
    expect(r.issues[1]!.message).toContain('did you mean "tcp"?');
    expect(r.issues[4]!.message).toContain('did you mean "proto"?');
  });

  it('spoof: sends from an address that is not the sender\'s (tcp, udp; same family as the destination)', () => {
    const r = parseProbes(`probes:
  - { from: web-1, to: db-1, port: 80, spoof: 10.0.0.99 }
`, cloud, 'p.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.probes[0]!.spoof).toBe('10.0.0.99');
    expect(r.probes[0]!.spec.src).toBe(10 * 2 ** 24 + 99);
    const bad = parseProbes(`probes:
  - { from: web-1, to: db-1, spoof: 10.0.0.99 }
  - { from: web-1, to: db-1, port: 80, spoof: not-an-ip }
  - { from: web-1, to: db-1, port: 80, spoof: "2001:db8::9" }
`, cloud, 'p.yaml');
    if (bad.ok) throw new Error('expected issues');
    expect(bad.issues.map((i) => [i.code, i.path.join('.'), i.line])).toEqual([
      ['spoof-protocol', 'probes.0.spoof', 2],
      ['ip', 'probes.1.spoof', 3],
      ['probe-family', 'probes.2.spoof', 4],
    ]);
  });

  it('the document must be a map with a probes list', () => {
    const codes = (text: string) => { const r = parseProbes(text, cloud); return r.ok ? [] : r.issues.map((i) => `${i.code} ${i.path.join('.')}`); };
    expect(codes('')).toEqual(['not-a-map ']);
    expect(codes('probe: []')).toEqual(['unknown-key probe', 'missing-key ']);
    expect(codes('probes: { from: a }')).toEqual(['type probes']);
    expect(codes('probes: [\n')).toEqual(['yaml-syntax ']);
    // A tests file may hold intents (checked by src/intents) beside or instead of probes.
    expect(codes('intents: []')).toEqual([]);
    expect(codes('probes: []\nintents: []')).toEqual([]);
  });

  it('unknown keys list every key the file and a probe take, with a suggestion among them', () => {
    const messages = (text: string) => { const r = parseProbes(text, cloud); return r.ok ? [] : r.issues.map((i) => i.message); };
    expect(messages('intent: []')).toEqual(['unknown key "intent"; did you mean "intents"? (expected: probes, intents)', 'missing key "probes": a list such as [{ from: web-1, to: db-1, proto: tcp, port: 5432 }]']);
    const [probe] = messages('probes: [{ from: web-1, to: db-1, port: 5432, expext: delivered }]');
    expect(probe).toMatch(/did you mean "expect"\?/);
    expect(probe).toMatch(/expected one of: from, to, proto, port, ipv6, spoof, name, expect, observed_src, member\)$/);
  });
});

describe('parseProbes: the expectations of vnet test', () => {
  it('reads expect, observed_src (canonical form) and name, and leaves them out when absent', () => {
    const r = parseProbes(`probes:
  - { name: db open, from: web-1, to: db-1, port: 5432, expect: delivered, observed_src: '2001:DB8:0::0:1' }
  - { from: client, to: db-1, expect: unreachable }
  - { from: web-1, to: db-1 }
`, cloud, 'p.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.probes.map((p) => [p.name, p.expect, p.observedSrc])).toEqual([['db open', 'delivered', '2001:db8::1'], [undefined, 'unreachable', undefined], [undefined, undefined, undefined]]);
  });

  it('refuses a verdict that is none of the five, an observed_src that is no address and an empty name, each at its path', () => {
    const r = parseProbes(`probes:
  - { from: web-1, to: db-1, expect: deliverd }
  - { from: web-1, to: db-1, expect: 3, observed_src: db-1 }
  - { from: web-1, to: db-1, name: '' }
`, cloud, 'p.yaml');
    if (r.ok) throw new Error('accepted');
    expect(r.issues.map((i) => [i.code, i.path.join('.'), i.line])).toEqual([
      ['enum', 'probes.0.expect', 2], ['enum', 'probes.1.expect', 3], ['ip', 'probes.1.observed_src', 3], ['type', 'probes.2.name', 4],
    ]);
    expect(r.issues[0]!.message).toContain('delivered');
  });

  it('still reports a probe\'s own problems beside a wrong expectation', () => {
    const r = parseProbes(`probes:\n  - { from: web-1, to: db-9, port: 0, expect: nope }\n`, cloud, 'p.yaml');
    if (r.ok) throw new Error('accepted');
    expect(r.issues.map((i) => `${i.code}@${i.path.join('.')}`).sort()).toEqual(['enum@probes.0.expect', 'port@probes.0.port']);
  });
});
