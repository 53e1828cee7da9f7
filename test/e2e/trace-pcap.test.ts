/**
 * `vnet trace … --pcap FILE` end to end, read back by two readers that share nothing with
 * vnet: the npm package pcap-parser (record count, headers, timestamps) and Wireshark's tshark
 * (protocols, addresses, TCP flags, and every IP and TCP checksum verified). The probe is the
 * README's: internet client → the load balancer's floating IP, tcp/80, so the capture holds
 * the ARP exchanges, the SYN before and after DNAT and the SYN-ACK on its way back. The tshark
 * part skips where tshark is not installed (test/system-tools.ts).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildDist } from '../global-setup.js';
import { describeNeeding } from '../system-tools.js';

const BIN = 'dist/vnet.cjs';
const STACK_FRAME = /^\s+at /m;
const PROBE = ['trace', 'topologies/three-tier.yaml', '--from', 'client', '--to', 'lb-fip', '--proto', 'tcp', '--port', '80'];

interface PcapParser {
  parse(file: string): NodeJS.EventEmitter;
}
interface PcapPacket {
  header: { timestampSeconds: number; timestampMicroseconds: number; capturedLength: number; originalLength: number };
  data: Buffer;
}

const vnet = (...args: string[]) => spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', timeout: 20_000 });

function readWithPcapParser(file: string): Promise<{ global: Record<string, number>; packets: PcapPacket[] }> {
  const parser = (createRequire(import.meta.url)('pcap-parser') as PcapParser).parse(file);
  return new Promise((resolve, reject) => {
    let global: Record<string, number> = {};
    const packets: PcapPacket[] = [];
    parser.on('globalHeader', (h: Record<string, number>) => { global = h; });
    parser.on('packet', (p: PcapPacket) => packets.push(p));
    parser.on('end', () => resolve({ global, packets }));
    parser.on('error', reject);
  });
}

const TSHARK_FIELDS = ['frame.protocols', 'ip.src', 'ip.dst', 'tcp.flags', 'ip.checksum.status', 'tcp.checksum.status', 'arp.opcode'];

function readWithTshark(file: string): string[][] {
  const args = ['-r', file, '-T', 'fields', ...TSHARK_FIELDS.flatMap((f) => ['-e', f]), '-o', 'ip.check_checksum:TRUE', '-o', 'tcp.check_checksum:TRUE', '-o', 'udp.check_checksum:TRUE'];
  const r = spawnSync('tshark', args, { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.trimEnd().split('\n').map((line) => line.split('\t'));
}

let dir: string;
beforeAll(() => {
  if (!inject('vnetBuilt')) buildDist();
  dir = mkdtempSync(join(tmpdir(), 'vnet-pcap-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The README's probe written to a capture: its frame count and the probe's JSON verdict. */
function capture(file: string): { count: number; verdict: { verdict: string; observed: { dst: string }; events: { t: number }[] } } {
  const run = vnet(...PROBE, '--json', '--pcap', file);
  expect(run.status, run.stderr).toBe(0);
  const written = /^wrote (\d+) frames to (.+)$/m.exec(run.stderr);
  expect(written?.[2]).toBe(file);
  const verdict = JSON.parse(run.stdout) as { verdict: string; observed: { dst: string }; events: { t: number }[] };
  expect(verdict.verdict).toBe('delivered');
  return { count: Number(written![1]), verdict };
}

describe('vnet trace --pcap', () => {
  it('writes a capture that pcap-parser reads: the expected frames, µs timestamps of the trace', async () => {
    const file = join(dir, 'lb.pcap');
    const { count, verdict } = capture(file);

    const { global, packets } = await readWithPcapParser(file);
    expect(global).toMatchObject({ magicNumber: 0xa1b2c3d4, majorVersion: 2, minorVersion: 4, snapshotLength: 65535, linkLayerType: 1 });
    expect(packets.length).toBe(count);
    expect(statSync(file).size).toBe(24 + packets.reduce((a, p) => a + 16 + p.data.length, 0));
    // Every frame left at the virtual time of some trace event, in order, and the first is the probe's first event.
    const us = packets.map((p) => p.header.timestampSeconds * 1e6 + p.header.timestampMicroseconds);
    const eventTimes = new Set(verdict.events.map((e) => Math.floor(e.t)));
    expect(us.every((t, i) => i === 0 || t >= us[i - 1]!)).toBe(true);
    expect(us.every((t) => eventTimes.has(t))).toBe(true);
    expect(us[0]).toBe(Math.floor(verdict.events[0]!.t));
    expect(packets.every((p) => p.header.capturedLength === p.data.length && p.header.originalLength === p.data.length && p.data.length >= 60)).toBe(true);
  });

  it('--count 2: one file holding both probes, the second with warm ARP caches', async () => {
    const file = join(dir, 'two.pcap');
    const run = vnet(...PROBE, '--count', '2', '--pcap', file);
    expect(run.status, run.stderr).toBe(0);
    const one = vnet(...PROBE, '--pcap', join(dir, 'one.pcap'));
    const n = (r: { stderr: string }) => Number(/^wrote (\d+) frames/m.exec(r.stderr)?.[1]);
    expect(n(run)).toBeGreaterThan(n(one));
    expect((await readWithPcapParser(file)).packets.length).toBe(n(run));
  });

  it('a path that cannot be written is a clear error naming it, no stack trace', () => {
    const bad = join(dir, 'no-such-dir', 'x.pcap');
    const run = vnet(...PROBE, '--pcap', bad);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`--pcap ${bad}: cannot write the capture: ENOENT`);
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(existsSync(bad)).toBe(false);
  });
});

describeNeeding('tshark', 'vnet trace --pcap read by Wireshark', () => {
  it('tshark reads every frame: ARP both ways, the SYN before and after DNAT, the SYN-ACK back, every IP and TCP checksum good', () => {
    const file = join(dir, 'lb-tshark.pcap');
    const { count, verdict } = capture(file);
    const rows = readWithTshark(file);
    expect(rows.length).toBe(count);
    const [client, fip, member] = ['198.51.100.7', '203.0.113.80', verdict.observed.dst];
    const has = (protocols: string, src: string, dst: string, flags: string) => rows.some((r) => r[0] === protocols && r[1] === src && r[2] === dst && r[3] === flags);
    expect(rows.some((r) => r[0] === 'eth:ethertype:arp' && r[6] === '1')).toBe(true); // request
    expect(rows.some((r) => r[0] === 'eth:ethertype:arp' && r[6] === '2')).toBe(true); // reply
    expect(has('eth:ethertype:ip:tcp', client, fip, '0x0002')).toBe(true); // SYN before DNAT
    expect(has('eth:ethertype:ip:tcp', client, member, '0x0002')).toBe(true); // SYN after DNAT
    expect(has('eth:ethertype:ip:tcp', member, client, '0x0012')).toBe(true); // SYN-ACK from the member
    expect(has('eth:ethertype:ip:tcp', fip, client, '0x0012')).toBe(true); // SYN-ACK after un-DNAT
    const ip = rows.filter((r) => r[0]!.includes(':ip:'));
    expect(ip.length).toBeGreaterThan(4);
    // Status 1 is "good" (2 would be "bad", empty "unverified").
    expect(ip.map((r) => [r[4], r[5]])).toEqual(ip.map(() => ['1', '1']));
  });
});
