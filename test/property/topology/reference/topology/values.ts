/**
 * Parsing the text values of a topology (addresses, prefixes, ranges, services, port ranges)
 * into resolved values, reporting each bad one as an Issue at its path. Every string the user
 * wrote is parsed here, once.
 */
import { parseCidrLoose, formatCidr } from '../../../../../src/address/cidr.js';
import { formatIp, parseIp, compareIp } from '../../../../../src/address/ip.js';
import type { IssueList, Path } from '../../../../../src/topology/issue.js';
import type { Address, Prefix, Service } from '../../../../../src/topology/model.js';

export function addressAt(text: string, path: Path, issues: IssueList): Address | undefined {
  const ip = parseIp(text);
  if (!ip) {
    issues.error(path, 'ip', `expected an IP address such as 10.0.0.5 or 2001:db8::5, got ${JSON.stringify(text)}`);
    return undefined;
  }
  return { text: formatIp(ip), ip };
}

/**
 * What a CIDR with host bits set means at a place. 'normalise': its network, with a warning
 * (Neutron normalises a subnet cidr and matches a remote_ip_prefix or an allowed address pair
 * by its network). 'refuse': an error naming the network meant (Neutron's validate_route_cidr
 * refuses host_routes and router routes destinations with host bits).
 */
export type HostBits = 'normalise' | 'refuse';

export function prefixAt(text: string, path: Path, issues: IssueList, hostBits: HostBits): Prefix | undefined {
  const parsed = parseCidrLoose(text);
  const meant = parsed.ok ? formatCidr(parsed.cidr) : '';
  if (!parsed.ok || (parsed.hostBits && hostBits === 'refuse')) {
    const problem = parsed.ok ? `host bits are set; did you mean ${meant}?` : parsed.problem;
    issues.error(path, 'cidr', `expected a CIDR such as 10.0.0.0/24 or 2001:db8::/64, got ${JSON.stringify(text)}: ${problem}`);
    return undefined;
  }
  if (parsed.hostBits) {
    issues.warn(path, 'cidr-host-bits', `${text} has host bits set; it means the network ${meant} (as in Neutron and AWS); write ${meant} to say so`);
  }
  return { text: meant, cidr: parsed.cidr };
}

/** An address or a prefix (allowed address pairs accept both); a bare address is a host prefix. */
export function hostOrPrefixAt(text: string, path: Path, issues: IssueList): Prefix | undefined {
  if (text.includes('/')) return prefixAt(text, path, issues, 'normalise');
  const a = addressAt(text, path, issues);
  if (!a) return undefined;
  const prefix = a.ip.version === 4 ? 32 : 128;
  return { text: `${a.text}/${prefix}`, cidr: { version: a.ip.version, network: a.ip.value, prefix } };
}

export interface RangeValue {
  readonly start: Address;
  readonly end: Address;
}

/** "10.0.0.10-10.0.0.99" or { start, end }. */
export function rangeAt(value: string | { start: string; end: string }, path: Path, issues: IssueList): RangeValue | undefined {
  let startText: string;
  let endText: string;
  let startPath: Path = path;
  let endPath: Path = path;
  if (typeof value === 'string') {
    const parts = value.split('-').map((s) => s.trim());
    if (parts.length !== 2 || !parts[0] || !parts[1]) {
      issues.error(path, 'range', `expected an address range "start-end" such as 10.0.0.10-10.0.0.99, got ${JSON.stringify(value)}`);
      return undefined;
    }
    [startText, endText] = parts as [string, string];
  } else {
    startText = value.start;
    endText = value.end;
    startPath = [...path, 'start'];
    endPath = [...path, 'end'];
  }
  const start = addressAt(startText, startPath, issues);
  const end = addressAt(endText, endPath, issues);
  if (!start || !end) return undefined;
  if (start.ip.version !== end.ip.version) {
    issues.error(path, 'range', `start ${start.text} and end ${end.text} are not the same IP version`);
    return undefined;
  }
  if (compareIp(start.ip, end.ip) > 0) {
    issues.error(path, 'range', `start ${start.text} is after end ${end.text}`);
    return undefined;
  }
  return { start, end };
}

/** 80, "80", "8000-8080". Port 0 is invalid, as in Neutron. */
export function portRangeAt(value: number | string, path: Path, issues: IssueList): { from: number; to: number } | undefined {
  const text = String(value).trim();
  const m = /^(\d{1,5})(?:\s*-\s*(\d{1,5}))?$/.exec(text);
  const from = m ? Number(m[1]) : NaN;
  const to = m ? Number(m[2] ?? m[1]) : NaN;
  if (!m || from > 65535 || to > 65535) {
    issues.error(path, 'ports', `expected a port 1-65535 or a range such as 8000-8080, got ${JSON.stringify(value)}`);
    return undefined;
  }
  if (from === 0 || to === 0) {
    issues.error(path, 'ports', 'port 0 is not a valid port (use 1-65535 for any port)');
    return undefined;
  }
  if (from > to) {
    issues.error(path, 'ports', `port range ${from}-${to} is reversed; did you mean ${to}-${from}?`);
    return undefined;
  }
  return { from, to };
}

/** "tcp/22", "udp/53", "tcp/8000-8010". */
export function serviceAt(text: string, path: Path, issues: IssueList): Service | undefined {
  const m = /^(tcp|udp)\/(.+)$/.exec(text.trim());
  if (!m) {
    issues.error(path, 'service', `expected a service such as "tcp/22" or "udp/53", got ${JSON.stringify(text)}`);
    return undefined;
  }
  const range = portRangeAt(m[2]!, path, issues);
  if (!range) return undefined;
  const protocol = m[1] as 'tcp' | 'udp';
  const ports = range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`;
  return { protocol, from: range.from, to: range.to, text: `${protocol}/${ports}` };
}
