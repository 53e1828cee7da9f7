/**
 * The services of a realized instance or external host: a TCP listener per declared port that
 * answers each connection with the source address it saw and its own (which member of a
 * load balancer served) and closes, and a UDP socket per port
 * that echoes the source address back. That is how `vnet conform` learns what the far end saw
 * (after SNAT, floating IPs and load balancers), as vnet's verdict reports it in `observed`.
 * Every port is served on IPv4 and IPv6, one socket per family.
 */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

/** At most this many ports of one declared range get a listener. */
const MAX_RANGE = 64;

export interface ServiceSpec {
  readonly protocol: 'tcp' | 'udp';
  readonly ports: readonly number[];
}

/** `tcp/80`, `udp/5000-5002` → what to listen on; throws on anything else. */
export function parseService(text: string): ServiceSpec {
  const m = /^(tcp|udp)\/(\d+)(?:-(\d+))?$/.exec(text);
  if (!m) throw new Error(`service "${text}": expected tcp/PORT, udp/PORT or a range tcp/FROM-TO`);
  const from = Number(m[2]);
  const to = Math.min(Number(m[3] ?? m[2]), from + MAX_RANGE - 1);
  return { protocol: m[1] as 'tcp' | 'udp', ports: Array.from({ length: to - from + 1 }, (_, i) => from + i) };
}

/** The wildcard addresses a service binds: each family on its own socket, so addresses read plainly (no `::ffff:`). */
const WILDCARDS = [{ host: '0.0.0.0', udp: 'udp4' }, { host: '::', udp: 'udp6' }] as const;

/** Starts every listener, on IPv4 and on IPv6 where the namespace has it; resolves once all are bound. */
export async function listen(services: readonly ServiceSpec[]): Promise<void> {
  const bound: Promise<void>[] = [];
  for (const s of services) {
    for (const port of s.ports) {
      for (const w of WILDCARDS) bound.push(bind(s.protocol, port, w.host, w.udp));
    }
  }
  await Promise.all(bound);
}

/** One socket; an IPv6 one that the namespace cannot have (IPv6 off) is skipped, not an error. */
function bind(protocol: 'tcp' | 'udp', port: number, host: string, udp: 'udp4' | 'udp6'): Promise<void> {
  const v6 = host === '::';
  return new Promise((resolve, reject) => {
    const failed = (e: NodeJS.ErrnoException) => (v6 && (e.code === 'EAFNOSUPPORT' || e.code === 'EADDRNOTAVAIL') ? resolve() : reject(e));
    if (protocol === 'tcp') {
      const server = createServer((socket) => {
        socket.on('error', () => undefined);
        socket.end(`${socket.remoteAddress ?? ''} ${socket.localAddress ?? ''}\n`);
      });
      server.on('error', failed);
      server.listen({ port, host, backlog: 128, ipv6Only: v6 }, () => resolve());
    } else {
      const socket = createSocket({ type: udp, ipv6Only: v6 });
      socket.on('error', failed);
      socket.on('message', (_msg, from) => socket.send(`${from.address}\n`, from.port, from.address));
      socket.bind(port, host, () => resolve());
    }
  });
}
