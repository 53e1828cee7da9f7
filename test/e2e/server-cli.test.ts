/**
 * `runServe` (the `vnet serve` command) in-process: it prints where it listens, serves until
 * stopped, then closes cleanly; it refuses a non-loopback host without a token, a bad port, a
 * taken port and a topology that does not load, each with one clear message and exit 1.
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { memoryIo } from '../../src/cli/io.js';
import { runServe } from '../../src/cli/serve.js';

const FILE = 'topologies/three-tier.yaml';

async function waitForLine(lines: string[], pattern: RegExp, timeoutMs = 5_000): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    for (const l of lines) {
      const m = l.match(pattern);
      if (m) return m;
    }
    if (Date.now() > deadline) throw new Error(`no line matching ${pattern} in:\n${lines.join('\n')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('vnet serve', () => {
  it('prints the URL, serves the API and the stream, and stops cleanly', async () => {
    const io = memoryIo();
    const stop = new AbortController();
    const done = runServe(FILE, { port: '0' }, io, stop.signal);
    const [, url] = await waitForLine(io.stdout, /three-tier on (http:\/\/127\.0\.0\.1:\d+\/)$/);
    const api = await fetch(`${url}api/topology`);
    expect(api.status).toBe(200);
    expect(((await api.json()) as { name: string }).name).toBe('three-tier');
    const ws = new WebSocket(`${url!.replace(/^http/, 'ws')}ws`);
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve) => ws.once('message', resolve));
    stop.abort();
    expect(await done).toBe(0);
    expect(await closed).toBe(1001);
    expect(io.stdout.at(-1)).toBe('vnet serve: stopped');
    expect(io.stderr).toEqual([]);
  });

  it('with a token, prints URLs that carry it', async () => {
    const io = memoryIo();
    const stop = new AbortController();
    const done = runServe(FILE, { port: '0', token: 'a b&c' }, io, stop.signal);
    const [, url] = await waitForLine(io.stdout, /on (http:\S+)$/);
    expect(url).toMatch(/\?token=a%20b%26c$/);
    expect((await fetch(url!)).status).toBe(200);
    expect((await fetch(url!.replace(/\?.*/, ''))).status).toBe(401);
    await waitForLine(io.stdout, /WebSocket: ws:\/\/127\.0\.0\.1:\d+\/ws\?token=a%20b%26c/);
    stop.abort();
    expect(await done).toBe(0);
  });

  it('refuses a non-loopback host without --token', async () => {
    const io = memoryIo();
    expect(await runServe(FILE, { host: '0.0.0.0', port: '0' }, io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/--host 0\.0\.0\.0 is not a loopback address.*--token/);
    expect(io.stdout).toEqual([]);
  });

  it('refuses a bad port, a taken port and a topology that does not load', async () => {
    let io = memoryIo();
    expect(await runServe(FILE, { port: '80x' }, io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('--port 80x');

    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    io = memoryIo();
    expect(await runServe(FILE, { port: String(port) }, io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/cannot listen on 127\.0\.0\.1:\d+: the address is in use/);
    await new Promise((r) => taken.close(r));

    io = memoryIo();
    expect(await runServe('test/fixtures/invalid/cidr-prefix-too-long.yaml', { port: '0' }, io)).toBe(1);
    expect(io.stderr.join('\n')).toMatch(/cidr-prefix-too-long\.yaml:\d+:\d+ /);
    io = memoryIo();
    expect(await runServe('no/such/file.yaml', { port: '0' }, io)).toBe(1);
    expect(io.stderr.join('\n')).toContain('no such file');
  });
});
