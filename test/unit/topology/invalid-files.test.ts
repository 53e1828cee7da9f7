/**
 * One deliberate mistake per file in test/fixtures/invalid/, and exactly the issues it must
 * produce: the code, the path (as users see it), the line, and a fragment of the message that a
 * user needs (the did-you-mean name, the capacity). Assertions are on code and path first;
 * the fragments keep the promised content of messages from silently disappearing.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatPath } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';

const DIR = 'test/fixtures/invalid';

interface Expected {
  code: string;
  path: string;
  line: number;
  /** A fragment the message must contain. */
  says: string;
}

const e = (code: string, path: string, line: number, says: string): Expected => ({ code, path, line, says });

const table: Record<string, Expected[]> = {
  'yaml-syntax.yaml': [e('yaml-syntax', '(document)', 7, 'Flow map')],
  'tag-js-function.yaml': [e('yaml-tag', '(document)', 3, 'js/function')],
  'tag-custom.yaml': [e('yaml-tag', '(document)', 6, '!foo')],
  'alias-unresolved.yaml': [e('yaml-aliases', '(document)', 6, 'Unresolved alias')],
  'alias-bomb.yaml': [e('yaml-aliases', '(document)', 5, 'at most 1000')],
  'empty.yaml': [e('not-a-map', '(document)', 1, 'the document is empty')],
  'comments-only.yaml': [e('not-a-map', '(document)', 1, 'the document is empty')],
  'unknown-top-level-key.yaml': [e('unknown-key', 'netwroks', 3, 'did you mean "networks"')],
  'unknown-port-key.yaml': [e('unknown-key', 'instances.web-1.ports[0].subnt', 10, 'did you mean "subnet"')],
  'wrong-type.yaml': [e('type', 'networks.app.mtu', 5, 'expected a number, got "jumbo"')],
  'version-2.yaml': [e('version', 'version', 2, 'unsupported version 2')],
  'fabric-loop.yaml': [e('fabric-loop', 'networks.dc.links[2]', 5, 'closes a loop (c → b → a → c)')],
  'cidr-prefix-too-long.yaml': [e('cidr', 'networks.app.subnets.web.cidr', 6, 'prefix length must be 0-32')],
  'cidr-host-bits.yaml': [e('cidr', 'networks.app.subnets.web.host_routes[0].destination', 8, 'did you mean 10.1.0.0/16')],
  'misspelt-subnet.yaml': [e('unknown-subnet', 'instances.web-1.ports[0].subnet', 11, 'did you mean "web"')],
  'misspelt-security-group.yaml': [e('unknown-group', 'instances.web-1.ports[0].security_groups[0]', 12, 'did you mean "web"')],
  'unknown-remote-group.yaml': [e('unknown-group', 'security_groups.db.rules[0].remote_group', 10, 'no security group named "frontend"')],
  'overlapping-subnets.yaml': [e('subnet-overlap', 'networks.app.subnets.web-upper.cidr', 7, 'overlaps subnet web (10.0.0.0/24)')],
  'router-overlapping-subnets.yaml': [e('router-overlap', 'routers.r1.interfaces[1]', 12, 'overlaps subnet blue-lan')],
  'fixed-ip-outside-subnet.yaml': [e('ip-outside-subnet', 'instances.web-1.ports[0].ip', 8, '10.0.1.5 is outside 10.0.0.0/24')],
  'fixed-ip-taken.yaml': [e('ip-taken', 'instances.web-2.ports[0].ip', 9, 'already used by web-1/eth0')],
  'duplicate-mac.yaml': [e('duplicate-mac', 'instances.web-2.ports[0].mac', 9, 'already used by web-1/eth0 on network app')],
  'pool-outside-cidr.yaml': [e('ipam-pool-outside', 'networks.app.subnets.web.allocation_pools[0]', 6, 'not inside 10.0.0.0/24')],
  'pool-exhausted.yaml': [e('ip-exhausted', 'instances.vm-6.ports[0]', 13, 'subnet tiny: no free address left in 10.0.0.0/29 (capacity 5 addresses')],
  'gateway-in-pool.yaml': [e('ipam-gateway-in-pool', 'networks.app.subnets.web.allocation_pools[0]', 6, '10.0.0.50 lies inside pool 10.0.0.10-10.0.0.99')],
  'rule-port-zero.yaml': [e('ports', 'security_groups.web.rules[0].ports', 10, 'port 0')],
  'icmp-code-without-type.yaml': [e('icmp-code', 'security_groups.web.rules[0].code', 10, 'code needs a type')],
  'floating-ip-no-router.yaml': [e('fip-unreachable', 'floating_ips.db-1-fip', 17, 'not reachable from port db-1/eth0')],
  'route-nexthop-not-connected.yaml': [e('route-nexthop', 'routers.edge.routes[0].nexthop', 11, 'nexthop 10.9.0.1 is not on any subnet router edge is attached to')],
  'duplicate-subnet-name.yaml': [e('duplicate-subnet', 'networks.green.subnets.lan', 9, 'already used in network blue')],
  'three-errors.yaml': [
    e('unknown-group', 'security_groups.db.rules[0].remote_group', 11, 'no security group named "wbe"'),
    e('unknown-subnet', 'instances.web-1.ports[0].subnet', 13, 'did you mean "web"'),
    e('ip-outside-subnet', 'instances.db-1.ports[0].ip', 14, '10.0.0.21 is outside 10.0.1.0/24'),
  ],
};

const fixtures = readdirSync(DIR).filter((f) => f.endsWith('.yaml')).sort();

describe('invalid topology files', () => {
  it('every fixture has expectations, and every expectation a fixture', () => {
    expect(fixtures).toEqual(Object.keys(table).sort());
    expect(fixtures.length).toBeGreaterThanOrEqual(20);
  });

  it.each(fixtures)('%s reports exactly its errors', (name) => {
    const file = `${DIR}/${name}`;
    const result = parseTopology(readFileSync(file, 'utf8'), file);
    expect(result.ok).toBe(false);
    const issues = result.ok ? [] : result.issues;
    const expected = table[name]!;
    expect(issues.map((i) => ({ code: i.code, path: formatPath(i.path), line: i.line }))).toEqual(
      expected.map(({ code, path, line }) => ({ code, path, line })),
    );
    issues.forEach((issue, k) => {
      expect(issue.severity).toBe('error');
      expect(issue.file).toBe(file);
      expect(issue.col).toBeGreaterThanOrEqual(1);
      expect(issue.message).toContain(expected[k]!.says);
    });
  });

  it('a file with three independent mistakes reports all three at once', () => {
    const file = `${DIR}/three-errors.yaml`;
    const result = parseTopology(readFileSync(file, 'utf8'), file);
    expect(result.ok ? 0 : result.issues.length).toBe(3);
  });
});
