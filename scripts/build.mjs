// Builds dist/ with esbuild. The CLI is bundled so `vnet` starts fast (no TypeScript loader, no
// resolution of hundreds of module files at every start), a small entry and a chunk per command
// that only that command loads (bench/startup.bench.ts measures it); the library entries keep
// their dependencies external so users share one copy, and ship their declarations (dist/types,
// tsc -p tsconfig.build.json) so a user's strict `tsc` finds `vnet`, `vnet/testing` and `vnet/vitest`.
// Type checking is `npm run typecheck`: here a type error only warns.
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning' };
// CommonJS dependencies (ip-num, netmask, graphology) call require(); give the ESM bundle one.
const requireShim = "import { createRequire as __vnetRequire } from 'node:module'; const require = __vnetRequire(import.meta.url);";

/** The modules src/cli/main.ts import()s, one per command (or group of commands). */
const COMMANDS = ['api', 'audit', 'conform', 'reach', 'realize', 'serve', 'show', 'test', 'trace', 'validate'];
/**
 * In the CommonJS entry, main.ts's import('./trace.js') stays a dynamic import, of the chunk
 * dist/cli/trace.js: bundling it would load every command's code at every start, which is what
 * the split is for (the whole CLI was one 670 KB file; `vnet --version` spent ~90% of its time
 * compiling it).
 */
const commandsApart = {
  name: 'commands-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) => {
      const name = args.path.slice(2, -3);
      if (args.kind !== 'dynamic-import') return undefined;
      if (!COMMANDS.includes(name)) return { errors: [{ text: `${args.path} is import()ed by ${args.importer} but is not in build.mjs's COMMANDS` }] };
      return { path: `./cli/${name}.js`, external: true };
    });
  },
};

/**
 * Chunks are named by their content's hash: after a build, those it did not write are from
 * an older one. Removed only now, so a `vnet` started during the build still finds its chunks.
 */
function dropStaleChunks(result) {
  const written = new Set(Object.keys(result.metafile.outputs).map((f) => f.replace(/^dist\/cli\//, '')));
  for (const f of readdirSync('dist/cli')) if (/^chunk-/.test(f) && !written.has(f)) rmSync(`dist/cli/${f}`, { force: true });
}

const ts = (dir) => readdirSync(dir).filter((f) => f.endsWith('.ts')).map((f) => `${dir}/${f}`);

const DECLARATIONS = ['dist/types/index.d.ts', 'dist/types/testing/index.d.ts', 'dist/types/testing/vitest.d.ts'];
const BUILD_INFO = 'node_modules/.cache/vnet/types.tsbuildinfo';

/** The newest modification time under dir (recursively), of .ts files. */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * The declarations take tsc seconds, and every test run builds: skip them when they are newer
 * than every source file and both tsconfigs. tsc's incremental state lives outside dist/, so it
 * is dropped when dist/types is gone (tsc would otherwise believe its output still there).
 */
async function declarations() {
  const sources = Math.max(newest('src'), statSync('tsconfig.json').mtimeMs, statSync('tsconfig.build.json').mtimeMs);
  if (DECLARATIONS.every((f) => existsSync(f) && statSync(f).mtimeMs >= sources)) return;
  if (!DECLARATIONS.every((f) => existsSync(f))) rmSync(BUILD_INFO, { force: true });
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const output = [];
  const started = new Date();
  const code = await new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => output.push(d));
    child.stderr.on('data', (d) => output.push(d));
    child.on('error', reject);
    child.on('close', resolve);
  });
  const missing = DECLARATIONS.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`tsc -p tsconfig.build.json wrote no ${missing.join(', ')} (exit ${code}):\n${Buffer.concat(output).toString()}`);
  // tsc leaves an unchanged file as it was: mark the declarations as of the run's start (a source
  // edited during it stays newer), or every build after any edit would rerun tsc.
  for (const f of DECLARATIONS) utimesSync(f, started, started);
  if (code !== 0) console.warn(`warning: the declarations in dist/types were written despite type errors (npm run typecheck lists them)`);
}

await Promise.all([
  declarations(),
  // The CLI: dist/vnet.cjs holds only the argument parser and the command table; each command's
  // module is an ESM entry of dist/cli/ that it import()s when that command runs.
  build({ ...common, format: 'cjs', entryPoints: { vnet: 'src/cli/main.ts' }, outExtension: { '.js': '.cjs' }, outdir: 'dist', minify: true, banner: { js: '#!/usr/bin/env node' }, plugins: [commandsApart] }),
  // The commands share chunks (the loader, the simulator) instead of each bundling a copy.
  build({ ...common, entryPoints: Object.fromEntries(COMMANDS.map((c) => [c, `src/cli/${c}.ts`])), outdir: 'dist/cli', splitting: true, chunkNames: 'chunk-[hash]', minify: true, banner: { js: requireShim }, metafile: true }).then(dropStaleChunks),
  // The agent `vnet realize` runs inside each namespace (listeners, probes): small and CommonJS.
  build({ ...common, format: 'cjs', entryPoints: { 'realize-agent': 'src/realize-runner/agent/agent.ts' }, outExtension: { '.js': '.cjs' }, outdir: 'dist', minify: true }),
  build({ ...common, entryPoints: { index: 'src/index.ts', testing: 'src/testing/index.ts', vitest: 'src/testing/vitest.ts' }, outdir: 'dist', packages: 'external' }),
  build({ ...common, entryPoints: [...ts('scripts'), ...ts('bench')], outdir: 'dist', outbase: '.', banner: { js: requireShim } }),
  // The viewer page (served by `vnet serve`): one script and one stylesheet for the browser, no CDN.
  build({ bundle: true, platform: 'browser', format: 'iife', target: 'es2022', minify: true, logLevel: 'warning', entryPoints: { viewer: 'viewer/main.ts' }, outdir: 'dist/viewer' }),
  build({ bundle: true, minify: true, logLevel: 'warning', entryPoints: { viewer: 'viewer/viewer.css' }, outdir: 'dist/viewer' }),
]);
mkdirSync('dist/viewer', { recursive: true });
copyFileSync('viewer/index.html', 'dist/viewer/index.html');
