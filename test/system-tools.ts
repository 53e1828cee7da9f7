/**
 * The system tools some tests need beyond Node (Debian's chromium, Wireshark's tshark, root with
 * iproute2, nftables and ping for network namespaces). On a machine without one, the tests that
 * need it skip, and their name and the run's first lines say what to install; under CI
 * (`CI=true`) a missing tool fails those tests instead, so CI always runs everything.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, it } from 'vitest';

export type Requirement = 'chromium' | 'tshark' | 'namespaces' | 'openstack' | 'tempest';

interface Needs {
  /** Commands that must be on PATH, each with the Debian package that brings it. */
  readonly commands: readonly (readonly [command: string, pkg: string])[];
  readonly root: boolean;
  /** What the tests do with it, for the skip line. */
  readonly enables: string;
}

export const REQUIREMENTS: Readonly<Record<Requirement, Needs>> = {
  chromium: { commands: [['chromium', 'chromium']], root: false, enables: 'the viewer tests in headless Chromium' },
  tshark: { commands: [['tshark', 'tshark']], root: false, enables: 'reading pcap captures back with Wireshark' },
  namespaces: {
    commands: [['ip', 'iproute2'], ['nft', 'nftables'], ['ping', 'iputils-ping']],
    root: true,
    enables: 'realize, conform and the kernel jhash check in network namespaces',
  },
  openstack: { commands: [['openstack', 'python3-openstackclient']], root: false, enables: 'driving vnet api with the real openstack CLI' },
  tempest: { commands: [['tempest', 'python3-tempest']], root: false, enables: "tempest's network API tests against vnet api" },
};

export interface Machine {
  readonly path: string;
  readonly isRoot: boolean;
}

const thisMachine = (): Machine => ({ path: process.env['PATH'] ?? '', isRoot: process.getuid?.() === 0 });

function onPath(command: string, path: string): boolean {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** Null when the machine has what the requirement needs, else one line: what is missing and what to install. */
export function whyMissing(req: Requirement, machine: Machine = thisMachine()): string | null {
  const needs = REQUIREMENTS[req];
  const absent = needs.commands.filter(([cmd]) => !onPath(cmd, machine.path));
  const problems: string[] = [];
  if (absent.length) problems.push(`${absent.map(([c]) => c).join(', ')} not found; install: apt-get install ${absent.map(([, p]) => p).join(' ')}`);
  if (needs.root && !machine.isRoot) problems.push('needs root');
  return problems.length ? `${req} (${needs.enables}): ${problems.join('; ')}` : null;
}

/** Whether network namespaces can really be made here (root is not always enough, e.g. in some containers). */
function namespacesWork(): string | null {
  const probe = `vnck${(process.pid % 100).toString(36)}-probe`;
  const add = spawnSync('ip', ['netns', 'add', probe], { encoding: 'utf8' });
  if (add.status !== 0) return `namespaces: cannot create a network namespace: ${(add.stderr || add.error?.message || '').trim()}`;
  spawnSync('ip', ['netns', 'del', probe]);
  return null;
}

const cache = new Map<Requirement, string | null>();

/** whyMissing for this machine, once per process; for namespaces, also tries to make one. */
export function missingHere(req: Requirement): string | null {
  if (!cache.has(req)) {
    const why = whyMissing(req);
    cache.set(req, why ?? (req === 'namespaces' ? namespacesWork() : null));
  }
  return cache.get(req)!;
}

export const underCi = (): boolean => process.env['CI'] === 'true';

/**
 * A describe block that needs a system tool: as usual when the machine has it; otherwise skipped
 * with the reason in its name, or, under CI, one failing test that says what is missing.
 */
export function describeNeeding(req: Requirement, name: string, body: () => void): void {
  const why = missingHere(req);
  if (why !== null && underCi()) {
    describe(name, () => {
      it(`needs ${req}`, () => {
        throw new Error(`${why} — CI runs every test, so a missing tool fails here (.ci/run installs it)`);
      });
    });
    return;
  }
  describe.skipIf(why !== null)(why === null ? name : `${name} — skipped: ${why}`, body);
}
