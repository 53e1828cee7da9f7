/**
 * A CIDR written with host bits means its network (Neutron normalises a subnet cidr, and
 * matches a remote_ip_prefix by its network): the file loads to the very cloud its network form
 * gives, with exactly one cidr-host-bits warning per such CIDR, at its place.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cidrSize, formatCidr, type Cidr } from '../../../src/address/cidr.js';
import { formatIp } from '../../../src/address/ip.js';
import { formatPath } from '../../../src/topology/issue.js';
import { parseTopology } from '../../../src/topology/load.js';
import { cloudToJson } from '../../../src/topology/to-json.js';
import { cidrArb } from './arbitraries.js';

/** A CIDR and the same prefix written from an address inside it (host bits possibly zero). */
const writtenArb = (c: fc.Arbitrary<Cidr>) => c.chain((cidr) =>
  fc.bigInt({ min: 0n, max: cidrSize(cidr) - 1n }).map((host) => ({
    cidr, host, text: `${formatIp({ version: cidr.version, value: cidr.network + host })}/${cidr.prefix}`,
  })));

const file = (subnet: string, remote: string) => `version: 1
networks:
  n:
    subnets:
      s: { cidr: "${subnet}" }
security_groups:
  g:
    rules: [{ direction: ingress, protocol: tcp, ports: 22, remote_ip_prefix: "${remote}" }]
instances:
  a: { ports: [{ subnet: s, security_groups: [g] }] }
  b: { ports: [{ subnet: s, security_groups: [g] }] }
`;

function load(text: string) {
  const r = parseTopology(text, 'p.yaml');
  if (!r.ok) throw new Error(r.issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('\n'));
  return { json: cloudToJson(r.cloud), warnings: r.warnings.filter((w) => w.code === 'cidr-host-bits') };
}

describe('host bits in a subnet cidr and a remote_ip_prefix (property)', () => {
  const cases: [string, fc.Arbitrary<Cidr>, fc.Arbitrary<Cidr>][] = [
    ['IPv4', cidrArb(4, 8, 29), cidrArb(4, 1, 32)],
    ['IPv6', cidrArb(6, 64, 120), cidrArb(6, 1, 128)],
  ];
  for (const [name, subnetArb, remoteArb] of cases) {
    it(`${name}: the same cloud as the network form, one warning for each CIDR that had host bits`, () => {
      fc.assert(fc.property(writtenArb(subnetArb), writtenArb(remoteArb), (subnet, remote) => {
        const canonical = load(file(formatCidr(subnet.cidr), formatCidr(remote.cidr)));
        const written = load(file(subnet.text, remote.text));
        expect(written.json).toEqual(canonical.json);
        expect(canonical.warnings).toEqual([]);
        const expected: [string, number][] = [];
        if (subnet.host !== 0n) expected.push(['networks.n.subnets.s.cidr', 5]);
        if (remote.host !== 0n) expected.push(['security_groups.g.rules[0].remote_ip_prefix', 8]);
        expect(written.warnings.map((w) => [formatPath(w.path), w.line])).toEqual(expected);
        for (const w of written.warnings) expect(w.message).toContain(w.path[1] === 'n' ? formatCidr(subnet.cidr) : formatCidr(remote.cidr));
      }), { numRuns: 150 });
    });
  }
});
