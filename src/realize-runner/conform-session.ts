/**
 * The kernel's side of `vnet conform`: one controlled agent per namespace that sends probes or
 * holds drop counters, a probe runner that tells a drop (a drop counter moved during the probe)
 * from a loss (nothing came back and no counter moved), and the teardown. I/O: spawns agents
 * inside the realized namespaces.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { KernelProbe, ProbeResult } from './agent/prober.js';
import type { RealOutcome } from '../realize/differences.js';

type Counters = Record<string, number>;

class Agent {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting = new Map<number, (reply: Record<string, unknown>) => void>();
  private nextId = 1;
  readonly ready: Promise<void>;

  constructor(readonly namespace: string, agentPath: string) {
    this.child = spawn('ip', ['netns', 'exec', namespace, process.execPath, agentPath, 'serve'], { stdio: ['pipe', 'pipe', 'pipe'] });
    const lines = createInterface({ input: this.child.stdout });
    this.ready = new Promise((resolve, reject) => {
      this.child.on('error', reject);
      this.child.on('exit', (code) => reject(new Error(`agent in ${namespace} exited (${code})`)));
      lines.on('line', (line) => {
        if (line === 'ready') return resolve();
        const reply = JSON.parse(line) as { id: number } & Record<string, unknown>;
        this.waiting.get(reply.id)?.(reply);
        this.waiting.delete(reply.id);
      });
    });
  }

  request<T>(body: object): Promise<T> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, (r) => resolve(r as T));
      this.child.stdin.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill('SIGKILL');
  }
}

export class ConformSession {
  private readonly agents = new Map<string, Agent>();

  constructor(private readonly agentPath: string, private readonly counterNamespaces: readonly string[]) {}

  private agent(ns: string): Agent {
    let a = this.agents.get(ns);
    if (!a) {
      a = new Agent(ns, this.agentPath);
      this.agents.set(ns, a);
    }
    return a;
  }

  async start(senders: readonly string[]): Promise<void> {
    await Promise.all([...new Set([...senders, ...this.counterNamespaces])].map((ns) => this.agent(ns).ready));
  }

  private async counters(): Promise<Map<string, Counters>> {
    const all = await Promise.all(this.counterNamespaces.map(async (ns) => [ns, (await this.agent(ns).request<{ counters: Counters }>({ op: 'counters' })).counters] as const));
    return new Map(all);
  }

  async probe(from: string, req: KernelProbe): Promise<RealOutcome & { ms: number }> {
    const before = await this.counters();
    const r = await this.agent(from).request<ProbeResult>({ op: 'probe', ...req });
    const [seenSrc, seenDst] = r.seen?.split(' ') ?? [];
    const base = { seenSrc: seenSrc ?? null, seenDst: seenDst ?? null, dropAt: null, detail: r.detail, ms: r.ms };
    if (r.result !== 'timeout') return { ...base, verdict: r.result };
    const after = await this.counters();
    const moved: string[] = [];
    for (const [ns, now] of after) {
      for (const [name, packets] of Object.entries(now)) if (packets > (before.get(ns)?.[name] ?? 0)) moved.push(`${ns} ${name}`);
    }
    return moved.length > 0 ? { ...base, verdict: 'dropped', dropAt: moved.join(', ') } : { ...base, verdict: 'timeout', detail: 'no answer and no drop counter moved' };
  }

  close(): void {
    for (const a of this.agents.values()) a.close();
  }
}
