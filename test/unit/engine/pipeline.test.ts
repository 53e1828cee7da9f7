/**
 * The stage table (src/engine/pipeline.ts) as the nodes and the outside see it: each table's
 * stage ids in order, the function each id runs, the port filter's two tables, and PIPELINE,
 * the per-kind listing that the server protocol (STAGES), the docs and the viewer read. Stage
 * ids are stable (trace events carry them), so they are pinned here one by one.
 */
import { describe, expect, it } from 'vitest';
import {
  HOST_IN_PIPELINE, LB_PIPELINE, PIPELINE, PORT_IN_PIPELINE, PORT_OUT_PIPELINE, PORT_TABLES, ROUTER_PIPELINE, ROUTER_RECEIVE_PIPELINE, SWITCH_PIPELINE,
} from '../../../src/engine/pipeline.js';
import { filterArrival, receiveForHost, sendStackReply } from '../../../src/engine/host-stages.js';
import { checkPortSecurity, filterEgress, filterIngress } from '../../../src/firewall/port-stages.js';
import { resolveArp, resolveNd } from '../../../src/l3/receive-stages.js';
import { acceptForVip, answerIcmp, countHealthAnswer, proxyToMember, returnToClient, selectForClient } from '../../../src/lb/lb-stages.js';
import {
  acceptForRouting, aclEnteringSubnet, aclLeavingSubnet, answerOwnAddress, decrementTtl, lookupRoute, selectVipMember, sendToNextHop, translateDestination, translateSource,
} from '../../../src/routing/router-stages.js';
import { answerArp, flood, forwardKnown, learnSource } from '../../../src/switching/switch-stages.js';
import type { Pipeline } from '../../../src/util/stages.js';

/** A table as [id, function] pairs. */
const rows = <C>(p: Pipeline<C>) => p.map((s) => [s.id, s.run] as const);

describe('the tables: ids in order, each with the function that runs it', () => {
  it('a router\'s receive side: arp, nd, router.receive', () => {
    expect(rows(ROUTER_RECEIVE_PIPELINE)).toEqual([['arp', resolveArp], ['nd', resolveNd], ['router.receive', acceptForRouting]]);
  });

  it('a router: lb.select before nat.dnat, the ACL leaving then entering, SNAT after routing', () => {
    expect(rows(ROUTER_PIPELINE)).toEqual([
      ['lb.select', selectVipMember], ['nat.dnat', translateDestination], ['host.receive', answerOwnAddress], ['acl', aclLeavingSubnet],
      ['router.route', lookupRoute], ['router.ttl', decrementTtl], ['acl', aclEnteringSubnet], ['nat.snat', translateSource], ['router.forward', sendToNextHop],
    ]);
  });

  it('a switch: learn, arp_responder, known unicast, flood', () => {
    expect(rows(SWITCH_PIPELINE)).toEqual([['switch.learn', learnSource], ['arp', answerArp], ['switch.forward', forwardKnown], ['switch.flood', flood]]);
  });

  it('a port\'s filter: anti-spoofing then the groups going out, the groups coming in; PORT_TABLES holds the two', () => {
    expect(rows(PORT_OUT_PIPELINE)).toEqual([['port.security', checkPortSecurity], ['sg.egress', filterEgress]]);
    expect(rows(PORT_IN_PIPELINE)).toEqual([['sg.ingress', filterIngress]]);
    expect(PORT_TABLES.out).toBe(PORT_OUT_PIPELINE);
    expect(PORT_TABLES.in).toBe(PORT_IN_PIPELINE);
  });

  it('a host receiving: its port\'s filter, arp, nd, the stack, the stack\'s reply', () => {
    expect(rows(HOST_IN_PIPELINE)).toEqual([['sg.ingress', filterArrival], ['arp', resolveArp], ['nd', resolveNd], ['host.receive', receiveForHost], ['host.reply', sendStackReply]]);
  });

  it('a load balancer\'s node: health answers counted before clients are served', () => {
    expect(rows(LB_PIPELINE)).toEqual([
      ['arp', resolveArp], ['nd', resolveNd], ['host.receive', acceptForVip], ['lb.health', countHealthAnswer],
      ['host.receive', answerIcmp], ['nat.dnat', returnToClient], ['lb.select', selectForClient], ['nat.dnat', proxyToMember],
    ]);
  });
});

describe('PIPELINE: every node kind\'s stages by id', () => {
  it('lists each kind\'s stages in order, read from the tables (the sending host as host.ts runs it)', () => {
    expect(PIPELINE).toEqual({
      'host.out': ['host.send', 'host.route', 'arp', 'nd', 'port.security', 'sg.egress'],
      switch: ['switch.learn', 'arp', 'switch.forward', 'switch.flood'],
      router: ['arp', 'nd', 'router.receive', 'lb.select', 'nat.dnat', 'host.receive', 'acl', 'router.route', 'router.ttl', 'acl', 'nat.snat', 'router.forward', 'arp', 'nd', 'host.reply'],
      'load-balancer': ['arp', 'nd', 'host.receive', 'lb.health', 'host.receive', 'nat.dnat', 'lb.select', 'nat.dnat'],
      'host.in': ['sg.ingress', 'arp', 'nd', 'host.receive', 'host.reply'],
    });
  });
});
