/**
 * The built `vnet api` as the OpenStack e2e tests run it: a temporary folder holding the start
 * file, the process on an ephemeral port with `--save`, its URL once it says where it listens,
 * and the `OS_*` environment the openstack CLI reads (admin in project admin).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ApiProcess {
  readonly dir: string;
  /** The file `--save` rewrites after each change. */
  readonly saved: string;
  readonly url: string;
  /** process.env with the openstack CLI's admin credentials for this server (no OS_CLOUD, OS_TOKEN). */
  readonly env: NodeJS.ProcessEnv;
  stop(): void;
}

export async function startApi(start: string, prefix: string): Promise<ApiProcess> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'start.yaml'), start);
  const saved = join(dir, 'saved.yaml');
  const server: ChildProcess = spawn(process.execPath, ['dist/vnet.cjs', 'api', join(dir, 'start.yaml'), '--port', '0', '--save', saved], { stdio: ['ignore', 'pipe', 'pipe'] });
  const stop = () => { server.kill('SIGTERM'); rmSync(dir, { recursive: true, force: true }); };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout!.on('data', (c: Buffer) => { out += c.toString(); const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out); if (m) resolve(m[1]!); });
      server.once('exit', (code) => reject(new Error(`vnet api exited ${code}: ${out}`)));
    });
    const env: NodeJS.ProcessEnv = {
      ...process.env, OS_AUTH_URL: `${url}/v3`, OS_AUTH_TYPE: 'password', OS_IDENTITY_API_VERSION: '3', OS_USERNAME: 'admin', OS_PASSWORD: 'admin',
      OS_PROJECT_NAME: 'admin', OS_USER_DOMAIN_NAME: 'Default', OS_PROJECT_DOMAIN_NAME: 'Default', OS_REGION_NAME: 'RegionOne', OS_INTERFACE: 'public',
    };
    delete env.OS_CLOUD;
    delete env.OS_TOKEN;
    return { dir, saved, url, env, stop };
  } catch (e) {
    stop();
    throw e;
  }
}
