/**
 * Whole-process timings for the start-up and large-cloud benchmarks: spawn `node` on a command
 * line, wall time from spawn to exit, and the child's peak resident memory and CPU time, which a
 * preloaded hook (written to a temporary directory) reads from its own resource usage as it exits.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Run {
  readonly ms: number;
  /** Peak resident set of the child, MB. */
  readonly rssMb: number;
  /** CPU time of the child (user + system), ms: what a busy machine's waits do not inflate. */
  readonly cpuMs: number;
}

/** A command line for `node`: the arguments after node itself. */
export type NodeArgs = readonly string[];

export class Spawner {
  private readonly dir = mkdtempSync(join(tmpdir(), 'vnet-bench-'));
  private readonly hook = join(this.dir, 'peak-rss.cjs');
  private readonly out = join(this.dir, 'peak-rss.txt');

  constructor() {
    // maxRSS is in KiB on Linux and macOS. Written synchronously as the process exits.
    writeFileSync(this.hook, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(this.out)}, (({ maxRSS, userCPUTime, systemCPUTime }) => maxRSS + ' ' + (userCPUTime + systemCPUTime))(process.resourceUsage())));\n`);
  }

  /** Runs node with args; throws with its stderr when it exits with another status than expected. */
  run(args: NodeArgs, expectStatus = 0, withRss = true): Run {
    rmSync(this.out, { force: true });
    const argv = withRss ? ['--require', this.hook, ...args] : [...args];
    const t0 = process.hrtime.bigint();
    const r = spawnSync(process.execPath, argv, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== expectStatus) throw new Error(`node ${args.join(' ')}: exit ${r.status ?? r.signal}, expected ${expectStatus}\n${r.stderr.slice(0, 2000)}`);
    const [rss, cpu] = withRss ? readFileSync(this.out, 'utf8').split(' ').map(Number) : [0, 0];
    return { ms, rssMb: Math.round(rss! / 1024), cpuMs: Math.round(cpu! / 1000) };
  }

  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
