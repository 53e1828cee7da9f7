/**
 * `vnet serve FILE [--host 127.0.0.1] [--port 8080] [--token T] [--watch]`: loads the topology,
 * starts the server (src/server), prints where it listens and runs until SIGINT or SIGTERM,
 * then closes every connection cleanly. Binding anything but loopback needs a token: the
 * stream shows the whole cloud and lets anyone who connects run probes.
 */
import { isLoopbackHost } from '../server/access.js';
import { startServer, type RunningServer } from '../server/server.js';
import { findViewer } from '../server/viewer-assets.js';
import { formatIssue } from '../topology/issue.js';
import type { Io } from './io.js';
import { loadTopologyFile } from '../files/read-topology.js';
import { untilStopped } from './until-stopped.js';

export interface ServeOptions {
  readonly host?: string;
  readonly port?: string;
  readonly token?: string;
  readonly watch?: boolean;
}

/**
 * Resolves with the exit code once the server has closed. `stop` ends it as a signal would
 * (for tests; the command itself waits for SIGINT or SIGTERM).
 */
export async function runServe(file: string, opts: ServeOptions, io: Io, stop?: AbortSignal): Promise<number> {
  const fail = (message: string) => { io.err(io.errStyle.red('error: ') + message); return 1; };
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port === undefined ? 8080 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || opts.port?.trim() === '') return fail(`--port ${opts.port}: expected a port number 0-65535 (0: any free port)`);
  if (opts.token !== undefined && opts.token.length === 0) return fail('--token: expected a non-empty token');
  if (!isLoopbackHost(host) && opts.token === undefined) {
    return fail(`--host ${host} is not a loopback address: anyone who can reach it could watch the cloud and run probes. Add --token SECRET (clients then connect with ?token=SECRET), or bind 127.0.0.1`);
  }

  const loaded = loadTopologyFile(file);
  if (!loaded.ok) {
    for (const issue of loaded.issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
    return 1;
  }

  let server: RunningServer;
  try {
    server = await startServer({ cloud: loaded.cloud, file, host, port, ...(opts.token !== undefined ? { token: opts.token } : {}), watch: opts.watch ?? false, log: (line) => io.err(line) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EADDRINUSE' ? 'the address is in use (another server? try --port 0 for any free port)'
      : err.code === 'EACCES' ? 'permission denied (ports below 1024 need privileges)'
        : err.code === 'EADDRNOTAVAIL' || err.code === 'ENOTFOUND' ? 'no such address on this machine'
          : err.message;
    return fail(`cannot listen on ${host}:${port}: ${why}`);
  }

  const s = io.outStyle;
  const query = opts.token !== undefined ? `?token=${encodeURIComponent(opts.token)}` : '';
  io.out(`${s.bold('vnet serve:')} ${loaded.cloud.name} on ${server.url}${query}`);
  io.out(`  WebSocket: ${server.url.replace(/^http/, 'ws')}ws${query}   API: ${server.url}api/topology${query}`);
  if (opts.watch) io.out(`  watching ${file} for changes`);
  const viewer = findViewer();
  if (!viewer.ok) io.err(io.errStyle.yellow('warning: ') + viewer.message);
  io.out(s.dim('  press Ctrl-C to stop'));

  await untilStopped(stop);
  await server.close();
  io.out('vnet serve: stopped');
  return 0;
}
