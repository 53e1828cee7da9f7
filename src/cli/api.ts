/**
 * `vnet api [FILE] [--host 127.0.0.1] [--port 8774] [--save FILE] [--users FILE]`: serves Keystone
 * v3, Neutron v2.0, Octavia v2 and a little Nova and Glance over HTTP for the real `openstack` CLI
 * and SDK, starting from FILE (or an empty cloud). With --save, every successful change rewrites the save file atomically (a temporary
 * file renamed over it) as a topology file that loads back to the same cloud. The same port
 * serves the live viewer at /viewer/ and its WebSocket at /ws: after every change that alters the
 * cloud, every viewer gets the new topology and probes run on it.
 */
import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { ApiApp } from '../api/app.js';
import { startApi, VIEWER_PATH, type RunningApi } from '../api/http-server.js';
import { Identity, parseUsers, projectId, type User } from '../api/identity.js';
import { Store, type Doc } from '../api/store.js';
import { ApiError } from '../api/types.js';
import { isLoopbackHost } from '../server/access.js';
import { findViewer } from '../server/viewer-assets.js';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { formatIssue } from '../topology/issue.js';
import { loadTopologyFile } from '../files/read-topology.js';
import type { Io } from './io.js';
import { untilStopped } from './until-stopped.js';

export interface ApiOptions {
  readonly host?: string;
  readonly port?: string;
  readonly save?: string;
  readonly users?: string;
}

/** Writes a temporary file beside the target and renames it over, so a reader never sees half a file. */
export function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export async function runApi(file: string | undefined, opts: ApiOptions, io: Io, stop?: AbortSignal): Promise<number> {
  const fail = (message: string) => { io.err(io.errStyle.red('error: ') + message); return 1; };
  const host = opts.host ?? '127.0.0.1';
  const port = opts.port === undefined ? 8774 : Number(opts.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || opts.port?.trim() === '') return fail(`--port ${opts.port}: expected a port number 0-65535 (0: any free port)`);
  if (!isLoopbackHost(host)) return fail(`--host ${host} is not a loopback address: the API's users and passwords are fixed (admin/admin), so it binds loopback only`);

  let doc: Doc = { version: 1, name: 'vnet-api' };
  if (file !== undefined) {
    const loaded = loadTopologyFile(file);
    if (!loaded.ok) {
      for (const issue of loaded.issues) io.err(io.errStyle.red('error: ') + formatIssue(issue));
      return 1;
    }
    doc = parse(readFileSync(file, 'utf8')) as Doc;
  }
  let users: User[] | undefined;
  if (opts.users !== undefined) {
    let value: unknown;
    try { value = parse(readFileSync(opts.users, 'utf8')); } catch (e) { return fail(`--users ${opts.users}: cannot read: ${(e as Error).message}`); }
    const parsed = parseUsers(value);
    if (parsed.problems.length) {
      for (const p of parsed.problems) io.err(io.errStyle.red('error: ') + `${opts.users}: ${p}`);
      return 1;
    }
    users = parsed.users;
  }
  let store: Store;
  let server: RunningApi | undefined;
  // A write that leaves the file's text as it was (metadata only) leaves the cloud as it was too.
  let lastText: string | undefined;
  const onChange = (text: string) => {
    if (text === lastText) return;
    lastText = text;
    // The store holds the change already: viewers see it even if the save below fails.
    server?.viewer?.update(store.cloud);
    if (opts.save !== undefined) writeAtomically(opts.save, text);
  };
  try {
    store = new Store(doc, {
      adminProject: projectId('admin'), now: () => Date.now(), ...(users ? { knownProjects: users.map((u) => u.project) } : {}), onChange,
    });
  } catch (e) {
    return fail(e instanceof ApiError ? e.message : (e as Error).message);
  }
  lastText = store.text();
  if (opts.save !== undefined) {
    try { writeAtomically(opts.save, lastText); } catch (e) { return fail(`--save ${opts.save}: cannot write: ${(e as Error).message}`); }
  }
  const identity = new Identity({
    newToken: () => `gAAAA${randomBytes(24).toString('hex')}`, now: () => Date.now(), ...(users ? { users } : {}),
    projects: () => [...store.cloud.projects.keys()],
  });
  const app = new ApiApp(store, identity, (line) => io.err(line));
  const shownFile = opts.save ?? file;
  try {
    server = await startApi(app, host, port, { cloud: store.cloud, log: (line) => io.err(line), ...(shownFile !== undefined ? { file: shownFile } : {}) });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return fail(`cannot listen on ${host}:${port}: ${err.code === 'EADDRINUSE' ? 'the address is in use (try --port 0 for any free port)' : err.message}`);
  }
  const s = io.outStyle;
  io.out(`${s.bold('vnet api:')} ${store.cloud.name} on ${server.url}`);
  const admin = (users ?? []).find((u) => u.role === 'admin' && u.project === 'admin') ?? { name: 'admin', password: 'admin' };
  io.out(`  export OS_AUTH_URL=${server.url}/v3 OS_IDENTITY_API_VERSION=3 OS_USERNAME=${admin.name} OS_PASSWORD=${users ? '...' : admin.password} OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default`);
  io.out(`  viewer: ${server.url}${VIEWER_PATH}   WebSocket: ${server.url.replace(/^http/, 'ws')}/ws`);
  const viewer = findViewer();
  if (!viewer.ok) io.err(io.errStyle.yellow('warning: ') + viewer.message);
  if (opts.save !== undefined) io.out(`  saving every change to ${opts.save}`);
  io.out(s.dim('  press Ctrl-C to stop'));
  await untilStopped(stop);
  await server.close();
  io.out('vnet api: stopped');
  return 0;
}
