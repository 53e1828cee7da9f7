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

function expectedDifference(vnet: Verdict, real: RealOutcome, sameVerdict: boolean, sameSource: boolean): string | null {
  // vnet's `delivered` says the destination took the packet; the kernel's prober knows only that
  // no answer came back. An answer with no way back (a private source the internet cannot route,
  // a member answering a hairpin client straight from its own address) is the same event.
  if (vnet.verdict === 'delivered' && !vnet.reply && (real.verdict === 'dropped' || real.verdict === 'timeout')) {
    return 'the destination took the packet in vnet too, but its answer had no way back (vnet: reply=false); the kernel\'s prober sees only the missing answer';
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
