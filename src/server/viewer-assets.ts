/**
 * The viewer's files (index.html, viewer.js, viewer.css), built by scripts/build.mjs into
 * dist/viewer/. The server looks for them next to its own bundle (dist/vnet.cjs → dist/viewer)
 * and, when it runs from the sources (vitest), in the repository's dist/viewer. Files are read
 * on each request: small, and a rebuilt viewer shows without restarting the server.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ViewerAsset {
  readonly file: string;
  readonly type: string;
}

/** URL path → file in the viewer directory. */
export const VIEWER_ASSETS: Readonly<Record<string, ViewerAsset>> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/index.html': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/viewer.js': { file: 'viewer.js', type: 'text/javascript; charset=utf-8' },
  '/viewer.css': { file: 'viewer.css', type: 'text/css; charset=utf-8' },
};

/** The directory this module was loaded from: dist/ in the CommonJS bundle, src/server/ from the sources. */
function moduleDir(): string {
  // The CLI bundle is CommonJS (no import.meta); the sources and the ESM bundles have no __dirname.
  if (typeof __dirname === 'string') return __dirname;
  return dirname(fileURLToPath(import.meta.url));
}

/** Where the built viewer is looked for, first hit wins. */
export function viewerCandidates(): string[] {
  const here = moduleDir();
  return [join(here, 'viewer'), join(here, '..', '..', 'dist', 'viewer')];
}

export type ViewerLookup = { readonly ok: true; readonly dir: string } | { readonly ok: false; readonly message: string };

export function findViewer(candidates: readonly string[] = viewerCandidates()): ViewerLookup {
  const dir = candidates.find((d) => existsSync(join(d, 'index.html')) && existsSync(join(d, 'viewer.js')));
  if (dir !== undefined) return { ok: true, dir };
  return { ok: false, message: `the viewer page is not built (no index.html and viewer.js in ${candidates.join(' or ')}): run \`npm run build\`, then reload. The API (/api/topology) and the stream (/ws) work without it.` };
}

export function readViewerAsset(dir: string, asset: ViewerAsset): Buffer {
  return readFileSync(join(dir, asset.file));
}
