/**
 * The groups' decision on one port (src/firewall/port-firewall.ts, PortFirewall.filter): conntrack
 * first, then the rules; what each decision traces (the rule, or the tracked entry and why) and
 * reports for the verdict; stateless groups, a port with no groups, conntrack's invalid state and
 * drops lifted under --explain all. A fake Sim records traces and facts.
 */
import { describe, expect, it } from 'vitest';
import type { FrameMeta, Sim } from '../../../src/engine/node-contract.js';
import { PORT_TABLES } from '../../../src/engine/pipeline.js';
import { CT_TIMEOUT_US } from '../../../src/firewall/conntrack.js';
import { LinearMatcher } from '../../../src/firewall/linear-matcher.js';
import { PortFirewall } from '../../../src/firewall/port-firewall.js';
import { toMatchRule } from '../../../src/firewall/rule.js';
import { ICMP, type IpPacket } from '../../../src/packet/frame.js';
import type { VerdictFact } from '../../../src/trace/verdict-reducer.js';

const FORWARD: FrameMeta = { probe: 1, dir: 'forward' };
const REPLY: FrameMeta = { probe: 1, dir: 'reply' };
const MAC = 0xfa163e000001;
const ME = 0x0a00000a; // 10.0.0.10
const PEER = 0x0a000014; // 10.0.0.20
const NODE = 'instance:a';
const PORT = 'a/eth0';

function fakeSim(opts: { recording?: boolean; explainAll?: boolean } = {}) {
  const traced: { stage: string; action: string; detail: unknown }[] = [];
  const facts: VerdictFact[] = [];
  const sim = {
    now: 0, recording: opts.recording ?? true, explainAll: opts.explainAll ?? false,
    trace: (_n: string, _p: string | null, stage: string, action: string, _w: unknown, _m: FrameMeta, detail: unknown = {}) => { traced.push({ stage, action, detail }); },
    report: (_m: FrameMeta, f: VerdictFact) => { facts.push(f); },
    transmit: () => undefined, setTimer: () => 0, cancelTimer: () => undefined,
  } as unknown as Sim;
  return { sim, traced, facts };
}

const DNS_OUT = toMatchRule('g', { index: 0, text: 'egress udp 53', direction: 'egress', ethertype: 'IPv4', protocol: 'udp', ports: { from: 53, to: 53 }, remoteIpPrefix: null, remoteGroup: null } as never, 0);
const PING_OUT = toMatchRule('g', { index: 1, text: 'egress icmp', direction: 'egress', ethertype: 'IPv4', protocol: 'icmp', ports: null, remoteIpPrefix: null, remoteGroup: null } as never, 1);

function firewall(opts: { stateful?: boolean; groups?: string[] } = {}): PortFirewall {
  const groups = opts.groups ?? ['g', 'h'];
  const rules = groups.length ? [DNS_OUT, PING_OUT] : [];
  return new PortFirewall({ port: PORT, identity: { mac: MAC, addresses: new Set([ME]), pairs: [] }, groups, stateful: opts.stateful ?? true, matcher: new LinearMatcher(rules, new Map()) }, PORT_TABLES);
}

const udp = (src: number, dst: number, sport: number, dport: number): IpPacket => ({ kind: 'ip', version: 4, src, dst, ttl: 64, l4: { proto: 'udp', sport, dport } });
const echo = (src: number, dst: number, type: number): IpPacket => ({ kind: 'ip', version: 4, src, dst, ttl: 64, l4: { proto: 'icmp', type, code: 0, id: 7, seq: 1 } });
const DNS = udp(ME, PEER, 40000, 53);
const DNS_REPLY = udp(PEER, ME, 53, 40000);

describe('a new flow the rules allow', () => {
  it('passes, traced with the rule that allowed it (group, index, text) and ct new; its reply then passes as established', () => {
    const f = fakeSim();
    const fw = firewall();
    expect(fw.filter(f.sim, NODE, PORT, DNS, 'egress', FORWARD)).toBe(true);
    expect(f.traced).toEqual([{ stage: 'sg.egress', action: 'allow', detail: { ct: 'new', group: 'g', rule: 0, text: 'egress udp 53' } }]);
    expect(f.facts).toEqual([]);
    expect(fw.conntrack.snapshot(0)).toMatchObject([{ openedBy: 'egress' }]);
    // The same rule allowing a second flow names the same rule.
    fw.filter(f.sim, NODE, PORT, udp(ME, PEER, 40001, 53), 'egress', FORWARD);
    expect(f.traced[1]!.detail).toEqual(f.traced[0]!.detail);
  });

  it('is committed in the direction that opened it', () => {
    const f = fakeSim();
    const fw = new PortFirewall({ ...firewall().config, matcher: new LinearMatcher([{ ...DNS_OUT, direction: 'ingress' }], new Map()) }, PORT_TABLES);
    expect(fw.filter(f.sim, NODE, PORT, udp(PEER, ME, 40000, 53), 'ingress', FORWARD)).toBe(true);
    expect(f.traced[0]).toMatchObject({ stage: 'sg.ingress', action: 'allow' });
    expect(fw.conntrack.snapshot(0)).toMatchObject([{ openedBy: 'ingress' }]);
  });

  it('when not recording, passes untraced (and still commits)', () => {
    const f = fakeSim({ recording: false });
    const fw = firewall();
    expect(fw.filter(f.sim, NODE, PORT, DNS, 'egress', FORWARD)).toBe(true);
    expect(fw.filter(f.sim, NODE, PORT, DNS_REPLY, 'ingress', REPLY)).toBe(true);
    expect(f.traced).toEqual([]);
  });
});

describe('packets of tracked flows', () => {
  it('a reply, the next packet out and a related ICMP error pass without rules, each traced with its ct state, the entry and why', () => {
    const f = fakeSim();
    const fw = firewall();
    fw.filter(f.sim, NODE, PORT, DNS, 'egress', FORWARD);
    expect(fw.filter(f.sim, NODE, PORT, DNS_REPLY, 'ingress', REPLY)).toBe(true);
    expect(fw.filter(f.sim, NODE, PORT, DNS, 'egress', FORWARD)).toBe(true);
    const error: IpPacket = { kind: 'ip', version: 4, src: PEER, dst: ME, ttl: 64, l4: { proto: 'icmp', type: ICMP.v4.unreachable, code: ICMP.v4.codes.port, quoted: DNS } };
    expect(fw.filter(f.sim, NODE, PORT, error, 'ingress', REPLY)).toBe(true);
    const entry = 'udp 10.0.0.10:40000 → 10.0.0.20:53';
    const details = f.traced.slice(1).map((t) => t.detail as { ct: string; entry: string; reason: string });
    expect(details.map((d) => [d.ct, d.entry])).toEqual([['established', entry], ['established', entry], ['related', entry]]);
    // Three different reasons: the reply, a packet of the flow, an error about it.
    expect(new Set(details.map((d) => d.reason)).size).toBe(3);
    expect(details.every((d) => /\S/.test(d.reason))).toBe(true);
    expect(f.traced.slice(1).map((t) => `${t.stage} ${t.action}`)).toEqual(['sg.ingress allow', 'sg.egress allow', 'sg.ingress allow']);
  });

  it('a tracked packet refreshes its entry (the reply moves UDP to the stream timeout)', () => {
    const f = fakeSim();
    const fw = firewall();
    fw.filter(f.sim, NODE, PORT, DNS, 'egress', FORWARD);
    fw.filter(f.sim, NODE, PORT, DNS_REPLY, 'ingress', REPLY);
    expect(fw.conntrack.snapshot(0)).toMatchObject([{ replied: true }]);
  });

  it('a second packet out is no reply: the entry stays unreplied, on the short UDP timeout', () => {
    const f = fakeSim();
    const fw = firewall();
    fw.filter(f.sim, NODE, PORT, DNS, 'egress', FORWARD);
    expect(fw.filter(f.sim, NODE, PORT, DNS, 'egress', FORWARD)).toBe(true);
    expect(fw.conntrack.snapshot(0)).toMatchObject([{ replied: false, expires: CT_TIMEOUT_US.udp }]);
  });
});

describe('drops', () => {
  it('a new flow no rule allows: reported blocked at the stage with the port, the groups and the traffic; traced drop, ct new, default drop', () => {
    const f = fakeSim();
    const fw = firewall();
    expect(fw.filter(f.sim, NODE, PORT, udp(PEER, ME, 40000, 22), 'ingress', FORWARD)).toBe(false);
    expect(f.facts).toEqual([{ kind: 'blocked', outcome: { kind: 'dropped', node: NODE, stage: 'sg.ingress', reason: expect.stringMatching(/^a\/eth0: .*groups \[g, h\].*udp\/22.*10\.0\.0\.20.*\(ingress\)$/) } }]);
    expect(f.traced).toEqual([{ stage: 'sg.ingress', action: 'drop', detail: { ct: 'new', reason: expect.stringContaining('[g, h]'), default: 'drop' } }]);
    expect(fw.conntrack.snapshot(0)).toEqual([]);
  });

  it('a drop is traced even when not recording (the verdict names it)', () => {
    const f = fakeSim({ recording: false });
    expect(firewall().filter(f.sim, NODE, PORT, udp(PEER, ME, 40000, 22), 'ingress', FORWARD)).toBe(false);
    expect(f.traced.map((t) => t.action)).toEqual(['drop']);
  });

  it('a port with no groups drops everything, and says so rather than naming groups', () => {
    const f = fakeSim();
    expect(firewall({ groups: [] }).filter(f.sim, NODE, PORT, DNS, 'egress', FORWARD)).toBe(false);
    const reason = (f.facts[0] as { outcome: { reason: string } }).outcome.reason;
    expect(reason).toMatch(/^a\/eth0: .*no security groups/);
    expect(reason).not.toMatch(/\[/);
  });

  it('stateless groups: an allowed flow is untracked and commits nothing, so its reply needs its own rule', () => {
    const f = fakeSim();
    const fw = firewall({ stateful: false });
    expect(fw.filter(f.sim, NODE, PORT, DNS, 'egress', FORWARD)).toBe(true);
    expect(f.traced[0]!.detail).toMatchObject({ ct: 'untracked' });
    expect(fw.conntrack.snapshot(0)).toEqual([]);
    expect(fw.filter(f.sim, NODE, PORT, DNS_REPLY, 'ingress', REPLY)).toBe(false);
    expect(f.traced[1]).toEqual({ stage: 'sg.ingress', action: 'drop', detail: expect.objectContaining({ ct: 'untracked' }) });
  });

  it('stateless groups: an unanswered echo reply is judged by the rules, not dropped as invalid', () => {
    const f = fakeSim();
    expect(firewall({ stateful: false }).filter(f.sim, NODE, PORT, echo(ME, PEER, ICMP.v4.echoReply), 'egress', FORWARD)).toBe(true);
  });

  it('conntrack invalid (an echo reply that answers no request) drops before any rule, reported and traced as invalid', () => {
    const f = fakeSim();
    // PING_OUT would allow any ICMP out: invalid is dropped first.
    expect(firewall().filter(f.sim, NODE, PORT, echo(ME, PEER, ICMP.v4.echoReply), 'egress', FORWARD)).toBe(false);
    expect(f.facts).toEqual([{ kind: 'blocked', outcome: { kind: 'dropped', node: NODE, stage: 'sg.egress', reason: expect.stringMatching(/^a\/eth0: .*invalid/) } }]);
    expect(f.traced).toEqual([{ stage: 'sg.egress', action: 'drop', detail: { ct: 'invalid', reason: expect.stringMatching(/invalid/), default: 'drop' } }]);
  });
});

describe('--explain all: drops lifted on the forward path only', () => {
  it('a lifted drop of a new flow passes, traced drop-lifted, and is committed so its reply passes as established', () => {
    const f = fakeSim({ explainAll: true });
    const fw = firewall();
    const ssh = udp(PEER, ME, 40000, 22);
    expect(fw.filter(f.sim, NODE, PORT, ssh, 'ingress', FORWARD)).toBe(true);
    expect(f.traced[0]).toMatchObject({ stage: 'sg.ingress', action: 'drop-lifted' });
    expect(f.facts.map((x) => x.kind)).toEqual(['blocked']);
    expect(fw.conntrack.snapshot(0)).toMatchObject([{ openedBy: 'ingress' }]);
    expect(fw.filter(f.sim, NODE, PORT, udp(ME, PEER, 22, 40000), 'egress', REPLY)).toBe(true);
    expect(f.traced[1]).toMatchObject({ action: 'allow', detail: { ct: 'established' } });
  });

  it('a lifted drop under stateless groups commits nothing', () => {
    const f = fakeSim({ explainAll: true });
    const fw = firewall({ stateful: false });
    expect(fw.filter(f.sim, NODE, PORT, udp(PEER, ME, 40000, 22), 'ingress', FORWARD)).toBe(true);
    expect(fw.conntrack.snapshot(0)).toEqual([]);
  });

  it('a drop on the reply path is not lifted, and commits nothing', () => {
    const f = fakeSim({ explainAll: true });
    const fw = firewall();
    expect(fw.filter(f.sim, NODE, PORT, udp(PEER, ME, 40000, 22), 'ingress', REPLY)).toBe(false);
    expect(f.traced[0]).toMatchObject({ action: 'drop' });
    expect(fw.conntrack.snapshot(0)).toEqual([]);
  });

  it('an invalid packet is lifted on the forward path, not on the reply path', () => {
    for (const [meta, passes] of [[FORWARD, true], [REPLY, false]] as const) {
      const f = fakeSim({ explainAll: true });
      expect(firewall().filter(f.sim, NODE, PORT, echo(ME, PEER, ICMP.v4.echoReply), 'egress', meta)).toBe(passes);
      expect(f.traced[0]).toMatchObject({ action: passes ? 'drop-lifted' : 'drop', detail: { ct: 'invalid' } });
    }
  });
});
