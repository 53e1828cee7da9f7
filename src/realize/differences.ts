/**
 * Comparing a probe's verdict in vnet with what the kernel did. They agree when the verdicts
 * match and, for an answered TCP or UDP probe, the far end saw the same source address and (for
 * load balancers) the same member served. Where a cloud and a plain Linux realization differ
 * on purpose, the difference is expected and carries its reason; vnet keeps the cloud's
 * behaviour. Anything else is a disagreement to explain.
 */
import { parseIp } from '../address/ip.js';
import type { Verdict } from '../trace/verdict.js';

export type RealVerdict = 'delivered' | 'refused' | 'dropped' | 'unreachable' | 'timeout' | 'error';

export interface RealOutcome {
  readonly verdict: RealVerdict;
  /** Source and destination addresses the far end saw (TCP, UDP answers). */
  readonly seenSrc: string | null;
  readonly seenDst: string | null;
  /** Which drop counters moved (`ns table/counter`), for a drop. */
  readonly dropAt: string | null;
  readonly detail: string | null;
}

export interface Comparison {
  readonly status: 'agree' | 'expected' | 'differ';
  readonly reason: string | null;
}

/** Two spellings of one address are the same address (`2001:db8::1`, `2001:DB8:0::1`). */
const sameAddress = (a: string, b: string): boolean => {
  const [x, y] = [parseIp(a), parseIp(b)];
  return x !== undefined && y !== undefined ? x.version === y.version && x.value === y.value : a === b;
};

export function compare(vnet: Verdict, real: RealOutcome, proto: 'tcp' | 'udp' | 'icmp'): Comparison {
  const sameVerdict = vnet.verdict === real.verdict;
  const answered = sameVerdict && vnet.verdict === 'delivered' && proto !== 'icmp' && vnet.observed !== null;
  const sameSource = !answered || real.seenSrc === null || sameAddress(real.seenSrc, vnet.observed!.src);
  const sameMember = !answered || proto !== 'tcp' || real.seenDst === null || sameAddress(real.seenDst, vnet.observed!.dst);
  if (sameVerdict && sameSource && sameMember) return { status: 'agree', reason: null };

  const expected = expectedDifference(vnet, real, sameVerdict, sameSource);
  if (expected !== null) return { status: 'expected', reason: expected };
  if (!sameVerdict) return { status: 'differ', reason: `vnet: ${vnet.verdict} (${vnet.reason}); kernel: ${real.verdict}${real.detail ? ` (${real.detail})` : ''}` };
  if (!sameSource) return { status: 'differ', reason: `the far end saw ${real.seenSrc} in the kernel, ${vnet.observed!.src} in vnet` };
  return { status: 'differ', reason: `member ${real.seenDst} served in the kernel, ${vnet.observed!.dst} in vnet` };
}

/** Stages whose drops the realization counts (security groups, ACLs, port security, NAT): a `dropped` there. */
const COUNTED = /^(sg\.|acl|port\.security|nat\.)/;

/** Where vnet lost a probe's answer, and what the kernel's prober sees of that loss. */
function answerLoss(vnet: Verdict): { seen: 'dropped' | 'timeout'; where: string } {
  const drop = [...vnet.events].reverse().find((e) => e.probe === vnet.events[0]?.probe && e.direction === 'reply' && e.action === 'drop');
  if (drop === undefined) return { seen: 'timeout', where: 'had no way back' };
  const reason = typeof drop.detail['reason'] === 'string' ? `: ${drop.detail['reason']}` : '';
  return { seen: COUNTED.test(drop.stage) ? 'dropped' : 'timeout', where: `was dropped at ${drop.node} (${drop.stage}${reason})` };
}

function expectedDifference(vnet: Verdict, real: RealOutcome, sameVerdict: boolean, sameSource: boolean): string | null {
  // A misdelivered probe landed on another node with the named one's address (overlapping
  // projects): the kernel's prober sees only that something at that address answered, so it
  // agrees when the node that took it did what the kernel saw (and the far end saw the same source).
  if (vnet.verdict === 'misdelivered' && vnet.landed !== null && real.verdict === vnet.landed.outcome
    && (real.seenSrc === null || vnet.observed === null || sameAddress(real.seenSrc, vnet.observed.src))) {
    return `the packet landed on ${vnet.landed.node} (${vnet.landed.outcome}), which holds the named destination's address in the sender's address space; the kernel's prober sees only that the address answered`;
  }
  // vnet's `delivered` and `refused` say what the destination did; the kernel's prober knows only
  // what came back. An answer lost on its way (a private source the internet cannot route, a
  // member answering a hairpin client from its own address, a stateless group with no rule for
  // the answer) is the same event, provided the kernel lost it the same way: at a counted filter
  // (dropped) where vnet's answer met one, silently (timeout) where vnet's had no route.
  if ((vnet.verdict === 'delivered' || vnet.verdict === 'refused') && !vnet.reply) {
    const lost = answerLoss(vnet);
    if (real.verdict === lost.seen) return `the destination ${vnet.verdict === 'refused' ? 'refused' : 'took'} the packet in vnet too, but its answer ${lost.where} (vnet: reply=false); the kernel's prober sees only the missing answer`;
  }
  // Port security is realized too (port-security-ruleset.ts): a spoofed frame dropped by vnet and
  // delivered by the kernel is a real difference.
  if (sameVerdict && sameSource && vnet.lb !== null) {
    // Source hashing is the same function on both sides (src/lb/jhash.ts): no excuse.
    if (vnet.lb.algorithm === 'source_ip' || vnet.lb.algorithm === 'source_ip_port') return null;
    if (vnet.lb.algorithm === 'least_connections') return 'least_connections has no nftables form: the realization walks round robin';
    return 'OVN skips a switch\'s load balancer for traffic from the router, so one balancer keeps one round-robin counter; the realization has two (the router\'s, and the load-balancer namespace\'s for clients on the VIP\'s subnet)';
  }
  return null;
}
