/**
 * `vnet realize FILE --script | --up | --down [--prefix P]`: the cloud in Linux network
 * namespaces on this machine. --script prints the shell commands for review; --up runs them
 * (root needed); --down removes every namespace of the prefix and what runs inside.
 * Nothing is ever added to the root namespace (see src/realize/build-plan.ts).
 */
import { planRealization } from '../realize/build-plan.js';
import { agentPath, runPlan, teardown } from '../realize-runner/run-plan.js';
import { renderScript } from '../realize/script.js';
import type { Io } from './io.js';
import { failWith, realizeTarget } from './realize-target.js';

export interface RealizeOptions {
  readonly up?: boolean;
  readonly down?: boolean;
  readonly script?: boolean;
  readonly prefix?: string;
}

export async function runRealize(file: string, opts: RealizeOptions, io: Io): Promise<number> {
  const fail = failWith(io);
  const modes = [opts.up, opts.down, opts.script].filter(Boolean).length;
  if (modes !== 1) return fail('give exactly one of --script (print the commands), --up (build) or --down (remove)');
  const target = realizeTarget(file, opts.prefix, io);
  if (!target.ok) return target.code;
  const { cloud, prefix } = target;
  const plan = planRealization(cloud, prefix);
  if (opts.script) {
    io.out(renderScript(plan));
    return 0;
  }
  if (process.getuid?.() !== 0) return fail('realizing a cloud creates network namespaces: run as root (or use --script to review the commands)');
  if (opts.down) {
    const removed = teardown(prefix);
    io.out(removed.length === 0 ? `nothing to remove: no namespace ${prefix}-*` : `removed ${removed.length} namespaces ${prefix}-* and what ran inside`);
    return 0;
  }
  const agent = agentPath();
  if (agent === null) return fail('dist/realize-agent.cjs not found: run npm run build');
  const started = performance.now();
  const result = await runPlan(plan, agent);
  if (!result.ok) return fail(result.message);
  io.out(`realized ${cloud.name}: ${plan.namespaces.length} namespaces ${prefix}-*, ${plan.up.length} steps, ${result.pids.length} listeners, in ${Math.round(performance.now() - started)} ms`);
  for (const ns of plan.namespaces) io.out(`  ${ns.name.padEnd(24)} ${ns.role}`);
  for (const note of plan.notes) io.out(`  note: ${note}`);
  io.out(`remove with: vnet realize ${file} --down${opts.prefix ? ` --prefix ${prefix}` : ''}`);
  return 0;
}
