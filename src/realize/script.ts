/**
 * A plan as a reviewable shell script: `set -eu`, a teardown function that removes every
 * namespace carrying the prefix (killing what runs inside first), a trap that runs it when a
 * command fails or the script is interrupted, then the steps, each under its reason.
 * Rulesets are here-documents; listeners run in the background.
 */
import type { Plan, Step } from './plan.js';

const SAFE = /^[A-Za-z0-9_./:=,@%+-]+$/;
const quote = (arg: string): string => (arg === '$AGENT' ? '"$AGENT"' : SAFE.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`);

/** The teardown, as a shell function body: idempotent, works after a crash (finds by prefix). */
export function teardownShell(prefix: string): string[] {
  return [
    'vnet_down() {',
    `  for ns in $(ip netns list | awk '{print $1}' | grep '^${prefix}-'); do`,
    '    pids=$(ip netns pids "$ns")',
    '    if [ -n "$pids" ]; then kill -KILL $pids 2>/dev/null || true; fi',
    '    ip netns del "$ns" 2>/dev/null || true',
    '  done',
    '}',
  ];
}

export function renderScript(plan: Plan, mode: 'up' | 'down' = 'up'): string {
  const lines = [
    '#!/bin/sh',
    `# vnet realize: ${mode === 'up' ? 'build' : 'remove'} the cloud in network namespaces ${plan.prefix}-* (run as root).`,
    '# Nothing is added to the root namespace: bridges and bridge-side veths live in the fabric namespace.',
    'set -eu',
    ': "${AGENT:=dist/realize-agent.cjs}"',
    ...teardownShell(plan.prefix),
  ];
  if (mode === 'down') return [...lines, 'vnet_down', ''].join('\n');
  lines.push(
    `if ip netns list | grep -q '^${plan.prefix}-'; then echo "namespaces ${plan.prefix}-* exist: run vnet realize --down first" >&2; exit 1; fi`,
    'trap \'echo "vnet realize: failed, tearing down" >&2; vnet_down\' EXIT',
    'trap \'exit 1\' INT TERM',
  );
  for (const note of plan.notes) lines.push(`# note: ${note}`);
  for (const step of plan.up) lines.push('', ...renderStep(step));
  lines.push('', 'trap - EXIT INT TERM', `echo "realized: ${plan.namespaces.length} namespaces ${plan.prefix}-*"`, '');
  return lines.join('\n');
}

function renderStep(step: Step): string[] {
  const cmd = step.argv.map(quote).join(' ');
  const out = [`# ${step.why}`];
  if (step.stdin !== undefined) out.push(`${cmd} <<'NFT'`, step.stdin.replace(/\n$/, ''), 'NFT');
  else if (step.background) out.push(`${cmd} >/dev/null 2>&1 &`);
  else out.push(cmd);
  return out;
}
