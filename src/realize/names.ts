/**
 * Kernel names for a realization. Every namespace is `PREFIX-…` and every interface in the
 * fabric namespace starts with PREFIX, so teardown finds exactly what one realization made.
 * Interface names have at most 15 characters (IFNAMSIZ - 1): a port keeps its own name when it
 * fits, otherwise it gets a short positional one; the plan records the map either way.
 */

export const MAX_IFNAME = 15;
const PREFIX_PATTERN = /^[a-z][a-z0-9]{1,5}$/;
const IFNAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** Null when the prefix is usable, else what is wrong with it. */
export function checkPrefix(prefix: string): string | null {
  if (PREFIX_PATTERN.test(prefix)) return null;
  return `prefix "${prefix}": expected 2-6 characters, a lowercase letter then lowercase letters or digits (it starts every namespace and fabric interface name)`;
}

/** A default prefix derived from the cloud's name: `vn` and four hex digits (FNV-1a). */
export function defaultPrefix(cloudName: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < cloudName.length; i++) h = Math.imul(h ^ cloudName.charCodeAt(i), 0x01000193) >>> 0;
  return `vn${(h & 0xffff).toString(16).padStart(4, '0')}`;
}

/** A namespace name that is a safe file name under /run/netns. */
export function namespaceName(prefix: string, kind: string, name?: string): string {
  return name === undefined ? `${prefix}-${kind}` : `${prefix}-${kind}-${name.replace(/[^A-Za-z0-9_.-]/g, '_')}`;
}

/** `wanted` when it is a valid interface name, else `fallback`. */
export function interfaceName(wanted: string, fallback: string): string {
  return wanted.length <= MAX_IFNAME && IFNAME_PATTERN.test(wanted) ? wanted : fallback;
}
