/**
 * The router's stages, one function each, in the order src/engine/pipeline.ts lists them: each
 * reads the hop (routing/router.ts RouterHop), may rewrite its packet, and returns NEXT — its
 * explicit default when it has nothing to do — or stops the packet with a reason. Semantics as
 * RFC 1812 (route, TTL, ICMP errors), Neutron's NAT back ends (nat.ts) and AWS network ACLs.
 */
import { formatMac } from '../address/mac.js';
import { formatIpValue } from '../packet/ip-value.js';
import { summarizeAs } from '../packet/summary.js';
import type { IpPacket } from '../packet/frame.js';
import { sourceFor } from '../l3/l3-interface.js';
import { selectMember, traceSelection } from '../lb/select.js';
import { NEXT, stop, type StageDecision } from '../util/stages.js';
import type { Detail } from '../trace/shared-details.js';
import { NewFlow, type Translation } from './nat.js';
import { acceptForInterface } from '../l3/receive-stages.js';
import type { RouterArrival, RouterHop } from './router.js';

/** `router.ttl` details by the TTL before the decrement (shared: there are only 256). */
const TTL_DETAILS: Detail[] = [];
const ttlDetail = (before: number): Detail => (TTL_DETAILS[before] ??= Object.freeze({ before, after: before - 1 }));

const FOR_THE_ROUTER = stop('for one of the router\'s own addresses: answered like a host');
const REFUSED_BY_LB = stop('a load balancer VIP with no healthy member: refused');
const DENIED_BY_ACL = stop('denied by a network ACL');
const NO_ROUTE = stop('no route: ICMP net unreachable');
const LOCAL_DELIVERY = stop('a route the node answers itself (the internet\'s public hosts)');
const TTL_EXPIRED = stop('TTL expired: ICMP time exceeded');
const SENT = stop('sent to the next hop');
const ROUTED = stop('accepted and routed (ROUTER_PIPELINE)');

/** router.receive: an IP frame for the interface's MAC is accepted and goes through the router's stages. */
export function acceptForRouting(h: RouterArrival): StageDecision {
  const p = acceptForInterface(h, 'router.receive');
  if ('next' in p) return p;
  h.sim.trace(h.router.id, h.port, 'router.receive', 'accept', h.frame, h.meta);
  h.router.forward(h.sim, p, h.meta, h.port);
  return ROUTED;
}

/** NAT's view of the packet, taken once per hop (nat.lookup: a tracked flow's translation, or a new flow). */
function natLookupOf(h: RouterHop): Translation | NewFlow | null {
  if (h.natLookup === undefined) h.natLookup = h.router.options.nat?.lookup(h.packet) ?? null;
  return h.natLookup;
}

/**
 * lb.select: a new connection to a VIP this router serves (after a floating IP's DNAT) gets
 * a member, or is refused there when none is healthy. Default: not a VIP, or not new — next.
 */
export function selectVipMember(h: RouterHop): StageDecision {
  const nat = h.router.options.nat;
  const l4 = h.packet.l4;
  if (!nat || h.inPort === null || l4.proto === 'icmp') return NEXT;
  const l = natLookupOf(h);
  if (!(l instanceof NewFlow)) return NEXT;
  const balancer = nat.balancerAt(l.to.dst);
  if (!balancer) return NEXT;
  const selection = selectMember(balancer, l4.proto, l.to.dport, l.flow);
  if (selection.kind === 'none') return NEXT;
  // A refusal is traced on the packet as the floating IP's DNAT left it (the VIP answers).
  const seen = selection.kind === 'reject' ? nat.redirect(h.packet, l.to) : h.packet;
  const refusal = traceSelection(h.sim, h.router.id, h.inPort, seen, h.meta, selection, `lb:${balancer.lb.name}`);
  if (selection.kind === 'reject') {
    if (refusal) h.router.refuse(h.sim, refusal, h.meta);
    return REFUSED_BY_LB;
  }
  h.selection = selection;
  return NEXT;
}

/**
 * nat.dnat: a tracked flow's packet takes its translation (a reply of a SNATed flow is
 * un-SNATed here, traced as nat.snat); a new flow is DNATed to a floating IP's fixed address,
 * a port forwarding's target or the member lb.select chose. Default: nothing to translate — next.
 */
export function translateDestination(h: RouterHop): StageDecision {
  const nat = h.router.options.nat;
  if (!nat || h.inPort === null) return NEXT;
  const l = natLookupOf(h);
  if (l === null) return NEXT;
  const t = l instanceof NewFlow ? nat.dnat(h.packet, l, h.selection) : l;
  if (!t) return NEXT;
  h.pre = t;
  h.packet = h.router.traceNat(h.sim, h.packet, t, h.meta, h.inPort, t.complete && t.kind === 'snat' ? 'nat.snat' : 'nat.dnat');
  return NEXT;
}

/** host.receive: a packet for one of the router's own addresses is answered like a host with no services. Default: next. */
export function answerOwnAddress(h: RouterHop): StageDecision {
  const own = h.router.own.owner(h.packet.dst);
  if (!own) return NEXT;
  h.router.local(h.sim, h.packet, h.meta, h.inPort ?? own.port);
  return FOR_THE_ROUTER;
}

/** acl (egress): leaving the subnet it came from, that subnet's network ACL. Default: no ACL, or originated here — next. */
export function aclLeavingSubnet(h: RouterHop): StageDecision {
  if (h.inPort === null) return NEXT;
  return h.router.aclAllows(h.sim, h.packet, h.meta, h.inPort, 'egress') ? NEXT : DENIED_BY_ACL;
}

/** router.route: longest-prefix match; no route is ICMP net unreachable. */
export function lookupRoute(h: RouterHop): StageDecision {
  const { router, sim, meta, inPort } = h;
  const p = h.packet;
  const route = router.routes.lookup(p.dst);
  if (!route) {
    sim.trace(router.id, inPort, 'router.route', 'no-route', p, meta, { reason: `no route to ${formatIpValue(p.dst)}` });
    sim.report(meta, { kind: 'outcome', outcome: { kind: 'unreachable', node: router.id, stage: 'router.route', reason: `${router.id} has no route to ${formatIpValue(p.dst)}` } });
    router.icmpError(sim, p, meta, 'net', inPort);
    return NO_ROUTE;
  }
  const localDelivery = router.options.localDelivery;
  if (route.port === '' && localDelivery) {
    // A route to "everything else" that the node answers itself (the internet's public hosts).
    sim.trace(router.id, inPort, 'router.route', 'local', p, meta, { route: route.text });
    localDelivery(sim, p, meta, inPort ?? '');
    return LOCAL_DELIVERY;
  }
  if (sim.recording) {
    const nexthop = route.nexthop ?? p.dst;
    sim.trace(router.id, inPort, 'router.route', 'match', p, meta, router.routeDetails.get(route, nexthop) ?? router.routeDetails.keep(route, nexthop, { route: route.text, nexthop: formatIpValue(nexthop) }));
  }
  h.route = route;
  h.out = router.interfaces.get(route.port)!;
  return NEXT;
}

/** router.ttl: decrement, or ICMP time exceeded when it runs out. Default: originated here — next. */
export function decrementTtl(h: RouterHop): StageDecision {
  const { router, sim, meta, inPort } = h;
  if (inPort === null) return NEXT;
  const p = h.packet;
  if (p.ttl <= 1) {
    sim.trace(router.id, inPort, 'router.ttl', 'expired', p, meta, { ttl: p.ttl });
    sim.report(meta, { kind: 'outcome', outcome: { kind: 'expired', node: router.id, stage: 'router.ttl', reason: `TTL expired at ${router.id}` } });
    router.icmpError(sim, p, meta, 'ttl', inPort);
    return TTL_EXPIRED;
  }
  const next: IpPacket = { kind: 'ip', version: p.version, src: p.src, dst: p.dst, ttl: p.ttl - 1, l4: p.l4 };
  if (sim.recording) summarizeAs(next, p);
  if (sim.recording) sim.trace(router.id, inPort, 'router.ttl', 'decrement', next, meta, Number.isInteger(p.ttl) && p.ttl >= 0 && p.ttl < 256 ? ttlDetail(p.ttl) : { before: p.ttl, after: next.ttl });
  h.packet = next;
  return NEXT;
}

/** acl (ingress): entering the subnet it goes to, that subnet's network ACL. Default: no ACL — next. */
export function aclEnteringSubnet(h: RouterHop): StageDecision {
  return h.router.aclAllows(h.sim, h.packet, h.meta, h.out!.port, 'ingress') ? NEXT : DENIED_BY_ACL;
}

/** nat.snat: floating-IP, router and hairpin SNAT on the way out (nat.ts postrouting). Default: none applies — next. */
export function translateSource(h: RouterHop): StageDecision {
  const nat = h.router.options.nat;
  if (!nat) return NEXT;
  const out = h.out!;
  const pre = h.pre;
  const post = nat.postrouting(h.packet, h.inPort, out.port, pre, pre?.entry ? sourceToward(h) : undefined);
  if (post) h.packet = h.router.traceNat(h.sim, h.packet, post, h.meta, out.port, 'nat.snat');
  return NEXT;
}

/** The router's own address on the egress link (for a VIP member on the client's own link). */
const sourceToward = (h: RouterHop) => sourceFor(h.out!, h.packet.dst);

/** router.forward: the MAC rewrite onto the egress interface, and neighbour resolution of the next hop. */
export function sendToNextHop(h: RouterHop): StageDecision {
  const { router, sim, meta } = h;
  const out = h.out!;
  const p = h.packet;
  if (sim.recording) sim.trace(router.id, out.port, 'router.forward', 'send', p, meta, router.forwardDetails.get(out.port, out.mac) ?? router.forwardDetails.keep(out.port, out.mac, { out: out.port, srcMac: formatMac(out.mac) }));
  router.neighbors.send(sim, out, h.route!.nexthop ?? p.dst, p, meta);
  return SENT;
}
