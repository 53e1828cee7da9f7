/**
 * The pipeline, declared once: for each kind of node, the stages a packet meets, in order.
 * Stage ids are stable: the engine emits them in trace events, the CLI and the viewer show
 * them, golden tests pin them. Each stage ends in an explicit decision (OVN's
 * northd stage table is the model; docs/trace-json.md lists them). Read top to bottom, this is the life of a packet.
 */
export const PIPELINE = {
  /** An instance or external host sending: pick a route, resolve the next hop, leave the port. */
  'host.out': ['host.send', 'host.route', 'arp', 'nd', 'port.security', 'sg.egress'],
  /** A network's switch: learn the source, answer ARP itself (arp_responder), forward or flood. */
  switch: ['switch.learn', 'arp', 'switch.forward', 'switch.flood'],
  /**
   * A router: answer ARP/ND (and for its floating IPs), take frames for its MAC; un-NAT replies
   * of tracked flows and DNAT floating IPs and port forwardings (nat.dnat), pick a member for a
   * VIP (lb.select); the network ACL of the subnet the packet leaves (acl, egress); route (LPM),
   * decrement TTL; the ACL of the subnet it enters (acl, ingress); SNAT (floating IP, router,
   * hairpin: nat.snat); rewrite MACs and resolve the next hop. The internet node runs the same
   * pipeline, and answers for every public address nobody declared (`router.route` action `local`).
   */
  router: ['arp', 'nd', 'router.receive', 'nat.dnat', 'lb.select', 'acl', 'router.route', 'router.ttl', 'nat.snat', 'router.forward', 'host.receive', 'host.reply'],
  /**
   * A load balancer's own node (its VIP port): health checks on the virtual clock (lb.health);
   * clients that reach the VIP directly (proxy mode, or the VIP's own subnet) get a member
   * (lb.select) and DNAT+SNAT (nat.dnat); the member's replies are translated back.
   */
  'load-balancer': ['arp', 'lb.health', 'lb.select', 'nat.dnat', 'host.receive'],
  /** An instance or external host receiving: the filter into the port, then the stack. */
  'host.in': ['sg.ingress', 'arp', 'nd', 'host.receive', 'host.reply'],
} as const;

export type NodeStageKind = keyof typeof PIPELINE;

/** Every stage id; `drop` marks the end of a packet that no stage took. */
export type Stage =
  | 'host.send' | 'host.route' | 'host.receive' | 'host.reply'
  | 'arp' | 'nd'
  | 'port.security' | 'sg.egress' | 'sg.ingress' | 'acl'
  | 'switch.learn' | 'switch.forward' | 'switch.flood'
  | 'router.receive' | 'router.route' | 'router.ttl' | 'router.forward'
  | 'nat.snat' | 'nat.dnat' | 'lb.select' | 'lb.health'
  | 'drop';
