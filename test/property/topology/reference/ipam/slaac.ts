/**
 * The address a host forms by stateless autoconfiguration (RFC 4862 §5.5.3): the subnet's /64
 * prefix followed by the modified EUI-64 interface id of its MAC (RFC 4291 §2.5.1, appendix A).
 * Neutron computes the same address for ports on slaac and dhcpv6-stateless subnets
 * (oslo netutils.get_ipv6_addr_by_EUI64), so the emulator knows it before any RA is sent.
 */
import { formatCidr, type Cidr } from '../address/cidr.js';
import type { Ip } from '../address/ip.js';
import { eui64InterfaceId, type Mac } from '../address/mac.js';

/**
 * Throws on a non-/64 or IPv4 CIDR: planSubnet refuses such subnets ('slaac-prefix'), so
 * reaching here with one is a programming error, not user input.
 */
export function slaacAddress(cidr: Cidr, mac: Mac): Ip {
  if (cidr.version !== 6 || cidr.prefix !== 64) {
    throw new RangeError(`SLAAC needs an IPv6 /64, got ${formatCidr(cidr)}`);
  }
  return { version: 6, value: cidr.network | eui64InterfaceId(mac) };
}
