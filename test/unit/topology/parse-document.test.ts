// parseTopology takes a document in memory as well as text: the same checks and the same cloud,
// issues with paths (no line and column, there is no text), never a throw for data JSON cannot hold.
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseTopology } from '../../../src/topology/load.js';
import { cloudToJson } from '../../../src/topology/to-json.js';
import { topologyDocument } from '../../../src/testing/index.js';

const shown = (r: ReturnType<typeof parseTopology>) => (r.ok ? JSON.stringify(cloudToJson(r.cloud)) : r.issues.map((i) => `${i.code} ${i.path.join('.')}`));

describe('parseTopology(document)', () => {
  it('gives three-tier the cloud its text gives', () => {
    const text = readFileSync('topologies/three-tier.yaml', 'utf8');
    const fromDoc = parseTopology(parse(text) as object, 'three-tier');
    expect(fromDoc.ok).toBe(true);
    expect(shown(fromDoc)).toEqual(shown(parseTopology(text, 'three-tier')));
  });

  it('reports a bad value at its path, without a line and column', () => {
    const r = parseTopology({ version: 1, networks: { app: { subnets: { web: { cidr: '10.0.0.0/33' } } } } }, 'doc');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.code, i.path.join('.'), i.file, i.line, i.col])).toEqual([[r.issues[0]!.code, 'networks.app.subnets.web.cidr', 'doc', undefined, undefined]]);
  });

  it('refuses a cyclic document, a list and a BigInt as type errors instead of throwing', () => {
    const cyclic: Record<string, unknown> = { networks: {} };
    cyclic['self'] = cyclic;
    for (const doc of [cyclic, [], { networks: { n: { mtu: 10n } } }]) {
      const r = parseTopology(doc);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.issues.map((i) => [i.code, i.path.length])).toEqual([['type', 0]]);
    }
  });

  it('agrees with the document\'s JSON text, for any generated document (60 runs)', () => {
    fc.assert(fc.property(topologyDocument(), (doc) => {
      expect(shown(parseTopology(doc))).toEqual(shown(parseTopology(JSON.stringify(doc))));
    }), { numRuns: 60 });
  });
});
