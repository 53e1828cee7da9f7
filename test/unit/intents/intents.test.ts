// Intents of a tests file (src/intents): parsing (each problem at its path with its code) and
// checking on three-tier (holding intents, violated ones with their counterexample probes).
import { describe, expect, it } from 'vitest';
import { loadTopology } from '../../../src/index.js';
import { checkIntents, portBoundaries } from '../../../src/intents/check.js';
import { parseIntents } from '../../../src/intents/intents.js';
import { intentFailure } from '../../../src/cli/test-report.js';

const loaded = loadTopology('topologies/three-tier.yaml');
if (!loaded.ok) throw new Error('three-tier does not load');
const cloud = loaded.cloud;

function intents(text: string) {
  const r = parseIntents(text, cloud, 't.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.intents;
}
const issues = (text: string) => { const r = parseIntents(text, cloud, 't.yaml'); return r.ok ? [] : r.issues.map((i) => [i.code, i.path.join('.'), i.line]); };

describe('parseIntents', () => {
  it('reads selectors, protocols, ports and expectations', () => {
    const [a, b, c] = intents(`intents:
  - { name: a, from: internet, to: 'db-*', expect: isolated }
  - { name: b, from: [web-1, 'group:ssh'], to: lb-fip, port: 80, expect: allow }
  - { name: c, to: 'subnet:db', exact: [{ from: 'group:web', to: db-1, port: 5432 }] }
`);
    expect(a).toMatchObject({ kind: 'isolated', flow: { proto: 'any', ports: null, from: [{ name: 'client' }, { name: 'mirror' }, { name: 'scanner' }], to: [{ name: 'db-1' }] } });
    expect(b).toMatchObject({ kind: 'reachable', flow: { proto: 'tcp', ports: { from: 80, to: 80 }, from: [{ name: 'web-1' }, { name: 'web-2' }] } });
    expect(c!.kind).toBe('exact');
    if (c!.kind === 'exact') expect(c!.scope.from.map((e) => e.name)).toEqual(['web-1', 'web-2', 'db-1', 'client', 'mirror', 'scanner']);
    expect(intents('probes: []')).toEqual([]);
  });

  it('reports every problem with its code, path and line', () => {
    expect(issues(`intents:
  - { name: a, from: internet, to: 'db-*' }
  - { name: b, from: 'group:sh', to: db-1, expect: isolated }
  - { name: c, from: web-1, to: 'nothing-*', expect: reachable, prot: tcp }
  - { name: d, from: web-1, to: db-1, port: 70000, expect: isolatd }
  - { name: a, from: 'role:web', to: db-1, proto: icmp, port: 1, expect: isolated }
  - { name: f, to: db-1, expect: isolated, exact: [] }
  - { name: g, from: web-1, to: lb-fip, proto: any, port: 80, expect: reachable }
  - { name: h, from: web-lb, to: db-1, expect: isolated }
`)).toEqual([
      ['missing-key', 'intents.0', 2],
      ['selector', 'intents.1.from', 3],
      ['selector', 'intents.2.to', 4],
      ['unknown-key', 'intents.2.prot', 4],
      ['port', 'intents.3.port', 5],
      ['enum', 'intents.3.expect', 5],
      ['duplicate', 'intents.4.name', 6],
      ['selector', 'intents.4.from', 6],
      ['port-protocol', 'intents.4.port', 6],
      ['conflict', 'intents.5.expect', 7],
      ['port-protocol', 'intents.6.proto', 8],
      ['selector', 'intents.7.from', 9],
    ]);
    const r = parseIntents(`intents:\n  - { name: b, from: 'group:sh', to: db-1, expect: isolatd }\n`, cloud);
    expect(r.ok ? [] : r.issues.map((i) => i.message)).toEqual([
      'no security group named "sh"; did you mean "ssh"?',
      'expected one of reachable, isolated, allow, deny, got "isolatd"; did you mean "isolated"?',
    ]);
    expect(issues('intents: { a: 1 }')).toEqual([['type', 'intents', 1]]);
  });
});

describe('checkIntents on three-tier', () => {
  it('port classes are cut at every rule, service and listener boundary', () => {
    const cuts = portBoundaries(cloud);
    expect(cuts.tcp).toEqual([1, 22, 23, 80, 81, 443, 444, 5432, 5433]);
    expect(cuts.udp).toEqual([1]);
  });

  it('holds and violates as the cloud says, with a counterexample a user can rerun', () => {
    const results = checkIntents(cloud, intents(`intents:
  - { name: db isolated from the internet, from: internet, to: 'db-*', expect: isolated }
  - { name: web public through the lb, from: internet, to: lb-fip, proto: tcp, port: 80, expect: reachable }
  - { name: ssh closed to the internet, from: internet, to: 'web-*-fip', port: 22, expect: isolated }
  - { name: web reaches db, from: 'group:web', to: 'group:db', expect: reachable }
`));
    expect(results.map((r) => [r.intent.name, r.pass, r.probes, r.pairs, r.violations])).toEqual([
      // 3 hosts × db-1 × (9 tcp port classes + 1 udp class + icmp echo)
      ['db isolated from the internet', true, 33, 33, 0],
      ['web public through the lb', true, 3, 3, 0],
      // client is inside ssh's 198.51.100.0/24; mirror and scanner are not
      ['ssh closed to the internet', false, 3, 3, 1],
      // web-1 and web-2 are load-balancer members, each a class of its own: two probes
      ['web reaches db', true, 2, 2, 0],
    ]);
    const failed = results[2]!;
    expect(failed.counterexample?.probe).toEqual({ from: 'client', to: 'web-1-fip', proto: 'tcp', port: 22 });
    expect(failed.counterexample?.verdict?.path).toEqual(['host:client', 'internet', 'external:public', 'router:edge', 'network:app', 'instance:web-1']);
    expect(intentFailure(failed)!.split('\n')).toEqual([
      'expected isolated, got delivered; 1 of 3 source-destination-traffic pairs violate it',
      'counterexample: { from: client, to: web-1-fip, proto: tcp, port: 22 }',
      'delivered: listening on tcp/22',
      'path: client → internet → public → edge → app → web-1',
    ]);
  });

  it('exact: what is delivered beyond the list, and what the list names that is not delivered', () => {
    const whole = `
      - { from: ['web-*', db-1], to: ['web-*', lb-fip], port: 80 }
      - { from: internet, to: [lb-fip, web-1-fip], port: 80 }
      - { from: 'web-*', to: db-1, port: 5432 }
      - { from: '*', to: internet }`;
    const [extra, missing, complete, lacking] = checkIntents(cloud, intents(`intents:
  - { name: extra, from: internet, to: [lb-fip, web-1-fip], exact: [{ from: internet, to: lb-fip, port: 80 }] }
  - { name: missing, from: internet, to: [lb-fip, db-1], exact: [{ from: internet, to: [lb-fip, db-1] }] }
  - name: complete
    exact:${whole}
      - { from: client, to: web-1-fip, port: 22 }
  - name: lacking ssh
    exact:${whole}
`));
    expect(extra!.pass).toBe(false);
    expect(extra!.counterexample?.problem).toBe('delivered, but no flow of the exact list allows it');
    expect(extra!.counterexample?.probe).toMatchObject({ from: 'client', to: 'web-1-fip', proto: 'tcp', port: 80 });
    expect(missing!.pass).toBe(false);
    expect(missing!.counterexample?.problem).toBe('expected delivered (exact[0]: internet → [lb-fip, db-1]), got unreachable');
    // Every source and every declared service of every destination: 64 triples.
    expect([complete!.pass, complete!.pairs, complete!.violations]).toEqual([true, 64, 0]);
    expect([lacking!.pass, lacking!.violations, lacking!.counterexample?.probe]).toEqual([false, 1, { from: 'client', to: 'web-1-fip', proto: 'tcp', port: 22 }]);
  });
});
