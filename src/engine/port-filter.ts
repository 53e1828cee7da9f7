/**
 * The point where a port's filters (port security, security groups) sit between a host and
 * its switch, as Neutron's per-port firewall does. The instance's host asks the filter on every
 * frame leaving (egress: HostNode.output) or entering (ingress: HOST_IN_PIPELINE's sg.ingress)
 * its port; the filter traces its own decision and reports drops. With no filter installed,
 * frames pass untouched.
 */
import type { Frame } from '../packet/frame.js';
import type { FrameMeta, Sim } from './node-contract.js';

export interface PortFilter {
  /** False when the frame is dropped (the filter has traced and reported why). */
  egress(sim: Sim, node: string, port: string, frame: Frame, meta: FrameMeta): boolean;
  ingress(sim: Sim, node: string, port: string, frame: Frame, meta: FrameMeta): boolean;
}
