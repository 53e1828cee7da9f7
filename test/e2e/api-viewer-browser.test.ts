/**
 * The viewer served by `vnet api`, in Debian's headless Chromium (playwright-core): the page at
 * /viewer/ draws minimal.yaml's cloud; a router created with `POST /network/v2.0/routers` (and
 * joined to the subnet) appears in the drawing without a reload of the page, with the notice
 * that the topology was reloaded; a probe injected from the page's form then runs on it. Skips
 * without chromium, and fails under CI=true (test/system-tools.ts).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runApi } from '../../src/cli/api.js';
import { memoryIo } from '../../src/cli/io.js';
import { describeNeeding } from '../system-tools.js';
import { launchChromium, type Browser } from './chromium.js';

const N = '/network/v2.0';

interface ViewerHandle {
  drawn(): { id: string }[];
}
const viewer = () => (globalThis as unknown as { vnetViewer: ViewerHandle }).vnetViewer;

let url: string;
let token: string;
let stop: AbortController;
let done: Promise<number>;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];
const io = memoryIo();

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, { id: string }> }> {
  const res = await fetch(`${url}${path}`, { method, headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json()) as Record<string, { id: string }> };
}

const drawnIds = async () => ((await page.evaluate(`(${viewer.toString()})().drawn()`)) as { id: string }[]).map((d) => d.id).sort();

describeNeeding('chromium', 'the viewer of vnet api in headless Chromium', () => {
  beforeAll(async () => {
    stop = new AbortController();
    done = runApi('topologies/minimal.yaml', { port: '0' }, io, stop.signal);
    for (let i = 0; i < 500 && url === undefined; i++) {
      const line = io.stdout.map((l) => /on (http:\/\/127\.0\.0\.1:\d+)$/.exec(l)).find((m) => m !== null);
      if (line) url = line[1]!;
      else await new Promise((r) => setTimeout(r, 20));
    }
    if (url === undefined) throw new Error(`vnet api did not start:\n${io.stdout.join('\n')}\n${io.stderr.join('\n')}`);
    const auth = await fetch(`${url}/v3/auth/tokens`, {
      method: 'POST', headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { name: 'admin', password: 'admin', domain: { name: 'Default' } } } }, scope: { project: { name: 'admin', domain: { name: 'Default' } } } } }),
    });
    token = auth.headers.get('x-subject-token')!;
    browser = await launchChromium({ width: 1280, height: 800 });
    page = await browser.context.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    await page.goto(`${url}/viewer/`);
    await page.waitForSelector('#graph[data-nodes]');
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    stop?.abort();
    if (done) expect(await done).toBe(0);
  });

  it('draws the cloud, and a router created through Neutron appears in it', async () => {
    await expect.poll(() => page.locator('#status').textContent()).toBe('live');
    expect(await page.locator('#topology-name').textContent()).toBe('minimal');
    expect(await drawnIds()).toEqual(['instance:alice', 'instance:bob', 'network:lan']);

    const router = await call('POST', `${N}/routers`, { router: { name: 'r9' } });
    expect(router.status).toBe(201);
    await expect.poll(drawnIds, { timeout: 10_000 }).toEqual(['instance:alice', 'instance:bob', 'network:lan', 'router:r9']);
    expect(await page.locator('#graph').getAttribute('data-nodes')).toBe('4');
    await expect.poll(() => page.locator('#notice').isVisible()).toBe(true);

    // Joined to lan's subnet: the new link is drawn, and a probe from the page's form runs on it.
    const subnets = (await (await fetch(`${url}${N}/subnets?name=lan-v4`, { headers: { 'X-Auth-Token': token } })).json()) as { subnets: { id: string }[] };
    expect((await call('PUT', `${N}/routers/${router.body.router!.id}/add_router_interface`, { subnet_id: subnets.subnets[0]!.id })).status).toBe(200);
    await page.locator('#inject-from').fill('alice');
    await page.locator('#inject-to').fill('192.168.10.1');
    await page.locator('#inject-proto').selectOption('icmp');
    await page.locator('#inject-send').click();
    await expect.poll(() => page.locator('#verdict-banner').textContent(), { timeout: 10_000 }).toMatch(/delivered/);
    expect(pageErrors).toEqual([]);
  }, 40_000);
});
