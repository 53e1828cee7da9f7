// Helpers for the tests that build real namespaces (whether this machine can: test/system-tools.ts):
// a prefix no other run uses (vitest runs test files in parallel), and the namespaces of one.
import { spawnSync } from 'node:child_process';

/** A prefix of this process and this use: `vn` + letter + pid in base 36 (≤ 6 characters). */
export const uniquePrefix = (letter: string): string => `vn${letter}${(process.pid % 46656).toString(36)}`;

export const namespacesOf = (prefix: string): string[] =>
  spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(`${prefix}-`));
