/**
 * The built CLI's code cache (src/cli/bundle-loader.ts): the build leaves, beside the bundles
 * the short commands load, the code V8 compiled for them; a command uses it only while it is
 * newer than its bundle (V8 itself checks only the source's length, so a same-length edit would
 * otherwise run the old code), and a damaged cache costs a compile, never a failure.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildDist } from '../global-setup.js';

const TOPOLOGY = resolve('topologies/three-tier.yaml');
const WRAP = (source: string): string => `(function (exports, require, module, __filename, __dirname) { ${source}\n})`;
let dir: string;

function validate(env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(dir, 'vnet.cjs'), 'validate', TOPOLOGY], { encoding: 'utf8', env: { ...process.env, ...env }, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Sets a file's modification time `seconds` from now. */
function age(file: string, seconds: number): void {
  const t = new Date(Date.now() + seconds * 1000);
  utimesSync(file, t, t);
}

beforeAll(() => {
  if (!inject('vnetBuilt')) buildDist();
  dir = mkdtempSync(join(tmpdir(), 'vnet-code-cache-'));
  mkdirSync(join(dir, 'cli'));
  copyFileSync('dist/vnet.cjs', join(dir, 'vnet.cjs'));
  copyFileSync('dist/cli/main.cjs', join(dir, 'cli/main.cjs'));
  copyFileSync('dist/cli/load.cjs', join(dir, 'cli/load.cjs'));
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the code cache of the built CLI', () => {
  it('the build leaves an accepted cache, newer than its bundle, for the command table, the loader and the simulator bundles', () => {
    for (const name of ['main', 'load', 'sim']) {
      const bundle = `dist/cli/${name}.cjs`;
      expect(existsSync(`${bundle}.cache`), `${bundle}.cache`).toBe(true);
      expect(statSync(`${bundle}.cache`).mtimeMs).toBeGreaterThanOrEqual(statSync(bundle).mtimeMs);
      const script = new Script(WRAP(readFileSync(bundle, 'utf8')), { filename: resolve(bundle), cachedData: readFileSync(`${bundle}.cache`) });
      expect(script.cachedDataRejected, `${bundle}.cache rejected by this Node`).toBe(false);
    }
  });

  it('a command gives the same answer without a cache, while writing one, and with it', () => {
    const plain = validate();
    expect(plain).toMatchObject({ status: 0, stderr: '' });
    expect(plain.stdout).toMatch(/three-tier\.yaml: ok \(/);
    expect(validate({ VNET_WRITE_CODE_CACHE: '1' })).toEqual(plain);
    expect(statSync(join(dir, 'cli/load.cjs.cache')).size).toBeGreaterThan(10_000);
    expect(statSync(join(dir, 'cli/main.cjs.cache')).size).toBeGreaterThan(10_000);
    expect(validate()).toEqual(plain);
  });

  it('a bundle edited after its cache was written runs as edited, even at the same length', () => {
    validate({ VNET_WRITE_CODE_CACHE: '1' });
    const bundle = join(dir, 'cli/load.cjs');
    const source = readFileSync(bundle, 'utf8');
    expect(source).toContain('"security group"');
    writeFileSync(bundle, source.replace('"security group"', '"security grouP"'));
    age(join(dir, 'cli/load.cjs.cache'), -60);
    const r = validate();
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('3 security grouPs');
    writeFileSync(bundle, source);
  });

  it('a damaged cache newer than its bundle costs a compile, not a failure', () => {
    const cache = join(dir, 'cli/load.cjs.cache');
    writeFileSync(cache, Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 131 + 7) & 0xff)));
    age(cache, 60);
    const r = validate();
    expect(r).toMatchObject({ status: 0, stderr: '' });
    expect(r.stdout).toMatch(/three-tier\.yaml: ok \(1 network/);
  });
});
