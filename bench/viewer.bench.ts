/**
 * Viewer benchmark (issue 17): the 10,000-instance cloud in headless Chromium (Debian's
 * /usr/bin/chromium through playwright-core; skipped with a note without it). Figures: hello's
 * size (compact) next to /api/topology's (the full cloud), first paint (ms from navigation to
 * the frame after the topology is drawn, median of 3 page loads), nodes drawn, and the frame
 * rate while a probe across two routers animates. Figures, not assertions.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLarge } from '../scripts/gen-large.js';
import { compactTopology } from '../src/server/live-simulation.js';
import { startServer } from '../src/server/server.js';
import { parseTopology } from '../src/topology/load.js';
import { median } from './measure.js';

const CHROMIUM = '/usr/bin/chromium';
const INSTANCES = 10_000;

interface Handle {
  nodes(): number;
  firstPaint(): { hello?: number; paint?: number };
}

export async function benchViewer(): Promise<Record<string, number | string>> {
  const r = parseTopology(generateLarge(INSTANCES), 'large.yaml');
  if (!r.ok) throw new Error('bench: the generated cloud does not load');
  const out: Record<string, number | string> = { instances: INSTANCES };
  out['hello_topology_kb (compact)'] = Math.round(Buffer.byteLength(JSON.stringify(compactTopology(r.cloud, 'large.yaml'))) / 1024);
  const server = await startServer({ cloud: r.cloud, file: 'large.yaml', host: '127.0.0.1', port: 0 });
  try {
    out['api_topology_kb (full cloud)'] = Math.round((await (await fetch(new URL('/api/topology', server.url))).arrayBuffer()).byteLength / 1024);
    if (!existsSync(CHROMIUM)) return { ...out, first_paint: `skipped: ${CHROMIUM} not found (apt-get install chromium)` };
    // Kept out of the bundle: playwright-core is a devDependency the bench loads only here.
    const pw = 'playwright-core';
    const { chromium } = (await import(pw)) as typeof import('playwright-core');
    const profile = mkdtempSync(join(tmpdir(), 'vnet-bench-'));
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport: { width: 1440, height: 900 }, args: ['--headless', '--no-sandbox', '--disable-gpu'] });
    try {
      const paints: number[] = [];
      const page = await context.newPage();
      const handle = (f: string) => `(window.vnetViewer.${f})`;
      for (let i = 0; i < 3; i++) {
        await page.goto(server.url);
        // Polled from here: the page's CSP (script-src 'self') refuses waitForFunction's eval.
        let fp: ReturnType<Handle['firstPaint']> = {};
        for (const deadline = Date.now() + 60_000; fp.paint === undefined && Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
          fp = (await page.evaluate(handle('firstPaint()')).catch(() => ({}))) as ReturnType<Handle['firstPaint']>;
        }
        if (fp.paint === undefined) throw new Error('bench viewer: the page did not paint within 60 s');
        paints.push(fp.paint!);
      }
      out['first_paint_ms (median of 3, from navigation)'] = Math.round(median(paints));
      out['first_paint_ms (each)'] = paints.map(Math.round).join(', ');
      out['nodes_drawn'] = (await page.evaluate(handle('nodes()'))) as number;
      // A probe from a network of the first router to one of the last: ARP, two routers, a long path.
      await page.fill('#inject-from', 'vm-00042');
      await page.fill('#inject-to', 'vm-09917');
      await page.selectOption('#inject-proto', 'icmp');
      // Frames the browser really produced while the probe played: a requestAnimationFrame counter.
      await page.evaluate('window.__vnetFrames = 0; (function count() { window.__vnetFrames++; requestAnimationFrame(count); })()');
      const t0 = Date.now();
      await page.click('#inject-send');
      await page.waitForSelector('#verdict-kind', { timeout: 60_000 });
      const frames = (await page.evaluate('window.__vnetFrames')) as number;
      const ms = Date.now() - t0;
      out['probe_animation_ms'] = ms;
      out['animation_fps (SwiftShader, software GL)'] = Math.round((frames * 10_000) / ms) / 10;
      out['verdict'] = (await page.locator('#verdict-kind').textContent()) ?? '';
      out['nodes_drawn_after_probe'] = (await page.evaluate(handle('nodes()'))) as number;
    } finally {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    }
  } finally {
    await server.close();
  }
  return out;
}
