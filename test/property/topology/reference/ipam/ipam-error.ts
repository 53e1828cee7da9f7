/**
 * The error value every IPAM function returns instead of throwing: a stable machine code, a
 * human message that names the addresses involved, and where in the subnet definition it comes
 * from. Errors are data: callers collect them all and add the subnet's
 * name and file position; tests assert `code`, `field` and `index`, not wording.
 */

export type IpamField = 'gateway' | 'pools' | 'cidr' | 'ipv6_address_mode';

export interface IpamError {
  /** e.g. 'gateway-outside', 'pool-overlap', 'exhausted', 'taken', 'mac-taken'. */
  readonly code: string;
  readonly message: string;
  readonly field?: IpamField;
  /** Index of the offending allocation pool, as the user wrote the list. */
  readonly index?: number;
}

export function ipamError(code: string, message: string, field?: IpamField, index?: number): IpamError {
  const error: { code: string; message: string; field?: IpamField; index?: number } = { code, message };
  if (field !== undefined) error.field = field;
  if (index !== undefined) error.index = index;
  return error;
}
