import { describe, expect, it } from 'vitest';
import { formatIp } from '../../../src/address/ip.js';
import { parseMac } from '../../../src/address/mac.js';
import { slaacAddress } from '../../../src/ipam/slaac.js';
import { cidr } from './helpers.js';

const mac = (text: string): number => {
  const m = parseMac(text);
  if (m === undefined) throw new Error(text);
  return m;
};

describe('slaacAddress (RFC 4862 §5.5.3, modified EUI-64 of RFC 4291 appendix A)', () => {
  it('inserts ff:fe and flips the universal/local bit', () => {
    expect(formatIp(slaacAddress(cidr('2001:db8::/64'), mac('fa:16:3e:00:00:01')))).toBe('2001:db8::f816:3eff:fe00:1');
    expect(formatIp(slaacAddress(cidr('2001:db8:1:2::/64'), mac('00:1b:21:3c:4d:5e')))).toBe('2001:db8:1:2:21b:21ff:fe3c:4d5e');
  });

  it('refuses anything but an IPv6 /64', () => {
    expect(() => slaacAddress(cidr('2001:db8::/80'), mac('fa:16:3e:00:00:01'))).toThrow(RangeError);
    expect(() => slaacAddress(cidr('10.0.0.0/24'), mac('fa:16:3e:00:00:01'))).toThrow(RangeError);
  });
});
