/**
 * The stage table: for each kind of node, the stages a packet meets, in order, and for the
 * router, the switch, the host, the load balancer and the port filter the functions that run them — build-world
 * and the simulator hand these tables to the nodes and filters, which run them with runStages
 * (util/stages.ts), as OVN's northd generates its stage enum, names and order from one table.
 * Stage ids are stable: trace events carry them, golden tests pin them.
 */
import type { Pipeline } from '../util/stages.js';
import { step } from '../util/stages.js';
import type { RouterArrival, RouterHop } from '../routing/router.js';
import { resolveArp, resolveNd } from '../l3/receive-stages.js';
import { filterArrival, receiveForHost, sendStackReply, type HostArrival } from './host-stages.js';
import {
  acceptForRouting, aclEnteringSubnet, aclLeavingSubnet, answerOwnAddress, decrementTtl, lookupRoute,
  selectVipMember, sendToNextHop, translateDestination, translateSource,
} from '../routing/router-stages.js';
import type { SwitchHop } from '../switching/switch.js';
import type { PortTables } from '../firewall/port-firewall.js';
import { checkPortSecurity, filterEgress, filterIngress, type PortHop } from '../firewall/port-stages.js';
import { answerArp, flood, forwardKnown, learnSource } from '../switching/switch-stages.js';
import { acceptForVip, answerIcmp, countHealthAnswer, proxyToMember, returnToClient, selectForClient, type LbArrival } from '../lb/lb-stages.js';

/** A frame arriving on a router's (or the internet's) interface. */
export const ROUTER_RECEIVE_PIPELINE: Pipeline<RouterArrival> = [
  step('arp', resolveArp),                    // ARP for the interface's addresses: answer a request, learn a reply
  step('nd', resolveNd),                      // the same for IPv6 neighbour discovery
  step('router.receive', acceptForRouting),   // an IP frame for the interface's MAC: on to ROUTER_PIPELINE
];

/**
 * A router (and the internet), after ROUTER_RECEIVE_PIPELINE has answered ARP/ND (`arp`, `nd`) and
 * accepted a frame for its MAC (`router.receive`); a packet the router originates (an ICMP
 * error, an answer) starts here too, skipping what only applies to packets that came in.
 */
export const ROUTER_PIPELINE: Pipeline<RouterHop> = [
  step('lb.select', selectVipMember),         // a new connection to a VIP gets a member (or a refusal)
  step('nat.dnat', translateDestination),     // un-NAT a tracked flow; DNAT a floating IP, forwarding or VIP
  step('host.receive', answerOwnAddress),     // for the router's own address: answered like a host (host.reply)
  step('acl', aclLeavingSubnet),              // the network ACL of the subnet it leaves (egress)
  step('router.route', lookupRoute),          // longest-prefix match, or ICMP net unreachable
  step('router.ttl', decrementTtl),           // TTL - 1, or ICMP time exceeded
  step('acl', aclEnteringSubnet),             // the network ACL of the subnet it enters (ingress)
  step('nat.snat', translateSource),          // floating-IP, router and hairpin SNAT
  step('router.forward', sendToNextHop),      // MAC rewrite, then the next hop's address (arp, nd)
];

/** A network's switch (switching/switch.ts): every frame that arrives on one of its ports. */
export const SWITCH_PIPELINE: Pipeline<SwitchHop> = [
  step('switch.learn', learnSource),          // learn (or move) the source MAC on the ingress port
  step('arp', answerArp),                     // arp_responder: answer a request for a known port itself
  step('switch.forward', forwardKnown),       // known unicast: out of its port (or filtered: the ingress port)
  step('switch.flood', flood),                // broadcast, multicast, unknown unicast: every other port
];

/**
 * An instance port's filter on what leaves it (firewall/port-firewall.ts): every frame the
 * instance sends meets it before the wire (HostNode.output); a frame every stage passed goes on.
 */
export const PORT_OUT_PIPELINE: Pipeline<PortHop> = [
  step('port.security', checkPortSecurity),   // anti-spoofing: the port's MAC and addresses (and allowed pairs)
  step('sg.egress', filterEgress),            // conntrack, then the groups' egress rules
];

/** An instance port's filter on what enters it: the first stage of HOST_IN_PIPELINE runs it. */
export const PORT_IN_PIPELINE: Pipeline<PortHop> = [
  step('sg.ingress', filterIngress),          // not this port's MAC: ignored; else conntrack, then ingress rules
];

export const PORT_TABLES: PortTables = { out: PORT_OUT_PIPELINE, in: PORT_IN_PIPELINE };

/** A frame arriving at an instance's or external host's interface. */
export const HOST_IN_PIPELINE: Pipeline<HostArrival> = [
  step('sg.ingress', filterArrival),          // the port's filter, PORT_IN_PIPELINE (an instance port with port security)
  step('arp', resolveArp),                    // ARP for the host's addresses: answer a request, learn a reply
  step('nd', resolveNd),                      // the same for IPv6 neighbour discovery
  step('host.receive', receiveForHost),       // the stack: an answer to its own flow, or accept/refuse/ignore
  step('host.reply', sendStackReply),         // the stack's reply, routed back (host.route, arp, nd)
];

/**
 * A load balancer's own node (its VIP port, lb/lb-node.ts): every frame that arrives there.
 * Its health checks go out on the virtual clock (lb.health, traced as `check`); clients reach
 * it directly in proxy mode, or in dnat mode from the VIP's own subnet, which no router sees.
 */
export const LB_PIPELINE: Pipeline<LbArrival> = [
  step('arp', resolveArp),                    // ARP for the VIP: answer a request, learn a reply
  step('nd', resolveNd),                      // the same for IPv6 neighbour discovery
  step('host.receive', acceptForVip),         // only an IP packet for the VIP (and its MAC) goes on; the rest is ignored
  step('lb.health', countHealthAnswer),       // an answer to a health check counts for its member (up, down)
  step('host.receive', answerIcmp),           // ICMP to the VIP: an echo is answered as a host
  step('nat.dnat', returnToClient),           // a member's reply on a proxied connection: back to its client from the VIP
  step('lb.select', selectForClient),         // the connection's member, or a new one's (shared with the router), or refused
  step('nat.dnat', proxyToMember),            // DNAT to the member and SNAT to the VIP
];

/**
 * Every node kind's stages by id, in order, read from the tables above (the sending host's
 * as host.ts runs it).
 */
export const PIPELINE = {
  /**
   * An instance or external host sending: pick a route, resolve the next hop; every frame then
   * leaves through the port's filter (PORT_OUT_PIPELINE: anti-spoofing, then the groups).
   */
  'host.out': ['host.send', 'host.route', 'arp', 'nd', ...PORT_OUT_PIPELINE.map((s) => s.id)],
  /** A network's switch: learn the source, answer ARP itself (arp_responder), forward or flood. */
  switch: SWITCH_PIPELINE.map((s) => s.id),
  router: [...ROUTER_RECEIVE_PIPELINE.map((s) => s.id), ...ROUTER_PIPELINE.map((s) => s.id), 'arp', 'nd', 'host.reply'],
  /**
   * A load balancer's own node (its VIP port): health-check answers counted (lb.health);
   * clients that reach the VIP directly (proxy mode, or the VIP's own subnet) get a member
   * (lb.select) and DNAT+SNAT (nat.dnat); the member's replies are translated back.
   */
  'load-balancer': LB_PIPELINE.map((s) => s.id),
  /** An instance or external host receiving: the port's filter (PORT_IN_PIPELINE), then the stack. */
  'host.in': HOST_IN_PIPELINE.map((s) => s.id),
} as const satisfies Record<string, readonly Stage[]>;

/** Every stage id; `drop` marks the end of a packet that no stage took. */
export type Stage =
  | 'host.send' | 'host.route' | 'host.receive' | 'host.reply'
  | 'arp' | 'nd'
  | 'port.security' | 'sg.egress' | 'sg.ingress' | 'acl'
  | 'switch.learn' | 'switch.forward' | 'switch.flood'
  | 'router.receive' | 'router.route' | 'router.ttl' | 'router.forward'
  | 'nat.snat' | 'nat.dnat' | 'lb.select' | 'lb.health'
  | 'drop';
