// Loading the 10,000-instance topology: parse, validate, allocate every address and build the
// graph, from YAML and from JSON, with the time of each and the peak memory. The baseline in
// the same run is the bare parse (js-yaml / JSON.parse) of the same text.
import jsYaml from 'js-yaml';
import { generateLarge } from '../scripts/gen-large.js';
import { parseTopology } from '../src/topology/load.js';
import { buildGraph } from '../src/topology/graph.js';
import { reachMatrix } from '../src/reach/matrix.js';

const ms = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchLoad(): Promise<Record<string, number | string>> {
  const yaml = generateLarge(10_000);
  const json = JSON.stringify(jsYaml.load(yaml));
  const out: Record<string, number | string> = { instances: 10_000, yaml_bytes: yaml.length };
  const time = (f: () => void) => median([0, 1, 2].map(() => { const t0 = process.hrtime.bigint(); f(); return ms(t0); }));
  out['bare_yaml_parse_ms'] = time(() => jsYaml.load(yaml));
  out['bare_json_parse_ms'] = time(() => JSON.parse(json));
  let cloud;
  out['load_yaml_ms (parse+validate+IPAM)'] = time(() => { const r = parseTopology(yaml, 'large.yaml'); if (!r.ok) throw new Error('invalid'); cloud = r.cloud; });
  out['load_json_ms (parse+validate+IPAM)'] = time(() => { const r = parseTopology(json, 'large.json'); if (!r.ok) throw new Error('invalid'); });
  out['build_graph_ms'] = time(() => buildGraph(cloud!));
  globalThis.gc?.();
  out['heap_after_load_mb'] = Math.round(process.memoryUsage().heapUsed / 1e6);
  out['peak_rss_mb'] = Math.round(process.resourceUsage().maxRSS / 1024);
  const t0 = process.hrtime.bigint();
  const r = reachMatrix(cloud!);
  out['reach_matrix_ms'] = Math.round(ms(t0));
  out['reach_probes'] = r.probes;
  out['reach_sampled'] = r.sampled ? `${r.sampled.probed} of ${r.sampled.total} class pairs` : 'all class pairs';
  return out;
}
