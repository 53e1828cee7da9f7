// The package's library entry (dist/index.js, what `import ... from 'vnet'` loads) works as
// DESIGN §7 shows: load a topology, run a probe, read the verdict.
import { describe, expect, it } from 'vitest';

describe("import { loadTopology, Simulator } from 'vnet'", () => {
  it('loads three-tier and traces web-1 → db-1 tcp/5432 to delivered', async () => {
    const entry = new URL('../../dist/index.js', import.meta.url).href;
    const vnet = (await import(entry)) as typeof import('../../src/index.js');
    const loaded = vnet.loadTopology('topologies/three-tier.yaml');
    if (!loaded.ok) throw new Error('three-tier does not load');
    const src = vnet.resolveSource(loaded.cloud, 'web-1');
    const dst = vnet.resolveDestination(loaded.cloud, 'db-1');
    if (!src.ok || !dst.ok) throw new Error('endpoints');
    const v = new vnet.Simulator(loaded.cloud).probe({ from: src.value.node, to: dst.value, proto: 'tcp', port: 5432 });
    expect(v.verdict).toBe('delivered');
    expect(v.reply).toBe(true);
    expect(v.path).toEqual(['instance:web-1', 'network:app', 'router:edge', 'network:app', 'instance:db-1']);
  });
});
