/**
 * `runServe` (the `vnet serve` command) in-process: it prints where it listens, serves until
 * stopped, then closes cleanly; it refuses a non-loopback host without a token, a bad port, a
 * taken port and a topology that does not load, each with one clear message and exit 1. And the
 * built `vnet serve`, as its own process, outlives the requests and messages that once ended it.
 */
import { spawn } from 'node:child_process';
import { connect, createServer } from 'node:net';
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

describe('vnet serve, the built command in its own process', () => {
  /** Raw bytes on a fresh connection; the status line of the answer. */
  const statusLine = (port: number, text: string) => new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port }, () => socket.end(text));
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1').split('\r\n')[0]!));
  });

  it('answers the bug report\'s requests (400) and its 5,000-deep message (invalid-message), and is still serving', async () => {
    for (const token of [undefined, 'sesame']) {
      const child = spawn(process.execPath, ['dist/vnet.cjs', 'serve', FILE, '--port', '0', ...(token !== undefined ? ['--token', token] : [])], { stdio: ['ignore', 'pipe', 'pipe'] });
      const stdout: string[] = [];
      let stderr = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => stdout.push(...d.split('\n')));
      child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      try {
        const [, url] = await waitForLine(stdout, /three-tier on (http:\/\/127\.0\.0\.1:\d+\/)/);
        const port = Number(new URL(url!).port);
        const upgrade = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n';
        for (const method of ['GET', 'POST']) {
          for (const target of ['http://a:99999/', 'http://[/']) {
            for (const headers of ['', upgrade]) {
              expect(await statusLine(port, `${method} ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n${headers}\r\n`)).toBe('HTTP/1.1 400 Bad Request');
            }
          }
        }
        const q = token !== undefined ? `?token=${token}` : '';
        const ws = new WebSocket(`ws://127.0.0.1:${port}/ws${q}`);
        const messages: { type: string; code?: string; ref?: string }[] = [];
        const answered = new Promise<void>((resolve) => ws.on('message', (d) => {
          messages.push(JSON.parse(String(d)) as { type: string });
          if (messages.at(-1)!.ref === 'deep') resolve();
        }));
        await new Promise((resolve) => ws.once('open', resolve));
        ws.send(`{"type":"state","v":1,"id":"deep","node":${'['.repeat(5_000)}0${']'.repeat(5_000)}}`);
        await answered;
        expect(messages.at(-1)).toMatchObject({ type: 'error', code: 'invalid-message', ref: 'deep' });
        expect(ws.readyState).toBe(WebSocket.OPEN);
        ws.terminate();
        expect(child.exitCode).toBeNull();
        expect((await fetch(`${url}api/topology${q}`)).status).toBe(200);
        expect(stderr).toBe('');
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
    }
  });
});
