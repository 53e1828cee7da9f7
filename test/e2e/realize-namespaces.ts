// Helpers for the tests that build real namespaces: whether this machine can (root, iproute2,
// nftables), and a prefix no other run uses (vitest runs test files in parallel).
import { spawnSync } from 'node:child_process';

/** Null when namespaces can be made here, else why not (the tests skip with that message). */
export function namespaceSupport(): string | null {
  const probe = `vnck${(process.pid % 100).toString(36)}-probe`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.error) return `cannot run ip: ${add.error.message}`;
  if (add.status !== 0) return `cannot create a network namespace: ${add.stderr.trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  const nft = spawnSync('nft', ['--version'], { encoding: 'utf8' });
  if (nft.error) return 'nft (nftables) is not installed';
  return null;
}

/** A prefix of this process and this use: `vn` + letter + pid in base 36 (≤ 6 characters). */
export const uniquePrefix = (letter: string): string => `vn${letter}${(process.pid % 46656).toString(36)}`;

export const namespacesOf = (prefix: string): string[] =>
  spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(`${prefix}-`));
