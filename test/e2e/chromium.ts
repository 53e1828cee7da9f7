/**
 * Debian's Chromium for the browser tests, driven by playwright-core (no browser download):
 * headless, no sandbox, no GPU (WebGL through SwiftShader), in a fresh profile folder.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run', '--disable-component-update', '--disable-sync'];

export interface Browser {
  readonly context: BrowserContext;
  /** Closes the browser and removes its profile folder. */
  close(): Promise<void>;
}

export async function launchChromium(viewport: { width: number; height: number }): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'vnet-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, viewport, args: ARGS });
    return { context, close: async () => { await context.close(); rmSync(profile, { recursive: true, force: true }); } };
  } catch (e) {
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
}
