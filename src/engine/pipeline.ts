/**
 * The pipeline, declared once: for each kind of node, the stages a packet meets, in order.
 * Stage ids are stable: the engine emits them in trace events, the CLI and the viewer show
 * them, golden tests pin them. Each stage ends in an explicit decision (DESIGN §3, §7;
 * OVN's northd stage table is the model). Read top to bottom, this is the life of a packet.
 */
export const PIPELINE = {
  /** An instance or external host sending: pick a route, resolve the next hop, leave the port. */
  'host.out': ['host.send', 'host.route', 'arp', 'nd', 'port.security', 'sg.egress'],
  /** A network's switch: learn the source, answer ARP itself (arp_responder), forward or flood. */
  switch: ['switch.learn', 'arp', 'switch.forward', 'switch.flood'],
  /**
   * A router: answer ARP/ND, take frames for its MAC, route (LPM), decrement TTL, rewrite MACs
   * and resolve the next hop. The internet node runs the same pipeline, and answers for every
   * public address nobody declared (`router.route` action `local`).
   */
  router: ['arp', 'nd', 'router.receive', 'router.route', 'router.ttl', 'router.forward', 'host.receive', 'host.reply'],
  /** An instance or external host receiving: the filter into the port, then the stack. */
  'host.in': ['sg.ingress', 'arp', 'nd', 'host.receive', 'host.reply'],
} as const;

export type NodeStageKind = keyof typeof PIPELINE;

/**
 * Every stage id. Stages of later pipelines (NAT, load balancers, network ACLs) are declared with
 * the firewall and NAT work; `drop` marks the end of a packet that no stage took.
 */
export type Stage =
  | 'host.send' | 'host.route' | 'host.receive' | 'host.reply'
  | 'arp' | 'nd'
  | 'port.security' | 'sg.egress' | 'sg.ingress' | 'acl'
  | 'switch.learn' | 'switch.forward' | 'switch.flood'
  | 'router.receive' | 'router.route' | 'router.ttl' | 'router.forward'
  | 'nat.snat' | 'nat.dnat' | 'lb.select' | 'lb.health'
  | 'drop';
