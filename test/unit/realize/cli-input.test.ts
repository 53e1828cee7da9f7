// `vnet realize` and `vnet conform` refuse bad input before anything is created: the topology's
// errors with their place, a bad --prefix named with what is expected. Neither needs root.
import { describe, expect, it } from 'vitest';
import { runConform } from '../../../src/cli/conform.js';
import { memoryIo } from '../../../src/cli/io.js';
import { runRealize } from '../../../src/cli/realize.js';

const INVALID = 'test/fixtures/invalid/cidr-prefix-too-long.yaml';

describe('realize and conform: bad input', () => {
  it('an invalid topology gives its positioned errors and exit 1', async () => {
    const a = memoryIo();
    const b = memoryIo();
    expect(await runRealize(INVALID, { script: true }, a)).toBe(1);
    expect(await runConform(INVALID, {}, b)).toBe(1);
    for (const io of [a, b]) expect(io.stderr.join('\n')).toMatch(/cidr-prefix-too-long\.yaml:\d+:\d+ /);
  });

  it('a bad --prefix is named with what is expected', async () => {
    const a = memoryIo();
    const b = memoryIo();
    expect(await runRealize('topologies/three-tier.yaml', { script: true, prefix: 'Bad-Prefix' }, a)).toBe(1);
    expect(await runConform('topologies/three-tier.yaml', { prefix: '9x' }, b)).toBe(1);
    expect(a.stderr.join('\n')).toMatch(/--prefix prefix "Bad-Prefix": expected 2-6 characters/);
    expect(b.stderr.join('\n')).toMatch(/--prefix prefix "9x": expected 2-6 characters/);
    expect(a.stdout).toEqual([]);
  });
});
