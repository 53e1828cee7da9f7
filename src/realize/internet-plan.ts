/**
 * The internet's part of a realization: uplinks to every external network's bridge (the
 * network's gateway address on the internet's side), every public address owned locally so
 * closed ports refuse as in vnet, private ranges and the cloud's own subnets unreachable, and
 * each external host behind a link of its own (/32, or /128 with a link-local peer).
 */
import { parseCidr } from '../address/cidr.js';
import { prefixContains, toIpValue, toPrefixValue } from '../packet/ip-value.js';
import type { Cloud } from '../topology/model.js';
import { interfaceName } from './names.js';
import { family, type PlanBuilder } from './plan-builder.js';

/** The internet's side of every external host's /32 link. */
const HOST_LINK_PEER = '169.254.0.1';
/** Ranges the internet does not route (vnet's engine/build-world.ts: private addresses). */
const PRIVATE_RANGES = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', 'fc00::/7'];
const PRIVATE_PREFIXES = PRIVATE_RANGES.map((r) => {
  const c = parseCidr(r);
  if (!c.ok) throw new Error(`bad private range ${r}`);
  return toPrefixValue(c.cidr);
});
/** The internet's side of every external host's IPv6 link (a link-local address, as routers use). */
const HOST_LINK_PEER6 = 'fe80::1';

export function planInternet(cloud: Cloud, b: PlanBuilder, prefix: string, fabric: string, internet: string, bridges: ReadonlyMap<string, string>, hostNs: ReadonlyMap<string, string>): void {
  [...cloud.externalNetworks.values()].forEach((ext, i) => {
    if (!ext.gateway) {
      b.note(`external network ${ext.name} has no gateway: the internet is not attached to it`);
      return;
    }
    const v6 = ext.gateway.ip.version === 6;
    const outer = `${prefix}u${i}`;
    const inner = interfaceName(`x-${ext.name}`, `x${i}`);
    b.iface(fabric, outer, `uplink ${ext.name} (bridge side)`);
    b.iface(internet, inner, `uplink ${ext.name}`);
    b.step(['ip', '-n', fabric, 'link', 'add', outer, 'type', 'veth', 'peer', 'name', inner, 'netns', internet], `the internet's uplink to ${ext.name}`);
    b.step(['ip', '-n', fabric, 'link', 'set', outer, 'master', bridges.get(`external:${ext.name}`)!, 'up'], `plug the uplink into ${ext.name}`);
    b.step(['ip', '-n', internet, 'link', 'set', inner, 'up'], `bring up the uplink to ${ext.name}`);
    b.fastArp(internet, inner, v6, !v6);
    b.step(['ip', '-n', internet, 'addr', 'add', `${ext.gateway.text}/${ext.cidr.cidr.prefix}`, 'dev', inner, ...(v6 ? ['nodad'] : [])], `${ext.name}'s gateway address`);
  });
  b.step(['ip', '-n', internet, 'route', 'add', 'local', '0.0.0.0/0', 'dev', 'lo'], 'the internet owns every public address (closed ports refuse)');
  b.step(['ip', '-n', internet, '-6', 'route', 'add', 'local', '::/0', 'dev', 'lo', 'table', 'main'],
    'the internet owns every public IPv6 address too (in main, where longer routes win: IPv6 consults the local table first, whole)');
  for (const range of PRIVATE_RANGES) b.step(['ip', '-n', internet, ...family(range.includes(':') ? 6 : 4), 'route', 'add', 'unreachable', range], 'the internet does not route private addresses');
  for (const subnet of cloud.subnets.values()) {
    if (PRIVATE_PREFIXES.some((p) => prefixContains(p, toIpValue({ version: subnet.cidr.cidr.version, value: subnet.cidr.cidr.network })))) continue;
    b.step(['ip', '-n', internet, ...family(subnet.version), 'route', 'add', 'unreachable', subnet.cidr.text], `subnet ${subnet.name} is the cloud's: the internet reaches it only through floating IPs and gateways`);
  }
  [...cloud.externalHosts.values()].forEach((host, i) => {
    const ns = hostNs.get(host.name)!;
    if (host.address.ip.version === 6) {
      planHost6(b, internet, ns, host.name, host.address.text, `h${i}`);
      return;
    }
    const side = `h${i}`;
    b.iface(internet, side, `link to ${host.name}`);
    b.iface(ns, 'eth0', `external host ${host.name}`);
    b.step(['ip', '-n', internet, 'link', 'add', side, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns], `external host ${host.name}'s link`);
    b.step(['ip', '-n', internet, 'link', 'set', side, 'up'], `bring up the link to ${host.name}`);
    b.step(['ip', '-n', internet, 'addr', 'add', `${HOST_LINK_PEER}/32`, 'dev', side], 'the internet\'s end of the /32 link');
    b.step(['ip', '-n', internet, 'route', 'add', `${host.address.text}/32`, 'dev', side], `${host.name} lives behind this link`);
    b.step(['ip', '-n', ns, 'link', 'set', 'eth0', 'up'], `bring up ${host.name}'s link`);
    b.fastArp(ns, 'eth0');
    b.step(['ip', '-n', ns, 'addr', 'add', `${host.address.text}/32`, 'dev', 'eth0'], `${host.name}'s address`);
    b.step(['ip', '-n', ns, 'route', 'add', `${HOST_LINK_PEER}/32`, 'dev', 'eth0'], 'the internet is on-link');
    b.step(['ip', '-n', ns, 'route', 'add', 'default', 'via', HOST_LINK_PEER, 'dev', 'eth0'], 'everything else through the internet');
  });
}

/** An external host with an IPv6 address: a /128 on its side, the internet at fe80::1 on the other. */
function planHost6(b: PlanBuilder, internet: string, ns: string, name: string, address: string, side: string): void {
  b.iface(internet, side, `link to ${name}`);
  b.iface(ns, 'eth0', `external host ${name}`);
  b.step(['ip', '-n', internet, 'link', 'add', side, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns], `external host ${name}'s link`);
  b.step(['ip', '-n', internet, 'link', 'set', side, 'up'], `bring up the link to ${name}`);
  b.fastArp(internet, side, true, false);
  b.step(['ip', '-n', internet, 'addr', 'add', `${HOST_LINK_PEER6}/64`, 'dev', side, 'nodad'], 'the internet\'s end of the link');
  b.step(['ip', '-n', internet, '-6', 'route', 'add', `${address}/128`, 'dev', side], `${name} lives behind this link`);
  b.step(['ip', '-n', ns, 'link', 'set', 'eth0', 'up'], `bring up ${name}'s link`);
  b.fastArp(ns, 'eth0', true, false);
  b.step(['ip', '-n', ns, 'addr', 'add', `${address}/128`, 'dev', 'eth0', 'nodad'], `${name}'s address`);
  b.step(['ip', '-n', ns, '-6', 'route', 'add', 'default', 'via', HOST_LINK_PEER6, 'dev', 'eth0'], 'everything else through the internet');
}
