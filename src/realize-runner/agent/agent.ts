/**
 * The agent that `vnet realize` starts inside a namespace (dist/realize-agent.cjs):
 *   listen SERVICE...   serve the declared services until killed;
 *   serve SERVICE...    the same, and take JSON-line requests on stdin from `vnet conform`:
 *                       {id, op: "probe", proto, dst, port, timeoutMs} → {id, ...ProbeResult}
 *                       {id, op: "counters"} → {id, counters: {name: packets}} (nftables).
 * Prints `ready` once every listener is bound. Exits when stdin closes (serve mode).
 */
import { spawnSync } from 'node:child_process';
import { createInterface } from 'node:readline';
import { listen, parseService } from './listener.js';
import { runProbe, type KernelProbe } from './prober.js';

async function main(argv: string[]): Promise<void> {
  const [mode, ...services] = argv;
  if (mode !== 'listen' && mode !== 'serve') throw new Error('usage: realize-agent listen|serve SERVICE...');
  await listen(services.map(parseService));
  process.stdout.write('ready\n');
  if (mode === 'listen') return;
  const lines = createInterface({ input: process.stdin });
  let pending = 0;
  let closed = false;
  lines.on('line', (line) => {
    const req = JSON.parse(line) as { id: number; op: string } & KernelProbe;
    const reply = (body: object) => process.stdout.write(`${JSON.stringify({ id: req.id, ...body })}\n`);
    if (req.op === 'counters') {
      reply({ counters: readCounters() });
      return;
    }
    pending++;
    void runProbe(req).then((result) => {
      reply(result);
      if (--pending === 0 && closed) process.exit(0);
    });
  });
  lines.on('close', () => {
    closed = true;
    if (pending === 0) process.exit(0);
  });
}

/** Packets per named nftables counter in this namespace. */
function readCounters(): Record<string, number> {
  const run = spawnSync('nft', ['-j', 'list', 'counters'], { encoding: 'utf8' });
  const out: Record<string, number> = {};
  if (run.status !== 0) return out;
  const parsed = JSON.parse(run.stdout) as { nftables: { counter?: { table: string; name: string; packets: number } }[] };
  for (const item of parsed.nftables) if (item.counter) out[`${item.counter.table}/${item.counter.name}`] = item.counter.packets;
  return out;
}

main(process.argv.slice(2)).catch((e: unknown) => {
  process.stderr.write(`realize-agent: ${(e as Error).message}\n`);
  process.exit(1);
});
