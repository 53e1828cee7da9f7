/**
 * A load balancer's own namespace, which holds its VIP: DNAT of each listener to a member and
 * SNAT to the VIP, so that the member answers the load balancer. That is every client of a
 * `proxy` load balancer (an Octavia amphora: the member sees the VIP), and in `dnat` mode the
 * clients on the VIP's own subnet, which reach the VIP without a router (OVN's hairpin SNAT).
 * A listener with no member that can serve is left to the namespace's stack: the VIP is local
 * and nothing listens, so the kernel refuses (RST, port unreachable) as vnet does. IPv4 or IPv6,
 * as the VIP is.
 */
import type { LoadBalancer } from '../topology/model.js';
import { memberMap } from './balance-map.js';
import { downIn, type DownMember } from './member-health.js';
import { chainText, rule } from './nft-match.js';

export const LB_TABLE = 'vnet_lb';

export function balancerRuleset(lb: LoadBalancer, down: readonly DownMember[] = []): string | null {
  const family = lb.vip.ip.version;
  const ip = family === 4 ? 'ip' : 'ip6';
  const pre: string[] = [];
  for (const l of lb.listeners) {
    const proto = l.protocol === 'udp' ? 'udp' : 'tcp';
    const pool = lb.pools.find((p) => p.name === l.pool)!;
    const map = memberMap(pool, downIn(down, lb, pool), family);
    if (map !== null) pre.push(rule(`${ip} daddr ${lb.vip.text}`, `${proto} dport ${l.port}`, `dnat ${ip} to ${map}`, `comment "${proto}/${l.port} → ${l.pool}"`));
  }
  if (pre.length === 0) return null;
  return [
    `table ${ip} ${LB_TABLE} {`,
    ...chainText('prerouting', ['type nat hook prerouting priority dstnat; policy accept;', ...pre]),
    ...chainText('postrouting', ['type nat hook postrouting priority srcnat; policy accept;', `ct status dnat snat ${ip} to ${lb.vip.text} comment "the member answers the load balancer"`]),
    '}',
    '',
  ].join('\n');
}
