/**
 * What engine tests share: a topology file loaded (the test fails with its issues when it does
 * not load) and a probe spec resolved as `vnet trace` resolves --from and --to.
 */
import { loadTopologyFile } from '../../../src/files/read-topology.js';
import { resolveDestination, resolveSource } from '../../../src/engine/endpoints.js';
import type { ProbeSpec } from '../../../src/engine/simulator.js';
import { formatIssue } from '../../../src/topology/issue.js';
import type { Cloud } from '../../../src/topology/model.js';

export function cloudFromFile(file: string): Cloud {
  const r = loadTopologyFile(file);
  if (!r.ok) throw new Error(`${file} does not load:\n${r.issues.map(formatIssue).join('\n')}`);
  return r.cloud;
}

export function probeSpec(cloud: Cloud, from: string, to: string, proto: ProbeSpec['proto'], port?: number, extra: Pick<ProbeSpec, 'sport' | 'src'> = {}): ProbeSpec {
  const src = resolveSource(cloud, from);
  const dst = resolveDestination(cloud, to);
  if (!src.ok) throw new Error(src.message);
  if (!dst.ok) throw new Error(dst.message);
  return { from: src.value.node, to: dst.value, proto, ...(port !== undefined ? { port } : {}), ...extra };
}
