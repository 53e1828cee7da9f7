/**
 * The shell around a plan: runs its steps on this machine (as root), starts the listeners, and
 * tears a realization down. Teardown finds everything by the prefix (`ip netns list`), kills
 * whatever runs inside each namespace and deletes it: idempotent, and it works after a crash.
 * A failing step tears down what was made and reports the step, its reason and the kernel's
 * words. Deleting a namespace takes its veths with it, and the fabric namespace its bridges.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AGENT, type Plan, type Step } from '../realize/plan.js';

export type RunResult = { ok: true; pids: number[] } | { ok: false; message: string };

/** dist/realize-agent.cjs: next to the running CLI bundle, or in ./dist. */
export function agentPath(): string | null {
  const candidates = [join(dirname(process.argv[1] ?? ''), 'realize-agent.cjs'), resolve('dist/realize-agent.cjs')];
  return candidates.find((p) => existsSync(p)) ?? null;
}

export function namespacesWithPrefix(prefix: string): string[] {
  const run = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (run.status !== 0) return [];
  return run.stdout.split('\n').map((l) => l.split(' ')[0]!).filter((n) => n.startsWith(`${prefix}-`));
}

/** Removes every namespace of the prefix and what runs inside; returns what it removed. */
export function teardown(prefix: string): string[] {
  const found = namespacesWithPrefix(prefix);
  for (const ns of found) {
    const pids = spawnSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).stdout.split('\n').filter((p) => /^\d+$/.test(p));
    for (const pid of pids) {
      try { process.kill(Number(pid), 'SIGKILL'); } catch { /* already gone */ }
    }
    waitGone(pids.map(Number));
    spawnSync('ip', ['netns', 'del', ns]);
  }
  return found;
}

/** Waits (up to 2 s) until the processes have exited: gone from /proc, or zombies. */
function waitGone(pids: readonly number[]): void {
  const running = (pid: number) => {
    try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; }
  };
  const until = Date.now() + 2000;
  while (pids.some(running) && Date.now() < until) spawnSync('sleep', ['0.02']);
}

const resolveArgv = (argv: readonly string[], agent: string): string[] =>
  argv.map((a) => (a === AGENT ? agent : a === 'node' ? process.execPath : a));

/** Runs the plan's steps in order; on failure removes what it made. */
export async function runPlan(plan: Plan, agent: string): Promise<RunResult> {
  if (namespacesWithPrefix(plan.prefix).length > 0) return { ok: false, message: `namespaces ${plan.prefix}-* exist already: run vnet realize --down (or pick another --prefix)` };
  const pids: number[] = [];
  for (const step of plan.up) {
    const failure = step.background ? await startBackground(step, agent, pids) : runStep(step, agent);
    if (failure !== null) {
      teardown(plan.prefix);
      return { ok: false, message: `${step.why}: \`${step.argv.join(' ')}\` failed: ${failure}` };
    }
  }
  return { ok: true, pids };
}

function runStep(step: Step, agent: string): string | null {
  const [cmd, ...args] = resolveArgv(step.argv, agent);
  const run = spawnSync(cmd!, args, { input: step.stdin ?? '', encoding: 'utf8' });
  if (run.error) return run.error.message;
  return run.status === 0 ? null : (run.stderr.trim() || `exit code ${run.status}`);
}

/** Starts a listener detached from us and waits for its `ready`. */
function startBackground(step: Step, agent: string, pids: number[]): Promise<string | null> {
  const [cmd, ...args] = resolveArgv(step.argv, agent);
  const child = spawn(cmd!, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((done) => {
    let err = '';
    let settled = false;
    const timer = setTimeout(() => finish('no "ready" from the listener within 10 s'), 10_000);
    const finish = (failure: string | null) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.stdout.removeAllListeners('data');
      child.stdout.destroy();
      child.stderr.destroy();
      child.unref();
      if (failure === null && child.pid !== undefined) pids.push(child.pid);
      done(failure);
    };
    child.stdout.on('data', (d: Buffer) => { if (d.toString().includes('ready')) finish(null); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('error', (e) => finish(e.message));
    child.on('exit', (code) => finish(err.trim() || `exited with code ${code}`));
  });
}
