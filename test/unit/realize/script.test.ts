// Golden realization scripts for the example topologies: what `vnet realize --script` prints is
// reviewed when it changes. `UPDATE_GOLDEN=1 npx vitest run test/unit/realize/script.test.ts`
// rewrites them after a reviewed change. Plus the invariants every plan keeps, whatever the cloud.
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRealization } from '../../../src/realize/build-plan.js';
import { checkPrefix, defaultPrefix, MAX_IFNAME } from '../../../src/realize/names.js';
import { renderScript } from '../../../src/realize/script.js';
import { parseTopology } from '../../../src/topology/load.js';
import type { Cloud } from '../../../src/topology/model.js';
import { arbitraries } from '../../../src/testing/index.js';

const load = (file: string): Cloud => {
  const r = parseTopology(readFileSync(file, 'utf8'), file);
  if (!r.ok) throw new Error(`${file} does not load`);
  return r.cloud;
};

describe('vnet realize --script', () => {
  for (const name of ['three-tier', 'multi-router', 'dual-stack']) {
    it(`matches the reviewed script for ${name}.yaml`, () => {
      const script = renderScript(planRealization(load(`topologies/${name}.yaml`), 'vn0'));
      const golden = `test/golden/realize/${name}.sh`;
      if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(golden, script);
      expect(script).toBe(readFileSync(golden, 'utf8'));
    });
  }
});

/** Every name a step creates: namespaces (`ip netns add`) and interfaces (`link add`, `peer name`). */
function createdNames(cloud: Cloud, prefix: string) {
  const plan = planRealization(cloud, prefix);
  const namespaces: string[] = [];
  const links: { ns: string; name: string }[] = [];
  for (const s of plan.up) {
    const a = s.argv;
    if (a[1] === 'netns' && a[2] === 'add') namespaces.push(a[3]!);
    if (a[0] === 'ip' && a[1] === '-n' && a[3] === 'link' && a[4] === 'add') {
      links.push({ ns: a[2]!, name: a[5]! });
      const peer = a.indexOf('peer');
      if (peer > 0) {
        const netns = a.indexOf('netns', peer);
        links.push({ ns: netns > 0 ? a[netns + 1]! : a[2]!, name: a[peer + 2]! });
      }
    }
  }
  return { plan, namespaces, links };
}

describe('realization plans', () => {
  it('never touch the root namespace, carry the prefix, and keep interface names within 15 characters', () => {
    fc.assert(fc.property(arbitraries.topologyDocument(), (doc) => {
      const loaded = parseTopology(JSON.stringify(doc), 'arb.json');
      if (!loaded.ok) return;
      const { plan, namespaces, links } = createdNames(loaded.cloud, 'vnq');
      for (const ns of namespaces) expect(ns.startsWith('vnq-')).toBe(true);
      expect(new Set(namespaces).size).toBe(namespaces.length);
      for (const l of links) {
        expect(namespaces).toContain(l.ns);
        expect(l.name.length).toBeLessThanOrEqual(MAX_IFNAME);
      }
      for (const s of plan.up) {
        // Every command names its namespace: `ip -n NS`, `ip netns exec NS` or `ip netns add NS`.
        expect(s.argv[0]).toBe('ip');
        const ns = s.argv[1] === '-n' ? s.argv[2] : s.argv[1] === 'netns' ? s.argv[3] : undefined;
        expect(namespaces).toContain(ns);
      }
      const names = new Set<string>();
      for (const l of links) {
        const key = `${l.ns}/${l.name}`;
        expect(names.has(key)).toBe(false);
        names.add(key);
      }
    }), { numRuns: 60 });
  });

  it('accepts only short lowercase prefixes, and derives one from the cloud name', () => {
    expect(checkPrefix('vn0')).toBeNull();
    expect(checkPrefix('vnet123')).toMatch(/2-6 characters/);
    expect(checkPrefix('Vn')).not.toBeNull();
    expect(checkPrefix('v')).not.toBeNull();
    expect(checkPrefix(defaultPrefix('three-tier'))).toBeNull();
    expect(defaultPrefix('three-tier')).not.toBe(defaultPrefix('multi-router'));
  });
});
