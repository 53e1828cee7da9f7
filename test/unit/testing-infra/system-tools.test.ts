/**
 * The tests' own check for system tools (test/system-tools.ts): a machine with only Node skips
 * the tests that need chromium, tshark or namespaces and says what to install.
 */
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { REQUIREMENTS, whyMissing, type Requirement } from '../../system-tools.js';

const bin = mkdtempSync(join(tmpdir(), 'vnet-tools-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));
const fakeTool = (name: string) => {
  writeFileSync(join(bin, name), '#!/bin/sh\n');
  chmodSync(join(bin, name), 0o755);
};

describe('whyMissing', () => {
  it('on a machine with no tools and no root, every requirement names its commands, the Debian packages to install and what it enables', () => {
    const bare = { path: join(bin, 'nothing-here'), isRoot: false };
    expect(whyMissing('chromium', bare)).toBe('chromium (the viewer tests in headless Chromium): chromium not found; install: apt-get install chromium');
    expect(whyMissing('tshark', bare)).toContain('install: apt-get install tshark');
    expect(whyMissing('namespaces', bare)).toBe('namespaces (realize, conform and the kernel jhash check in network namespaces): ip, nft, ping not found; install: apt-get install iproute2 nftables iputils-ping; needs root');
  });

  it('finds an executable on any PATH entry, and then only what is still missing is named', () => {
    fakeTool('nft');
    fakeTool('chromium');
    writeFileSync(join(bin, 'ping'), 'not executable', { mode: 0o644 });
    const machine = { path: ['', join(bin, 'nothing-here'), bin].join(':'), isRoot: true };
    expect(whyMissing('chromium', machine)).toBeNull();
    expect(whyMissing('namespaces', machine)).toBe('namespaces (realize, conform and the kernel jhash check in network namespaces): ip, ping not found; install: apt-get install iproute2 iputils-ping');
    fakeTool('ip');
    fakeTool('ping');
    expect(whyMissing('namespaces', machine)).toBeNull();
    expect(whyMissing('namespaces', { ...machine, isRoot: false })).toMatch(/: needs root$/);
  });

  it('every requirement has at least one command with a package', () => {
    for (const req of Object.keys(REQUIREMENTS) as Requirement[]) {
      expect(REQUIREMENTS[req].commands.length).toBeGreaterThan(0);
      for (const [cmd, pkg] of REQUIREMENTS[req].commands) expect(cmd && pkg).toBeTruthy();
    }
  });
});
