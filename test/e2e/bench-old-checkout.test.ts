/**
 * The benches' older checkout named by a commit (bench/old-checkout.ts): exported once into the
 * build cache, with this checkout's packages linked but not their .cache, kept for the next run,
 * and a name that is neither a path nor a commit refused with the variable in the message.
 * (Building the export, `VNET_BENCH_OLD=<commit>`, takes a type-check: the benches exercise it.)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, realpathSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { oldBuild, oldCheckout } from '../../bench/old-checkout.js';

const VARIABLE = 'VNET_TEST_OLD_CHECKOUT';
const head = execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();

const exportOfHead = resolve('node_modules/.cache/vnet/bench-old', head);
/** An export this test made is removed (a new one per commit would pile up); one a bench made stays. */
const hadExport = existsSync(exportOfHead);

afterEach(() => {
  delete process.env[VARIABLE];
});

afterAll(() => {
  if (!hadExport) rmSync(exportOfHead, { recursive: true, force: true });
});

describe('an older checkout named by a commit', () => {
  it('is this repository at that commit, its packages linked and its build cache its own, and is kept', () => {
    process.env[VARIABLE] = head.slice(0, 10);
    const dir = oldCheckout(VARIABLE, 'src/engine/simulator.ts');
    expect(typeof dir).toBe('string');
    const root = dir as string;
    expect(root).toBe(exportOfHead);
    const committed = execFileSync('git', ['show', `${head}:package.json`], { encoding: 'utf8' });
    expect(readFileSync(join(root, 'package.json'), 'utf8')).toBe(committed);
    expect(lstatSync(join(root, 'node_modules/vitest')).isSymbolicLink()).toBe(true);
    expect(realpathSync(join(root, 'node_modules/vitest'))).toBe(realpathSync('node_modules/vitest'));
    expect(existsSync(join(root, 'node_modules/.cache'))).toBe(false);
    const exported = statSync(join(root, '.vnet-bench-exported')).mtimeMs;
    process.env[VARIABLE] = 'HEAD';
    expect(oldCheckout(VARIABLE, 'src/engine/simulator.ts')).toBe(root);
    expect(statSync(join(root, '.vnet-bench-exported')).mtimeMs).toBe(exported);
  });

  it('a folder is taken as it is; an unset variable skips with what to set', () => {
    process.env[VARIABLE] = '.';
    expect(oldCheckout(VARIABLE, 'src/engine/simulator.ts')).toBe(resolve('.'));
    delete process.env[VARIABLE];
    expect(oldCheckout(VARIABLE, 'src/engine/simulator.ts')).toEqual({ skipped: expect.stringContaining(`set ${VARIABLE} to an older commit`) as unknown });
    expect(oldBuild(VARIABLE)).toBeUndefined();
  });

  it('a name that is neither a path nor a commit, or a checkout without the file, is refused by name', () => {
    process.env[VARIABLE] = 'no-such-ref-or-folder';
    expect(() => oldCheckout(VARIABLE, 'src/engine/simulator.ts')).toThrow(`${VARIABLE}=no-such-ref-or-folder: neither a file here nor a commit of this repository`);
    expect(() => oldBuild(VARIABLE)).toThrow(`${VARIABLE}=no-such-ref-or-folder: neither a file here nor a commit of this repository`);
    process.env[VARIABLE] = 'docs';
    expect(() => oldCheckout(VARIABLE, 'src/engine/simulator.ts')).toThrow(`${VARIABLE}=docs: no src/engine/simulator.ts there (expected a vnet checkout)`);
  });
});
