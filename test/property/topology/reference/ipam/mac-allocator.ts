/**
 * Port MAC addresses under Neutron's default base_mac fa:16:3e:00:00:00. Neutron picks the low
 * three octets at random; vnet hands them out in order (fa:16:3e:00:00:01, :02, ...) so that a
 * topology file always yields the same MACs. Invariant: a MAC has at most one owner; the free
 * generated MACs are an interval set, so skipping explicit MACs costs no scan.
 */
import { formatMac, isMulticastMac, type Mac } from '../../../../../src/address/mac.js';
import { IntervalSet } from '../../../../../src/ipam/interval-set.js';
import { ipamError, type IpamError } from '../../../../../src/ipam/ipam-error.js';

export type MacResult = { ok: true; mac: Mac } | { ok: false; error: IpamError };

/** Neutron's base_mac (neutron/conf/common.py); OpenStack's registered OUI. */
export const NEUTRON_BASE_MAC: Mac = 0xfa163e000000;
const LOW_BITS = 0xffffff;
const BROADCAST: Mac = 0xffffffffffff;

export class MacAllocator {
  // The generated range starts at :01, keeping fa:16:3e:00:00:00 (all-zero NIC part) unused.
  private readonly free = IntervalSet.of([{ lo: BigInt(NEUTRON_BASE_MAC + 1), hi: BigInt(NEUTRON_BASE_MAC + LOW_BITS) }]);
  private readonly owners = new Map<Mac, string>();

  /** The lowest fa:16:3e MAC not yet taken (generated or claimed). */
  allocate(owner: string): MacResult {
    const next = this.free.first();
    if (next === undefined) {
      return { ok: false, error: ipamError('mac-exhausted', `all ${LOW_BITS} MACs under fa:16:3e are in use`) };
    }
    this.free.remove(next, next);
    const mac = Number(next);
    this.owners.set(mac, owner);
    return { ok: true, mac };
  }

  /**
   * An explicit MAC. Refused when already used (the caller scopes the allocator, one per network,
   * as Neutron's MacAddressInUse is per network) or when it is not a unicast address: a port
   * cannot send from a group address.
   */
  claim(mac: Mac, owner: string): MacResult {
    if (!Number.isInteger(mac) || mac < 0 || mac > BROADCAST || mac === 0 || isMulticastMac(mac)) {
      const shown = Number.isInteger(mac) && mac >= 0 && mac <= BROADCAST ? formatMac(mac) : String(mac);
      return { ok: false, error: ipamError('mac-invalid', `${shown} is not a unicast MAC address`) };
    }
    const current = this.owners.get(mac);
    if (current !== undefined) {
      return { ok: false, error: ipamError('mac-taken', `MAC ${formatMac(mac)} is already used by ${current}`) };
    }
    this.owners.set(mac, owner);
    this.free.remove(BigInt(mac), BigInt(mac));
    return { ok: true, mac };
  }

  /**
   * Keeps the generator away from `mac` without recording an owner: for callers that check
   * explicit MACs per network themselves while generated ones stay unique cloud-wide. Idempotent.
   */
  reserve(mac: Mac): void {
    if (mac > NEUTRON_BASE_MAC && mac <= NEUTRON_BASE_MAC + LOW_BITS) this.free.remove(BigInt(mac), BigInt(mac));
  }

  release(mac: Mac): boolean {
    if (!this.owners.delete(mac)) return false;
    if (mac > NEUTRON_BASE_MAC && mac <= NEUTRON_BASE_MAC + LOW_BITS) this.free.add(BigInt(mac), BigInt(mac));
    return true;
  }

  ownerOf(mac: Mac): string | undefined {
    return this.owners.get(mac);
  }

  used(): number {
    return this.owners.size;
  }
}
