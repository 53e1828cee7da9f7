/**
 * One probe from inside a namespace, classified the way vnet's verdicts are: `delivered` (a TCP
 * connection, a UDP answer, an echo reply), `refused` (RST, ICMP port unreachable), `unreachable`
 * (ICMP host/net unreachable, or ARP that got no answer: EHOSTUNREACH), or `timeout` (nothing
 * came back: the caller tells a drop from a loss by the nftables drop counters). A TCP or UDP
 * answer carries the source address the far end saw. IPv4 and IPv6 alike (the address decides).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { connect, isIPv6 } from 'node:net';

/** One probe as `vnet conform` asks the agent for it: sent by the kernel's own sockets and tools. */
export interface KernelProbe {
  readonly proto: 'tcp' | 'udp' | 'icmp';
  readonly dst: string;
  readonly port: number;
  readonly timeoutMs: number;
  /** The source port to bind (TCP, UDP), so the probe is the very one vnet sent. */
  readonly sport?: number;
  /**
   * A source address that is not the sender's: a spoofed probe. It goes on `lo` for the probe's
   * time, so the socket may use it (Linux routes only from local sources) while the host, which
   * answers ARP on an interface for that interface's addresses only, never claims it on the wire.
   */
  readonly src?: string;
}

export interface ProbeResult {
  readonly result: 'delivered' | 'refused' | 'unreachable' | 'timeout' | 'error';
  /** The errno or the tool's words, when there is one. */
  readonly detail: string | null;
  /** The source address the far end saw (TCP and UDP answers). */
  readonly seen: string | null;
  readonly ms: number;
}

const UNREACHABLE = new Set(['EHOSTUNREACH', 'ENETUNREACH']);

/**
 * ICMP destination-unreachable messages this namespace has received (its own /proc/net/snmp or
 * snmp6). Linux tells a UDP socket of net or host unreachable only with IP_RECVERR (a soft error,
 * RFC 1122 4.1.3.3), which Node cannot set: the counter is how a UDP probe learns of one.
 */
function destUnreachablesReceived(v6: boolean): number {
  try {
    if (v6) return Number(/^Icmp6InDestUnreachs\s+(\d+)/m.exec(readFileSync('/proc/net/snmp6', 'utf8'))?.[1] ?? 0);
    const [names, values] = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Icmp:')).map((l) => l.split(/\s+/));
    return Number(values?.[names?.indexOf('InDestUnreachs') ?? -1] ?? 0);
  } catch {
    return 0;
  }
}

/** Runs one probe; a spoofed one (`src`) borrows its source address on `lo` meanwhile. */
export async function runProbe(req: KernelProbe): Promise<ProbeResult> {
  if (req.src === undefined) return probe(req);
  const host = `${req.src}/${isIPv6(req.src) ? 128 : 32}`;
  const add = ['addr', 'add', host, 'dev', 'lo', ...(isIPv6(req.src) ? ['nodad'] : [])];
  const added = spawnSync('ip', add, { encoding: 'utf8' });
  if (added.status !== 0) return { result: 'error', detail: `ip ${add.join(' ')}: ${added.stderr.trim() || added.error?.message}`, seen: null, ms: 0 };
  try {
    return await probe(req);
  } finally {
    spawnSync('ip', ['addr', 'del', host, 'dev', 'lo']);
  }
}

function probe(req: KernelProbe): Promise<ProbeResult> {
  const start = process.hrtime.bigint();
  const ms = () => Number(process.hrtime.bigint() - start) / 1e6;
  return new Promise((resolve) => {
    let settled = false;
    const done = (result: ProbeResult['result'], detail: string | null, seen: string | null = null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      cleanup();
      resolve({ result, detail, seen, ms: Math.round(ms() * 10) / 10 });
    };
    const fromError = (e: NodeJS.ErrnoException) => {
      const code = e.code ?? e.message;
      done(code === 'ECONNREFUSED' ? 'refused' : UNREACHABLE.has(code) ? 'unreachable' : 'error', code);
    };
    let cleanup = () => undefined as void;
    // ping's -W counts whole seconds; and Linux keeps an ICMPv6 "no route" met by a SYN as a soft
    // error, reported only when the SYN is first retransmitted (after 1 s), so IPv6 TCP waits past it.
    const slack = req.proto === 'icmp' || (req.proto === 'tcp' && isIPv6(req.dst)) ? 500 : 0;
    const unreachablesBefore = req.proto === 'udp' ? destUnreachablesReceived(isIPv6(req.dst)) : 0;
    const timedOut = () => {
      if (req.proto === 'udp' && destUnreachablesReceived(isIPv6(req.dst)) > unreachablesBefore) done('unreachable', 'ICMP destination unreachable received (not reported to a UDP socket)');
      else done('timeout', null);
    };
    const timer = setTimeout(timedOut, req.timeoutMs + slack);
    if (req.proto === 'tcp') {
      const socket = connect({ host: req.dst, port: req.port, ...(req.sport !== undefined ? { localPort: req.sport } : {}), ...(req.src !== undefined ? { localAddress: req.src } : {}) });
      let seen = '';
      cleanup = () => { socket.destroy(); };
      socket.on('error', fromError);
      socket.on('data', (d) => { seen += d.toString(); if (seen.includes('\n')) done('delivered', null, seen.trim()); });
      socket.on('end', () => done('delivered', null, seen.trim() || null));
    } else if (req.proto === 'udp') {
      const socket = createSocket(isIPv6(req.dst) ? 'udp6' : 'udp4');
      cleanup = () => { try { socket.close(); } catch { /* already closed */ } };
      socket.on('error', fromError);
      socket.on('message', (msg) => done('delivered', null, msg.toString().trim() || null));
      // A route of type unreachable fails connect() itself (EHOSTUNREACH): Node hands that to the
      // callback, not to 'error', and a send after it would throw.
      const connected = ((err?: NodeJS.ErrnoException) => (err ? fromError(err) : socket.send('vnet conform probe\n'))) as () => void;
      const send = () => socket.connect(req.port, req.dst, connected);
      if (req.sport !== undefined || req.src !== undefined) socket.bind({ port: req.sport ?? 0, ...(req.src !== undefined ? { address: req.src } : {}) }, send);
      else send();
    } else {
      const ping = spawn('ping', [isIPv6(req.dst) ? '-6' : '-4', '-n', '-c', '1', '-W', String(Math.ceil(req.timeoutMs / 1000)), req.dst], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      cleanup = () => { ping.kill(); };
      ping.stdout.on('data', (d) => { out += d.toString(); });
      ping.stderr.on('data', (d) => { out += d.toString(); });
      ping.on('error', (e) => done('error', `ping: ${e.message}`));
      ping.on('close', (code) => {
        if (code === 0) done('delivered', null);
        else if (/unreachable/i.test(out)) done('unreachable', /From \S+ .*unreachable/i.exec(out)?.[0] ?? 'unreachable');
        else done('timeout', null);
      });
    }
  });
}
