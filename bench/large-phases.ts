/**
 * Where a large cloud's load and one-shot trace spend their time, phase by phase, in one
 * process (`node dist/bench/large-phases.js FILE [FROM TO]`): read, parse, shape check,
 * resolution, simulator build, the probe. CPU time (user + system, so GC and a busy machine's
 * waits are told apart) and wall time per phase, and the heap after each.
 */
import { readFileSync } from 'node:fs';
import { readSource } from '../src/topology/source.js';
import { checkShape } from '../src/topology/check-shape.js';
import { resolveTopology } from '../src/topology/resolve.js';
import { Simulator } from '../src/engine/simulator.js';
import { nodeId } from '../src/topology/graph-ids.js';
import { toIpValue } from '../src/packet/ip-value.js';

const [file, from, to] = process.argv.slice(2);
if (file === undefined) throw new Error('usage: large-phases FILE [FROM TO]');
let cpu = process.cpuUsage();
let wall = performance.now();
const phase = (name: string): void => {
  const c = process.cpuUsage(cpu);
  const w = performance.now() - wall;
  console.log(`${name.padEnd(12)} cpu ${String(Math.round((c.user + c.system) / 1000)).padStart(6)} ms  wall ${String(Math.round(w)).padStart(6)} ms  heap ${Math.round(process.memoryUsage().heapUsed / 2 ** 20)} MB`);
  cpu = process.cpuUsage();
  wall = performance.now();
};
const text = readFileSync(file, 'utf8');
phase('read');
const read = readSource(text, file);
if (!read.ok) throw new Error(JSON.stringify(read.issues.slice(0, 3)));
phase('parse');
const shape = checkShape(read.source.value);
if (!shape.ok) throw new Error(JSON.stringify(shape.issues.slice(0, 3)));
phase('shape');
let resolved = resolveTopology(shape.doc);
if (!resolved.ok) throw new Error(JSON.stringify(resolved.issues.slice(0, 3)));
phase('resolve');
// VNET_PHASES_REPEAT=N resolves N more times (the machine may be busy: take the least).
for (let i = 0; i < Number(process.env.VNET_PHASES_REPEAT ?? 0); i++) {
  resolved = resolveTopology(shape.doc);
  phase('resolve');
}
if (!resolved.ok) throw new Error('a second resolution failed where the first did not');
if (from !== undefined && to !== undefined) {
  const sim = new Simulator(resolved.cloud);
  phase('simulator');
  const v = sim.probe({ from: nodeId.instance(from), to: toIpValue(resolved.cloud.ports.get(`${to}/eth0`)!.fixedIps[0]!.address.ip), proto: 'tcp', port: 80 });
  phase('probe');
  console.log(v.verdict, v.path.join(' → '));
}
