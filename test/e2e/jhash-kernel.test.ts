/**
 * vnet's jhash against the running kernel's: nftables marks each UDP flow with
 * `jhash ip saddr mod 1000 seed …` (and the address-and-port form) in a namespace of its own,
 * and every mark must equal vnet's bucket for that flow. The source-hash load balancers rest
 * on this: `vnet realize` writes the same expression and must pick the members vnet picks.
 * Skips with the reason when this machine cannot create namespaces.
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { parseIp } from '../../src/address/ip.js';
import { nftJhashBucket, VNET_JHASH_SEED } from '../../src/lb/jhash.js';
import { toIpValue } from '../../src/packet/ip-value.js';
import { describeNeeding } from '../system-tools.js';
import { uniquePrefix } from './realize-namespaces.js';

const SOURCES = 24;
const MOD = 997;

function run(cmd: string, args: string[], input?: string): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

describeNeeding('namespaces', 'jhash in the kernel', () => {
  it(`marks ${4 * SOURCES} flows (IPv4 and IPv6, address and address-and-port) as vnet hashes them`, () => {
    const ns = `${uniquePrefix('j')}-jhash`;
    run('ip', ['netns', 'add', ns]);
    try {
      const ip = (...a: string[]) => run('ip', ['-n', ns, ...a]);
      ip('link', 'set', 'lo', 'up');
      ip('link', 'add', 'h0', 'type', 'veth', 'peer', 'name', 'h1');
      ip('link', 'set', 'h0', 'up');
      ip('link', 'set', 'h1', 'up');
      // Sources spread over the address space, not just one /24.
      const sources = Array.from({ length: SOURCES }, (_, i) => `10.${(i * 37) % 256}.${(i * 101) % 256}.${1 + ((i * 53) % 250)}`);
      for (const s of sources) ip('addr', 'add', `${s}/32`, 'dev', 'h0');
      ip('route', 'add', '192.0.2.0/24', 'dev', 'h0');
      const sources6 = sources.map((_, i) => `fd00:${((i * 7919) % 65536).toString(16)}::${(i * 31 + 1).toString(16)}`);
      for (const s of sources6) ip('-6', 'addr', 'add', `${s}/128`, 'dev', 'h0', 'nodad');
      ip('-6', 'route', 'add', '2001:db8::/64', 'dev', 'h0');
      const seed = `0x${VNET_JHASH_SEED.toString(16)}`;
      run('ip', ['netns', 'exec', ns, 'nft', '-f', '-'], `table ip vnet_jhash_test {
  chain out {
    type filter hook output priority 0; policy accept;
    ip daddr 192.0.2.1 ct mark set jhash ip saddr mod ${MOD} seed ${seed}
    ip daddr 192.0.2.2 ct mark set jhash ip saddr . udp sport mod ${MOD} seed ${seed}
  }
}
table ip6 vnet_jhash_test {
  chain out {
    type filter hook output priority 0; policy accept;
    ip6 daddr 2001:db8::1 ct mark set jhash ip6 saddr mod ${MOD} seed ${seed}
    ip6 daddr 2001:db8::2 ct mark set jhash ip6 saddr . udp sport mod ${MOD} seed ${seed}
  }
}
`);
      const port = (i: number) => 20000 + i * 389;
      const jobs = [...sources.flatMap((s, i) => [[s, 0, '192.0.2.1'], [s, port(i), '192.0.2.2']]), ...sources6.flatMap((s, i) => [[s, 0, '2001:db8::1'], [s, port(i), '2001:db8::2']])];
      const sender = `const d = require('dgram'); const jobs = ${JSON.stringify(jobs)};
let left = jobs.length;
for (const [src, p, dst] of jobs) { const s = d.createSocket(src.includes(':') ? 'udp6' : 'udp4'); s.bind({ address: src, port: p }, () => s.send('x', 9, dst, () => { s.close(); if (--left === 0) process.exit(0); })); }`;
      run('ip', ['netns', 'exec', ns, process.execPath, '-e', sender]);
      const seen = new Map<string, number>();
      for (const family of ['ipv4', 'ipv6']) {
        for (const line of run('ip', ['netns', 'exec', ns, 'conntrack', '-L', '-f', family, '-p', 'udp']).split('\n')) {
          const m = /src=([\da-f.:]+) dst=([\da-f.:]+) sport=(\d+) .*mark=(\d+)/.exec(line);
          if (m) seen.set(`${m[1]} ${m[2]} ${m[3]}`, Number(m[4]));
        }
      }
      let compared = 0;
      for (const [key, mark] of seen) {
        const [src, dst, sport] = key.split(' ') as [string, string, string];
        const address = toIpValue(parseIp(src)!);
        const byPort = dst === '192.0.2.2' || dst === '2001:db8::2';
        expect(mark, key).toBe(nftJhashBucket(VNET_JHASH_SEED, MOD, address, byPort ? Number(sport) : undefined));
        compared++;
      }
      expect(compared).toBe(4 * SOURCES);
    } finally {
      spawnSync('ip', ['netns', 'del', ns]);
    }
  });
});
