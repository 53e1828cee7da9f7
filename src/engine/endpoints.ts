/**
 * Names a person writes → places in the cloud: an instance name, an external host name or
 * an IP address (of an instance port, a floating IP, an LB VIP, an external host, or any
 * public address on the internet). A source must be something that can send: an instance or
 * an external host. A failure is a code and a message about the name alone: the caller says
 * where the name came from (a CLI flag, a probes file's key, a WebSocket message's field).
 */
import { parseIp } from '../address/ip.js';
import { toIpValue, type IpValue } from '../packet/ip-value.js';
import { nodeId } from '../topology/graph.js';
import type { Cloud } from '../topology/model.js';
import { suggestion } from '../topology/did-you-mean.js';

export interface Source {
  readonly node: string;
  readonly name: string;
  /** The source address, when the user named one (an instance with several). */
  readonly ip?: IpValue;
}

export type EndpointErrorCode =
  | 'unknown-source' // no instance or external host of this name or address
  | 'unknown-destination' // no instance, external host, load balancer or floating IP of this name
  | 'destination-family'; // the named instance has no address of the family asked for

export type EndpointResult<T> = { ok: true; value: T } | { ok: false; code: EndpointErrorCode; message: string };

const allNames = (cloud: Cloud) => [...cloud.instances.keys(), ...cloud.externalHosts.keys()];

export function resolveSource(cloud: Cloud, text: string): EndpointResult<Source> {
  if (cloud.instances.has(text)) return { ok: true, value: { node: nodeId.instance(text), name: text } };
  if (cloud.externalHosts.has(text)) return { ok: true, value: { node: nodeId.host(text), name: text } };
  const ip = parseIp(text);
  if (ip) {
    const v = toIpValue(ip);
    for (const p of cloud.ports.values()) {
      if (p.owner.kind === 'instance' && p.fixedIps.some((f) => toIpValue(f.address.ip) === v)) return { ok: true, value: { node: nodeId.instance(p.owner.name), name: p.owner.name, ip: v } };
    }
    for (const h of cloud.externalHosts.values()) if (toIpValue(h.address.ip) === v) return { ok: true, value: { node: nodeId.host(h.name), name: h.name, ip: v } };
    return { ok: false, code: 'unknown-source', message: 'no instance or external host has this address' };
  }
  return { ok: false, code: 'unknown-source', message: `no instance or external host named "${text}"${suggestion(text, allNames(cloud))}` };
}

/** A destination address; `version` picks the family when a name has both. */
export function resolveDestination(cloud: Cloud, text: string, version?: 4 | 6): EndpointResult<IpValue> {
  const ip = parseIp(text);
  if (ip) return { ok: true, value: toIpValue(ip) };
  const inst = cloud.instances.get(text);
  if (inst) {
    const addrs = inst.ports.flatMap((id) => cloud.ports.get(id)!.fixedIps.map((f) => f.address.ip));
    const pick = addrs.find((a) => a.version === (version ?? 4)) ?? (version === undefined ? addrs[0] : undefined);
    if (!pick) return { ok: false, code: 'destination-family', message: `the instance has no IPv${version ?? 4} address` };
    return { ok: true, value: toIpValue(pick) };
  }
  const host = cloud.externalHosts.get(text);
  if (host) return { ok: true, value: toIpValue(host.address.ip) };
  const lb = cloud.loadBalancers.get(text);
  if (lb) return { ok: true, value: toIpValue(lb.vip.ip) };
  const fip = cloud.floatingIps.get(text);
  if (fip) return { ok: true, value: toIpValue(fip.address.ip) };
  const names = [...allNames(cloud), ...cloud.loadBalancers.keys(), ...cloud.floatingIps.keys()];
  return { ok: false, code: 'unknown-destination', message: `no instance, external host, load balancer or floating IP named "${text}"${suggestion(text, names)}` };
}

