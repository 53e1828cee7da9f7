/**
 * The simulator as the library exports it: `sim.probe` takes a probe as a person writes it —
 * `{ from: 'web-1', to: 'db-1' | '10.0.1.21' | 'lb-fip', proto: 'tcp', port: 5432 }` — checked
 * and resolved as `vnet trace` and probes files do (probe/probe.ts), and still takes the engine's
 * resolved form (a node id and an address value). Bad input throws a ProbeError naming the key.
 */
import { Simulator as EngineSimulator, type ProbeSpec } from '../engine/simulator.js';
import { checkProbe, resolveProbe } from '../probe/probe.js';
import { formatPath, type Issue } from '../topology/issue.js';
import type { Verdict } from '../trace/verdict.js';

/** A probe by names and address strings, the keys of a probes file's probe (docs/probes.md). */
export interface Probe {
  /** The sender: an instance or external host, by name or by one of its addresses. */
  readonly from: string;
  /** The destination: an instance, load balancer, floating IP or external host by name, or any address. */
  readonly to: string;
  /** Default `tcp` when a port is given, else `icmp` (an echo request). */
  readonly proto?: 'tcp' | 'udp' | 'icmp';
  /** The destination port (tcp, udp), 1-65535. */
  readonly port?: number;
  /** Send to the destination's IPv6 address when `to` names something with both. */
  readonly ipv6?: boolean;
  /** A source address that is not the sender's (tcp, udp): a port-security test. */
  readonly spoof?: string;
}

/** A probe that does not check or does not resolve against the cloud; `issues` has each problem, its path relative to the probe. */
export class ProbeError extends Error {
  constructor(readonly issues: readonly Issue[]) {
    super(issues.map((i) => `probe${i.path.length ? `.${formatPath(i.path)}` : ''}: ${i.message}`).join('; '));
    this.name = 'ProbeError';
  }
}

const isNamed = (spec: ProbeSpec | Probe): spec is Probe => typeof spec.to === 'string';

export class Simulator extends EngineSimulator {
  /** Runs one probe to quiescence and returns its verdict (docs/trace-json.md). */
  override probe(spec: Probe | ProbeSpec): Verdict {
    if (!isNamed(spec)) return super.probe(spec);
    const checked = checkProbe(spec, { spoof: true });
    if (!checked.ok) throw new ProbeError(checked.issues);
    const resolved = resolveProbe(this.cloud, checked.probe);
    if (!resolved.ok) throw new ProbeError(resolved.issues);
    return super.probe(resolved.probe.spec);
  }
}
