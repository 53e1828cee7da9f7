/**
 * The services of a realized instance or external host: a TCP listener per declared port that
 * answers each connection with the source address it saw and its own (which member of a
 * load balancer served) and closes, and a UDP socket per port
 * that echoes the source address back. That is how `vnet conform` learns what the far end saw
 * (after SNAT, floating IPs and load balancers), as vnet's verdict reports it in `observed`.
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

/** Starts every listener; resolves once all are bound. */
export async function listen(services: readonly ServiceSpec[]): Promise<void> {
  const bound: Promise<void>[] = [];
  for (const s of services) {
    for (const port of s.ports) {
      bound.push(new Promise((resolve, reject) => {
        if (s.protocol === 'tcp') {
          const server = createServer((socket) => {
            socket.on('error', () => undefined);
            socket.end(`${socket.remoteAddress ?? ''} ${socket.localAddress ?? ''}\n`);
          });
          server.on('error', reject);
          server.listen({ port, host: '0.0.0.0', backlog: 128 }, () => resolve());
        } else {
          const socket = createSocket('udp4');
          socket.on('error', reject);
          socket.on('message', (_msg, from) => socket.send(`${from.address}\n`, from.port, from.address));
          socket.bind(port, '0.0.0.0', () => resolve());
        }
      }));
    }
  }
  await Promise.all(bound);
}
