/**
 * The built `vnet` command, run as users run it (node + the package's bin, through a pipe, so
 * stdout is not a TTY): exit codes, where output goes, the golden `show --json` of three-tier,
 * and error reports that are positioned, helpful and free of stack traces.
 * Update the golden after a reviewed change with UPDATE_GOLDEN=1 npx vitest run test/e2e.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { buildDist } from '../global-setup.js';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: { vnet: string } };
const BIN = pkg.bin.vnet;
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[`);
const STACK_FRAME = /^\s+at /m;

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function vnet(...args: string[]): Run {
  // Only TTY-ness may decide colour: clear NO_COLOR and claim a colour terminal.
  const env: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color' };
  delete env['NO_COLOR'];
  delete env['FORCE_COLOR'];
  const r = spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env, timeout: 20_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!inject('vnetBuilt')) buildDist();
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing after the build`);
});

describe('vnet show --json (golden)', () => {
  it('three-tier.yaml matches test/golden/three-tier/show.json', () => {
    const run = vnet('show', 'topologies/three-tier.yaml', '--json');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const golden = 'test/golden/three-tier/show.json';
    if (process.env['UPDATE_GOLDEN']) writeFileSync(golden, run.stdout);
    expect(run.stdout).toBe(readFileSync(golden, 'utf8'));
    expect(() => JSON.parse(run.stdout)).not.toThrow();
  });
});

describe('vnet validate', () => {
  it('a valid file: exit 0, one summary line on stdout, nothing on stderr', () => {
    const run = vnet('validate', 'topologies/three-tier.yaml');
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^topologies\/three-tier\.yaml: ok \(.*3 instances.*\)$/);
  });

  it('every bundled example validates in one call, one line each', () => {
    const files = ['topologies/minimal.yaml', 'topologies/three-tier.yaml', 'topologies/dual-stack.yaml', 'topologies/aws-vpc.yaml', 'topologies/multi-router.yaml'];
    const run = vnet('validate', ...files);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout.trimEnd().split('\n').map((l) => l.split(':')[0])).toEqual(files);
  });

  it('a misspelt subnet: exit 1, file:line:col, the path and the did-you-mean on stderr, no stack trace', () => {
    const file = 'test/fixtures/invalid/misspelt-subnet.yaml';
    const run = vnet('validate', file);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`${file}:11:19`);
    expect(run.stderr).toContain('instances.web-1.ports[0].subnet');
    expect(run.stderr).toContain('did you mean "web"');
    expect(run.stderr).not.toMatch(STACK_FRAME);
    expect(run.stderr).not.toMatch(ANSI);
  });

  it('three mistakes: all three reported, with a count', () => {
    const run = vnet('validate', 'test/fixtures/invalid/three-errors.yaml');
    expect(run.status).toBe(1);
    expect(run.stderr.split('\n').filter((l) => l.startsWith('error: '))).toHaveLength(3);
    expect(run.stderr).toContain('3 errors');
  });

  it('a missing file: exit 1 and a clear message, no stack trace', () => {
    const run = vnet('validate', 'topologies/no-such-file.yaml');
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('topologies/no-such-file.yaml cannot read the file: no such file');
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('a YAML syntax error: exit 1, positioned, no stack trace', () => {
    const run = vnet('validate', 'test/fixtures/invalid/yaml-syntax.yaml');
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/yaml-syntax\.yaml:7:1 /);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });

  it('usage errors exit 1 without a stack trace', () => {
    const run = vnet('frobnicate');
    expect(run.status).toBe(1);
    expect(run.stderr).not.toMatch(STACK_FRAME);
  });
});

describe('vnet show', () => {
  it('without a TTY prints plain tables: no ANSI escape codes', () => {
    const run = vnet('show', 'topologies/three-tier.yaml');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('web-1/eth0');
    expect(run.stdout).toContain('fa:16:3e:00:00:01');
    expect(run.stdout).not.toMatch(ANSI);
    expect(run.stderr).not.toMatch(ANSI);
  });

  it('on an invalid file: exit 1, errors on stderr, nothing on stdout', () => {
    const run = vnet('show', 'test/fixtures/invalid/misspelt-subnet.yaml', '--json');
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('did you mean "web"');
  });
});

describe('gen-large (npm run gen:large)', () => {
  it('writes a topology that validates, and refuses bad arguments', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vnet-gen-'));
    try {
      const out = join(dir, 'sub', 'large.yaml');
      const gen = spawnSync(process.execPath, ['dist/scripts/gen-large.js', '--instances', '250', '--out', out], { encoding: 'utf8' });
      expect(gen.stderr).toBe('');
      expect(gen.status).toBe(0);
      const run = vnet('validate', out);
      expect(run.stderr).toBe('');
      expect(run.stdout).toContain('250 instances');
      const bad = spawnSync(process.execPath, ['dist/scripts/gen-large.js', '--instances', 'many'], { encoding: 'utf8' });
      expect(bad.status).toBe(1);
      expect(bad.stderr).toContain('--instances needs a positive whole number');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
