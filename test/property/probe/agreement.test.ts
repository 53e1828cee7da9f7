/**
 * One probe, three doors: a probes file (audit, conform), `vnet trace`'s flags and the server's
 * inject message all take or refuse a probe as probe/probe.ts decides, with its codes at its
 * paths, and only the CLI's messages name flags. Also: the checker never throws, whatever it is given.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { parseProbes } from '../../../src/audit/probes.js';
import { memoryIo } from '../../../src/cli/io.js';
import { runTrace } from '../../../src/cli/trace.js';
import { checkProbe, resolveProbe } from '../../../src/probe/probe.js';
import { parseClientMessage } from '../../../src/server/protocol.js';
import { formatPath } from '../../../src/topology/issue.js';
import { cloudOf } from '../../unit/audit/helpers.js';

const TOPOLOGY = `version: 1
networks:
  lan:
    subnets:
      v4: { cidr: 10.0.0.0/24 }
      v6: { cidr: "2001:db8::/64" }
instances:
  web-1: { ports: [v4], services: [tcp/80] }
  dual: { ports: [{ subnet: v4, ip: 10.0.0.30 }, { subnet: v6, ip: "2001:db8::30" }] }
external_hosts:
  client: { ip: 198.51.100.7 }
`;
const cloud = cloudOf(TOPOLOGY);
const dir = mkdtempSync(join(tmpdir(), 'vnet-probe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = join(dir, 'cloud.yaml');
writeFileSync(file, TOPOLOGY);

/** Probes near the boundary: good and bad names, families, protocols, ports, a misspelt key. */
const rawProbe = fc.record({
  from: fc.constantFrom('web-1', 'client', '10.0.0.30', '2001:db8::30', 'web-9', '10.0.0.250', '', 7),
  to: fc.constantFrom('dual', 'web-1', 'client', '2001:db8::30', '203.0.113.5', 'nowhere', null),
  proto: fc.constantFrom('tcp', 'udp', 'icmp', 'TCP', 'sctp', 6),
  port: fc.constantFrom(80, 1, 65535, 0, 65536, '80', 1.5),
  ipv6: fc.constantFrom(true, false, 'yes'),
  prot: fc.constant('tcp'),
}, { requiredKeys: [] });

/** The place of a checker issue in a probes file: a missing key is reported where its probe is. */
const filePath = (i: { code: string; path: readonly (string | number)[] }) => ['probes', 0, ...(i.code === 'missing-key' ? [] : i.path)].join('.');

describe('one probe checker behind every door', () => {
  it('the server takes an inject exactly when checkProbe takes its probe, and answers the first issue\'s path', () => {
    fc.assert(fc.property(rawProbe, (raw) => {
      const checked = checkProbe(raw);
      const parsed = parseClientMessage(JSON.stringify({ type: 'inject', v: 1, id: 'p', ...raw }));
      expect(parsed.ok).toBe(checked.ok);
      if (checked.ok && parsed.ok) expect(parsed.message).toEqual({ type: 'inject', v: 1, id: 'p', count: 1, probe: checked.probe });
      if (!checked.ok && !parsed.ok) {
        expect(parsed.error).toMatchObject({ code: 'invalid-message', ref: 'p', path: formatPath(checked.issues[0]!.path) });
        expect(parsed.error.message).not.toContain('--');
      }
    }), { numRuns: 400 });
  });

  it('a probes file reports the checker\'s issues, then the resolver\'s, at the probe\'s place', () => {
    fc.assert(fc.property(rawProbe, (raw) => {
      const r = parseProbes(JSON.stringify({ probes: [raw] }), cloud, 'p.json');
      const checked = checkProbe(raw, { spoof: true });
      const expected = checked.ok ? resolveProbe(cloud, checked.probe) : checked;
      expect(r.ok).toBe(expected.ok);
      if (r.ok && expected.ok) expect(r.probes).toEqual([expected.probe]);
      if (!r.ok && !expected.ok) {
        const codes = (list: readonly { code: string; path: readonly (string | number)[] }[]) => list.map((i) => `${i.code} ${filePath(i)}`).sort();
        expect(r.issues.map((i) => `${i.code} ${i.path.join('.')}`).sort()).toEqual(codes(expected.issues));
        for (const i of r.issues) expect(i.message).not.toContain('--');
      }
    }), { numRuns: 400 });
  });

  it('vnet trace takes the flags exactly when the checker and the resolver take the probe; its errors name the flag', () => {
    // Flags are text: only probes whose values a command line can carry.
    const cliProbe = rawProbe.filter((raw) => typeof raw.from === 'string' && typeof raw.to === 'string' && (raw.proto === undefined || typeof raw.proto === 'string') && typeof raw.ipv6 !== 'string' && raw.prot === undefined && raw.port !== '80' && raw.port !== 1.5);
    fc.assert(fc.property(cliProbe, (raw) => {
      const io = memoryIo();
      const code = runTrace(file, { from: raw.from as string, to: raw.to as string, ...(raw.proto !== undefined ? { proto: raw.proto as string } : {}), ...(raw.port !== undefined ? { port: String(raw.port) } : {}), ...(raw.ipv6 === true ? { ipv6: true } : {}) }, io);
      const checked = checkProbe({ ...raw, ipv6: raw.ipv6 === true });
      const expected = checked.ok ? resolveProbe(cloud, checked.probe) : checked;
      expect(code).toBe(expected.ok ? 0 : 1);
      if (!expected.ok) {
        expect(io.stderr).toHaveLength(expected.issues.length);
        expected.issues.forEach((issue, n) => {
          const key = issue.path[0];
          expect(io.stderr[n]).toMatch(key === undefined ? /^error: / : new RegExp(`^error: --${key}\\b`));
        });
      }
    }), { numRuns: 60 });
  });

  it('checkProbe never throws and refuses with at least one issue, whatever it is given', () => {
    fc.assert(fc.property(fc.anything(), fc.boolean(), (raw, spoof) => {
      const r = checkProbe(raw, { spoof });
      if (!r.ok) expect(r.issues.length).toBeGreaterThan(0);
      else expect(['tcp', 'udp', 'icmp']).toContain(r.probe.proto);
    }), { numRuns: 1000 });
  });
});
