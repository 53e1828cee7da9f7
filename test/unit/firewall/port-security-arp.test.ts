/**
 * Port security on ARP (src/firewall/port-security.ts's spoofingReason): the sender MAC inside
 * the ARP payload must be the frame's source MAC, whatever the addresses say; with both the
 * port's, an ARP from its own address passes and one from another address is spoofing. From
 * npm run mutate's survivors.
 */
import { describe, expect, it } from 'vitest';
import { spoofingReason, type PortIdentity } from '../../../src/firewall/port-security.js';
import type { Frame } from '../../../src/packet/frame.js';

const PORT_MAC = 0xfa163e000001;
const OTHER_MAC = 0xfa163e0000ff;
const OWN = 0x0a000005;
const id: PortIdentity = { mac: PORT_MAC, addresses: new Set([OWN]), pairs: [] };

const arp = (src: number, senderMac: number, senderIp: number): Frame => ({
  src, dst: 0xffffffffffff, payload: { kind: 'arp', op: 'request', senderMac, senderIp, targetMac: 0, targetIp: 0x0a000001 },
});

describe('ARP leaving a port', () => {
  it('the port\'s MAC twice and its own address: passes', () => {
    expect(spoofingReason(id, arp(PORT_MAC, PORT_MAC, OWN))).toBeUndefined();
  });

  it('a sender MAC in the payload that is not the frame\'s source: refused, naming both, even from the port\'s own address', () => {
    expect(spoofingReason(id, arp(PORT_MAC, OTHER_MAC, OWN))).toBe('ARP sender MAC fa:16:3e:00:00:ff differs from the frame\'s source fa:16:3e:00:00:01');
  });

  it('the port\'s MAC twice but another sender address: refused as a spoofed address', () => {
    expect(spoofingReason(id, arp(PORT_MAC, PORT_MAC, 0x0a000063))).toBe('source address 10.0.0.99 is not one of the port\'s addresses or allowed address pairs');
  });
});
