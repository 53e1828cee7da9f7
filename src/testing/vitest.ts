/**
 * `vnet/vitest`: matchers for a probe's verdict — `toBeDelivered`, `toBeRefused`, `toBeDropped`,
 * `toBeUnreachable`, `toBeBlockedBy(group)` — installed with `expect.extend(vnetMatchers)`.
 * A failure's message shows the verdict, its reason, where the packet stopped and its path.
 * vitest is not imported at run time: the user's `expect` takes the matchers; only the types
 * (the `Matchers` augmentation) refer to vitest.
 */
import type { Verdict, VerdictKind } from '../trace/verdict.js';
// Loads vitest's types into the declaration build (tsconfig.build.json lists only the entry files),
// where the augmentation below would otherwise be TS2664; erased at run time.
import type {} from 'vitest';

export interface VnetMatchers<R = unknown> {
  /** The destination's stack accepted the probe (a listening service, an echo request). */
  toBeDelivered(): R;
  /** The destination (or a load balancer with no healthy member) answered with a TCP RST or ICMP port unreachable. */
  toBeRefused(): R;
  /** A security group, port security or a network ACL dropped the probe. */
  toBeDropped(): R;
  /** No route, or ARP/ND got no answer. */
  toBeUnreachable(): R;
  /** A security group of this name was on the port that dropped the probe and none of that port's groups allowed it. */
  toBeBlockedBy(group: string): R;
}

declare module 'vitest' {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any, @typescript-eslint/no-empty-object-type
  interface Matchers<T = any> extends VnetMatchers<T> {}
}

/** The part of vitest's matcher context the matchers read. */
interface Context {
  readonly isNot: boolean;
}

interface Result {
  pass: boolean;
  message: () => string;
  actual?: unknown;
  expected?: unknown;
}

const shortNode = (id: string): string => id.replace(/^(instance|network|router|external|host|lb):/, '');

function isVerdict(v: unknown): v is Verdict {
  return v !== null && typeof v === 'object' && typeof (v as Verdict).verdict === 'string' && Array.isArray((v as Verdict).path);
}

/** The verdict as a failure message shows it: the verdict and why, where it stopped, the path. */
export function describeVerdict(v: Verdict): string {
  const lines = [`${v.verdict}: ${v.reason}`];
  const blockers = v.blockers.length > 0 ? v.blockers : v.drop ? [v.drop] : [];
  for (const b of blockers) lines.push(`  stopped at ${shortNode(b.node)} (${b.stage}): ${b.reason}`);
  lines.push(`  path: ${v.path.map(shortNode).join(' → ') || '(none)'}`);
  if (v.nat.length) lines.push(`  nat: ${v.nat.map((n) => `${shortNode(n.node)} ${n.kind} ${n.from} ⇒ ${n.to}`).join('; ')}`);
  if (v.lb) lines.push(`  load balancer: ${shortNode(v.lb.node)} chose ${v.lb.member}`);
  return lines.join('\n');
}

function notAVerdict(received: unknown): Result {
  let shown: string;
  try { shown = JSON.stringify(received) ?? String(received); } catch { shown = String(received); }
  return { pass: false, message: () => `expected the verdict sim.probe returns, got ${shown.slice(0, 200)}` };
}

function verdictMatcher(kind: VerdictKind) {
  return function (this: Context, received: unknown): Result {
    if (!isVerdict(received)) return notAVerdict(received);
    const pass = received.verdict === kind;
    return {
      pass,
      actual: received.verdict,
      expected: kind,
      message: () => (this.isNot ? `expected the probe not to be ${kind}, but it was ${describeVerdict(received)}` : `expected the probe to be ${kind}, but it was ${describeVerdict(received)}`),
    };
  };
}

/** The security groups a blocker's reason names: `... no rule of groups [web, ssh] allows ...`. */
export function blockingGroups(v: Verdict): string[] {
  const blockers = v.blockers.length > 0 ? v.blockers : v.drop ? [v.drop] : [];
  return blockers.filter((b) => b.stage === 'sg.ingress' || b.stage === 'sg.egress')
    .flatMap((b) => /groups \[([^\]]*)\]/.exec(b.reason)?.[1]?.split(', ') ?? []);
}

export const vnetMatchers = {
  toBeDelivered: verdictMatcher('delivered'),
  toBeRefused: verdictMatcher('refused'),
  toBeDropped: verdictMatcher('dropped'),
  toBeUnreachable: verdictMatcher('unreachable'),
  toBeBlockedBy(this: Context, received: unknown, group: string): Result {
    if (!isVerdict(received)) return notAVerdict(received);
    if (typeof group !== 'string' || group === '') return { pass: false, message: () => `toBeBlockedBy: expected a security group's name, got ${String(group)}` };
    const groups = blockingGroups(received);
    const pass = received.verdict === 'dropped' && groups.includes(group);
    const why = groups.length ? `blocked by groups [${groups.join(', ')}]` : 'not blocked by a security group';
    return {
      pass,
      message: () => (this.isNot
        ? `expected the probe not to be blocked by security group ${group}, but it was ${describeVerdict(received)}`
        : `expected the probe to be blocked by security group ${group}, but it was ${why}: ${describeVerdict(received)}`),
    };
  },
};
