// Builds dist/ with esbuild. The CLI is bundled so `vnet` starts fast (no TypeScript loader, no
// resolution of hundreds of module files at every start): a stub entry, the argument parser, a
// bundle per group of commands that only they load, and the packages they seldom need apart, all
// read with V8's code cache (bench/startup.bench.ts measures it); the library entries keep
// their dependencies external so users share one copy, and ship their declarations (dist/types,
// tsc -p tsconfig.build.json) so a user's strict `tsc` finds `vnet`, `vnet/testing` and `vnet/vitest`.
// Type checking is `npm run typecheck`: here a type error only warns.
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { createRequire } from 'node:module';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', sourcemap: true, logLevel: 'warning' };
// CommonJS dependencies (ip-num, netmask, graphology) call require(); give the ESM bundle one.
const requireShim = "import { createRequire as __vnetRequire } from 'node:module'; const require = __vnetRequire(import.meta.url);";

/**
 * The CLI's commands, in CommonJS bundles that main.ts's import('./trace.js') loads when that
 * command runs (dist/cli/sim.cjs). Commands that need the same code share a bundle: the
 * loader (validate, show), the simulator (trace, test, audit, reach), the servers, the
 * realization. A bundle is required, not imported: Node 20's ESM loader (and splitting's
 * chunks) cost a small `vnet validate` ~25% more than one require() of the same code.
 */
const COMMAND_BUNDLES = { load: ['validate', 'show'], sim: ['trace', 'test', 'audit', 'reach'], server: ['serve', 'api'], realize: ['realize', 'conform'] };
const bundleOf = new Map(Object.entries(COMMAND_BUNDLES).flatMap(([bundle, commands]) => commands.map((c) => [c, bundle])));

/**
 * In the argument parser (dist/cli/main.cjs), main.ts's import('./trace.js') becomes a module
 * that loads ./cli/sim.cjs (through src/cli/bundle-loader.ts, with V8's code cache) when the
 * import runs (esbuild evaluates a bundled import() target lazily): the whole CLI was one 670 KB
 * file, and `vnet --version` spent ~90% of its time compiling it.
 */
const commandsApart = {
  name: 'commands-apart',
  setup(b) {
    b.onResolve({ filter: /^\.\/[a-z-]+\.js$/ }, (args) => {
      if (args.kind !== 'dynamic-import') return undefined;
      const bundle = bundleOf.get(args.path.slice(2, -3));
      if (bundle === undefined) return { errors: [{ text: `${args.path} is import()ed by ${args.importer} but is in none of build.mjs's COMMAND_BUNDLES` }] };
      return { path: bundle, namespace: 'command-bundle' };
    });
    b.onLoad({ filter: /.*/, namespace: 'command-bundle' }, (args) => ({ contents: `module.exports = require('./bundle-loader.ts').loadBundle(${JSON.stringify(args.path)});`, resolveDir: 'src/cli', loader: 'js' }));
  },
};

/** Each bundle's entry: the modules of its commands, re-exported. */
const commandEntries = {
  name: 'command-entries',
  setup(b) {
    b.onResolve({ filter: /^command-bundle:/ }, (args) => ({ path: args.path.slice('command-bundle:'.length), namespace: 'command-entry' }));
    b.onLoad({ filter: /.*/, namespace: 'command-entry' }, (args) => ({ contents: COMMAND_BUNDLES[args.path].map((c) => `export * from './${c}.ts';`).join('\n'), resolveDir: 'src/cli', loader: 'ts' }));
  },
};

/** Removes what an older build left in dist/cli (files this one did not write), so the package ships none of it. */
function dropStale(results) {
  const written = new Set(results.flatMap((r) => Object.keys(r.metafile.outputs)).flatMap((f) => [f, `${f}.map`]));
  for (const f of readdirSync('dist/cli')) if (!written.has(`dist/cli/${f}`)) rmSync(`dist/cli/${f}`, { force: true });
}

/**
 * commander requires node:child_process at load, for subcommands that are separate executables
 * (vnet has none); loading it and node:net cost a bare `vnet --version` a fifth of its time.
 * In the argument parser (main.cjs) its spawn is fetched from the real module when first called.
 */
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onResolve({ filter: /^node:child_process$/ }, (args) => (/node_modules[\\/]commander[\\/]/.test(args.importer) ? { path: 'child_process', namespace: 'lazy' } : undefined));
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, () => ({ contents: "module.exports = { spawn: (...a) => require('node:child_process').spawn(...a) };", loader: 'js' }));
  },
};

/**
 * Packages the short commands import but seldom run, evaluated when first used: `yaml`, the
 * parser that keeps positions, runs only to place an issue on its line or for a file with anchors
 * or deep nesting (fast-yaml.ts and js-yaml read well-formed files); `graphology` only when a
 * cloud has islands to name (checks.ts) or the viewer draws it, and its top level alone builds
 * about 1.2 MB of iteration methods. Each is bundled on its own (dist/cli/NAME.cjs: a command
 * then reads ~180 KB less, which costs ~9 µs per KB here), and in the command bundles it is a
 * module of getters that require that file when first read (esbuild reads a named import from
 * CommonJS as a property at each use, so the getters are read at the call). Named imports only:
 * a default import would get the getters' object, so the build refuses one.
 */
const LAZY_PACKAGES = ['yaml', 'graphology'];
const packageEntries = Object.fromEntries(LAZY_PACKAGES.map((p) => [p, createRequire(import.meta.url).resolve(p)]));
const lazyPackages = {
  name: 'lazy-packages',
  setup(b) {
    const filter = new RegExp(`^(${LAZY_PACKAGES.join('|')})$`);
    b.onResolve({ filter: /^\.\/[\w-]+\.cjs$/ }, (args) => (args.namespace === 'lazy' ? { path: args.path, external: true } : undefined));
    b.onResolve({ filter }, (args) => {
      if (args.namespace === 'lazy' || args.kind === 'entry-point') return undefined;
      const defaultImport = new RegExp(`import\\s+[\\w$]+\\s*(,|from)[^;]*['"]${args.path}['"]`);
      if (defaultImport.test(readFileSync(args.importer, 'utf8'))) return { errors: [{ text: `${args.importer}: a default import of ${args.path}, which build.mjs loads lazily: import its names instead` }] };
      return { path: args.path, namespace: 'lazy' };
    });
    b.onLoad({ filter: /.*/, namespace: 'lazy' }, (args) => ({
      contents: `let real;\nfor (const name of ${JSON.stringify(Object.keys(createRequire(import.meta.url)(args.path)))}) Object.defineProperty(exports, name, { enumerable: true, get: () => (real ??= require(${JSON.stringify(`./${args.path}.cjs`)}))[name] });`,
      resolveDir: process.cwd(),
      loader: 'js',
    }));
  },
};

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
  // The CLI: dist/vnet.cjs loads dist/cli/main.cjs (bin.ts), the argument parser and the command
  // table, which loads the command bundles. import.meta is ESM-only; code that needs its own
  // location falls back to __dirname there (server/viewer-assets.ts).
  build({ ...common, format: 'cjs', entryPoints: { vnet: 'src/cli/bin.ts' }, outExtension: { '.js': '.cjs' }, outdir: 'dist', minify: true, banner: { js: '#!/usr/bin/env node' } }),
  Promise.all([
    build({ ...common, format: 'cjs', entryPoints: { main: 'src/cli/main.ts' }, outExtension: { '.js': '.cjs' }, outdir: 'dist/cli', minify: true, plugins: [commandsApart, lazyChildProcess], metafile: true }),
    build({ ...common, format: 'cjs', entryPoints: { ...Object.fromEntries(Object.keys(COMMAND_BUNDLES).map((n) => [n, `command-bundle:${n}`])), ...packageEntries }, outExtension: { '.js': '.cjs' }, outdir: 'dist/cli', minify: true, define: { 'import.meta.url': 'undefined' }, plugins: [commandEntries, lazyPackages], metafile: true }),
  ]).then(dropStale),
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

/**
 * V8's code cache beside the bundles the short commands load (src/cli/bundle-loader.ts): a small
 * validate and a trace run with VNET_WRITE_CODE_CACHE=1, so each cache holds what those commands
 * compiled. Written after the bundles, so a cache is never older than its bundle (the loader
 * ignores one that is); without a cache a bundle loads as require() would. A command that fails
 * here (code under change, a mutant) leaves no cache and a warning: the tests report the failure.
 */
for (const args of [['validate', 'topologies/three-tier.yaml'], ['trace', 'topologies/three-tier.yaml', '--from', 'web-1', '--to', 'lb-fip', '--port', '80']]) {
  const r = spawnSync(process.execPath, ['dist/vnet.cjs', ...args], { env: { ...process.env, VNET_WRITE_CODE_CACHE: '1' }, encoding: 'utf8', timeout: 60_000 });
  if (r.status === 0) continue;
  for (const f of readdirSync('dist/cli')) if (f.endsWith('.cache')) rmSync(`dist/cli/${f}`, { force: true });
  console.warn(`warning: no code cache for the CLI: vnet ${args.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr.split('\n')[0]}`);
  break;
}
