/**
 * Stable identifiers: a UUID (version 5 layout, SHA-1) from the cloud's seed, the kind of
 * resource and its key, so the same topology file always shows the same IDs to clients, and a
 * Keystone-style 32-hex ID for users and projects.
 */
import { createHash } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha1').update(text).digest();
}

export function stableId(seed: number, kind: string, key: string): string {
  const h = digest(`vnet:${seed}:${kind}:${key}`);
  h[6] = (h[6]! & 0x0f) | 0x50;
  h[8] = (h[8]! & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}

export function keystoneId(kind: string, name: string): string {
  return digest(`vnet:keystone:${kind}:${name}`).subarray(0, 16).toString('hex');
}
