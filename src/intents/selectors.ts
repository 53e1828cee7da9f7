/**
 * Selectors: how intents and `vnet/testing`'s `probes(cloud, { from, to })` name a set of
 * endpoints — a name glob (`db-*`), `group:NAME` (instances with a port in the group),
 * `subnet:NAME` (instances with a port on it, load balancers with their VIP there),
 * `project:NAME` (its instances, load balancers and floating IPs), `internet` (the external
 * hosts), or a list of these (their union). A selector that names nothing is an error, since
 * an intent over an empty set would hold vacuously. Pure.
 */
import type { Cloud } from '../topology/model.js';
import { suggestion } from '../topology/did-you-mean.js';

export type EndpointKind = 'instance' | 'load_balancer' | 'floating_ip' | 'external_host';

/** An endpoint a selector picks: a name a probe's `from` or `to` takes. */
export interface Selected {
  readonly name: string;
  readonly kind: EndpointKind;
}

export type Selector = string | readonly string[];

export type SelectResult = { ok: true; endpoints: Selected[] } | { ok: false; message: string };

/** `*` any run of characters, `?` one; everything else literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/** Every endpoint of the cloud, instances first, in file order. */
export function allEndpoints(cloud: Cloud): Selected[] {
  return [
    ...[...cloud.instances.keys()].map((name) => ({ name, kind: 'instance' as const })),
    ...[...cloud.loadBalancers.keys()].map((name) => ({ name, kind: 'load_balancer' as const })),
    ...[...cloud.floatingIps.keys()].map((name) => ({ name, kind: 'floating_ip' as const })),
    ...[...cloud.externalHosts.keys()].map((name) => ({ name, kind: 'external_host' as const })),
  ];
}

function selectOne(cloud: Cloud, text: string, all: readonly Selected[]): SelectResult {
  const colon = text.indexOf(':');
  const prefix = colon > 0 ? text.slice(0, colon) : '';
  const arg = text.slice(colon + 1);
  const instancesWhere = (test: (portId: string) => boolean) => all.filter((e) => e.kind === 'instance' && cloud.instances.get(e.name)!.ports.some(test));
  switch (prefix) {
    case 'group': {
      if (!cloud.securityGroups.has(arg)) return { ok: false, message: `no security group named "${arg}"${suggestion(arg, cloud.securityGroups.keys())}` };
      return { ok: true, endpoints: instancesWhere((id) => cloud.ports.get(id)!.securityGroups.includes(arg)) };
    }
    case 'subnet': {
      if (!cloud.subnets.has(arg)) return { ok: false, message: `no subnet named "${arg}"${suggestion(arg, cloud.subnets.keys())}` };
      const lbs = all.filter((e) => e.kind === 'load_balancer' && cloud.loadBalancers.get(e.name)!.subnet === arg);
      return { ok: true, endpoints: [...instancesWhere((id) => cloud.ports.get(id)!.fixedIps.some((f) => f.subnet === arg)), ...lbs] };
    }
    case 'project': {
      if (!cloud.projects.has(arg)) return { ok: false, message: `no project named "${arg}"${suggestion(arg, cloud.projects.keys())}` };
      const project = (e: Selected) => (e.kind === 'instance' ? cloud.instances.get(e.name)!.project : e.kind === 'load_balancer' ? cloud.loadBalancers.get(e.name)!.project : e.kind === 'floating_ip' ? cloud.floatingIps.get(e.name)!.project : cloud.externalHosts.get(e.name)!.project);
      // External hosts are admin's by construction, but they are the internet, not a project's.
      return { ok: true, endpoints: all.filter((e) => e.kind !== 'external_host' && project(e) === arg) };
    }
    case '':
      break;
    default:
      return { ok: false, message: `unknown selector kind "${prefix}:"${suggestion(prefix, ['group', 'subnet', 'project'])} (expected a name glob, group:NAME, subnet:NAME, project:NAME or internet)` };
  }
  if (text === 'internet') return { ok: true, endpoints: all.filter((e) => e.kind === 'external_host') };
  const re = globToRegExp(text);
  const picked = all.filter((e) => re.test(e.name));
  if (picked.length === 0) {
    const near = /[*?]/.test(text) ? '' : suggestion(text, all.map((e) => e.name));
    return { ok: false, message: `"${text}" matches no instance, load balancer, floating IP or external host${near}` };
  }
  return { ok: true, endpoints: picked };
}

/** The endpoints a selector picks (a list: the union, each once, in the cloud's order). */
export function select(cloud: Cloud, selector: Selector): SelectResult {
  const all = allEndpoints(cloud);
  const parts = typeof selector === 'string' ? [selector] : selector;
  if (parts.length === 0) return { ok: false, message: 'an empty list selects nothing' };
  const chosen = new Set<string>();
  for (const part of parts) {
    const r = selectOne(cloud, part, all);
    if (!r.ok) return r;
    for (const e of r.endpoints) chosen.add(`${e.kind}\0${e.name}`);
  }
  return { ok: true, endpoints: all.filter((e) => chosen.has(`${e.kind}\0${e.name}`)) };
}

/** Endpoints that can send a probe: instances and external hosts. */
export const isSender = (e: Selected): boolean => e.kind === 'instance' || e.kind === 'external_host';
