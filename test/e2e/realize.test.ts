// `vnet realize --up/--down` and the generated script, for real in network namespaces: what
// --up builds is there (namespaces, bridges in the fabric namespace, addresses, listeners),
// and --down leaves no namespace, link or process behind. Needs root; skips with the reason
// when this machine cannot create namespaces.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, expect, it } from 'vitest';
import { describeNeeding } from '../system-tools.js';
import { namespacesOf, uniquePrefix } from './realize-namespaces.js';

const vnet = (...args: string[]) => spawnSync(process.execPath, ['dist/vnet.cjs', ...args], { encoding: 'utf8' });
const rootLinks = () => execFileSync('ip', ['-o', 'link'], { encoding: 'utf8' });
// A killed listener may stay a zombie until its reaper gets to it: that is not running.
const alive = (pid: number) => { try { return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8')); } catch { return false; } };
const pidsIn = (ns: string) => execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);

describeNeeding('namespaces', 'vnet realize on this machine', () => {
  const up = uniquePrefix('u');
  const sh = uniquePrefix('s');
  afterAll(() => {
    vnet('realize', 'topologies/three-tier.yaml', '--down', '--prefix', up);
    vnet('realize', 'topologies/multi-router.yaml', '--down', '--prefix', sh);
  });

  it('--up builds three-tier.yaml and --down removes exactly what it made', () => {
    const before = rootLinks();
    const made = vnet('realize', 'topologies/three-tier.yaml', '--up', '--prefix', up);
    expect(made.stderr).toBe('');
    expect(made.status).toBe(0);
    const namespaces = namespacesOf(up);
    expect(namespaces.sort()).toEqual([`${up}-fabric`, `${up}-h-client`, `${up}-h-mirror`, `${up}-h-scanner`, `${up}-i-db-1`, `${up}-i-web-1`, `${up}-i-web-2`, `${up}-internet`, `${up}-lb-web-lb`, `${up}-r-edge`]);
    // Nothing in the root namespace: the bridges and their ports live in the fabric namespace.
    expect(rootLinks()).toBe(before);
    const bridges = execFileSync('ip', ['-n', `${up}-fabric`, '-o', 'link', 'show', 'type', 'bridge'], { encoding: 'utf8' });
    expect(bridges.split('\n').filter(Boolean)).toHaveLength(2);
    const db = execFileSync('ip', ['-n', `${up}-i-db-1`, '-o', 'addr', 'show', 'dev', 'eth0'], { encoding: 'utf8' });
    expect(db).toContain('10.0.1.21/24');
    expect(execFileSync('ip', ['-n', `${up}-i-db-1`, 'link', 'show', 'eth0'], { encoding: 'utf8' })).toContain('fa:16:3e:00:00:03');
    const listeners = namespaces.flatMap(pidsIn);
    expect(listeners.length).toBe(5);
    expect(vnet('realize', 'topologies/three-tier.yaml', '--up', '--prefix', up).stderr).toMatch(/exist already/);

    const removed = vnet('realize', 'topologies/three-tier.yaml', '--down', '--prefix', up);
    expect(removed.stdout).toContain('removed 10 namespaces');
    expect(namespacesOf(up)).toEqual([]);
    expect(listeners.filter(alive)).toEqual([]);
    expect(rootLinks()).toBe(before);
    // Idempotent.
    expect(vnet('realize', 'topologies/three-tier.yaml', '--down', '--prefix', up).stdout).toContain('nothing to remove');
  });

  it('port security sits on the switch side: an instance that spoofs its source is dropped and counted, its own address passes', () => {
    const ps = uniquePrefix('p');
    try {
      const made = vnet('realize', 'topologies/three-tier.yaml', '--up', '--prefix', ps);
      expect(made.stderr).toBe('');
      const spoofDrops = () => {
        const counters = JSON.parse(execFileSync('ip', ['netns', 'exec', `${ps}-fabric`, 'nft', '-j', 'list', 'counter', 'bridge', 'vnet_ps', 'spoof_drop'], { encoding: 'utf8' })) as { nftables: { counter?: { packets: number } }[] };
        return counters.nftables.find((e) => e.counter)!.counter!.packets;
      };
      // web-1 (10.0.0.2) connects to web-2:80 (its group allows tcp/80 from anywhere) from its own
      // address, then from 10.0.0.99, an address it gives itself that is not its port's.
      const connect = (from: string) => spawnSync('ip', ['netns', 'exec', `${ps}-i-web-1`, process.execPath, '-e',
        `const s = require('net').connect({ host: '10.0.0.3', port: 80, localAddress: '${from}' }); s.setTimeout(1000, () => process.exit(3)); s.on('connect', () => process.exit(0)); s.on('error', () => process.exit(2));`], { encoding: 'utf8' }).status;
      const before = spoofDrops();
      expect(connect('10.0.0.2')).toBe(0);
      expect(spoofDrops()).toBe(before);
      execFileSync('ip', ['-n', `${ps}-i-web-1`, 'addr', 'add', '10.0.0.99/32', 'dev', 'eth0']);
      expect(connect('10.0.0.99')).toBe(3);
      expect(spoofDrops()).toBeGreaterThan(before);
    } finally {
      vnet('realize', 'topologies/three-tier.yaml', '--down', '--prefix', ps);
    }
    expect(namespacesOf(ps)).toEqual([]);
  });

  it('--up gives dual-stack.yaml its IPv6 addresses as vnet allocated them, and routers forward IPv6', () => {
    const v6 = uniquePrefix('v');
    try {
      const made = vnet('realize', 'topologies/dual-stack.yaml', '--up', '--prefix', v6);
      expect(made.stderr).toBe('');
      expect(made.status).toBe(0);
      const addr = (ns: string) => execFileSync('ip', ['-n', `${v6}-${ns}`, '-6', '-o', 'addr', 'show', 'scope', 'global'], { encoding: 'utf8' });
      expect(addr('i-web-1')).toMatch(/2001:db8:1:0:f816:3eff:fe00:1\/64 scope global nodad/); // SLAAC: EUI-64 of fa:16:3e:00:00:01
      expect(addr('i-db-1')).toContain('2001:db8:2::1/64'); // DHCPv6: the pool's first address
      expect(addr('i-db-2')).toContain('2001:db8:2::20/64'); // a fixed one
      expect(addr('r-edge')).toContain('2001:db8:1::/64');
      expect(execFileSync('ip', ['-n', `${v6}-i-db-1`, '-6', 'route', 'show', 'default'], { encoding: 'utf8' })).toContain('default via 2001:db8:2:: dev eth0');
      expect(execFileSync('ip', ['netns', 'exec', `${v6}-r-edge`, 'sysctl', '-n', 'net.ipv6.conf.all.forwarding'], { encoding: 'utf8' }).trim()).toBe('1');
      // No address is tentative: nothing waits for duplicate address detection.
      expect(addr('i-web-1')).not.toContain('tentative');
    } finally {
      vnet('realize', 'topologies/dual-stack.yaml', '--down', '--prefix', v6);
    }
    expect(namespacesOf(v6)).toEqual([]);
  });

  it('the printed script builds multi-router.yaml, and tears down when a step fails', () => {
    const script = vnet('realize', 'topologies/multi-router.yaml', '--script', '--prefix', sh).stdout;
    const run = spawnSync('sh', ['-s'], { input: script, encoding: 'utf8', env: { ...process.env, AGENT: 'dist/realize-agent.cjs' } });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(namespacesOf(sh)).toHaveLength(8);
    const route = execFileSync('ip', ['-n', `${sh}-r-branch`, 'route'], { encoding: 'utf8' });
    expect(route).toContain('default via 10.50.0.1');
    vnet('realize', 'topologies/multi-router.yaml', '--down', '--prefix', sh);
    expect(namespacesOf(sh)).toEqual([]);

    // A step that fails halfway: the trap removes what was made.
    const broken = script.replace(/^ip -n \S+-r-edge route add default.*$/m, 'false');
    const failed = spawnSync('sh', ['-s'], { input: broken, encoding: 'utf8', env: { ...process.env, AGENT: 'dist/realize-agent.cjs' } });
    expect(failed.status).not.toBe(0);
    expect(failed.stderr).toContain('tearing down');
    expect(namespacesOf(sh)).toEqual([]);
  });
});
