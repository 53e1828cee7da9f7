/**
 * Loads a command bundle of the built CLI (dist/cli/NAME.cjs) with V8's code cache: the build
 * runs a small validate and trace and keeps, beside each bundle, the code V8 compiled for it
 * (NAME.cjs.cache). A command then deserialises that code instead of parsing and compiling a
 * few hundred kilobytes of JavaScript at every start, as Node 22's module.enableCompileCache
 * does; Node 20 has no such switch. V8 refuses a cache made by another V8 version or with other
 * flags, and then compiles as require() would. Only bin.ts and scripts/build.mjs's stubs call
 * this, in the CommonJS CLI bundles (dist/vnet.cjs, dist/cli/main.cjs: __dirname is the dist folder).
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { constants, Script } from 'node:vm';

/** Set by the build: write each loaded bundle's compiled code to its cache file as the process exits. */
const WRITE_CACHE = 'VNET_WRITE_CODE_CACHE';
/** CommonJS's own wrapper, so the bundle sees the variables require() gives a module. */
const WRAP_HEAD = '(function (exports, require, module, __filename, __dirname) { ';
const WRAP_TAIL = '\n})';

/** Runs dist/cli/NAME.cjs as a CommonJS module whose __dirname is `dirname` (its own folder unless told). */
export function loadBundle(name: string, dirname = join(__dirname, 'cli')): unknown {
  const file = join(__dirname, 'cli', `${name}.cjs`);
  const cacheFile = `${file}.cache`;
  const writing = process.env[WRITE_CACHE] === '1';
  const script = new Script(WRAP_HEAD + readFileSync(file, 'utf8') + WRAP_TAIL, {
    filename: file,
    // Without a fresh cache V8 compiles the source, as require() would.
    cachedData: !writing && freshCache(file, cacheFile) ? readFileSync(cacheFile) : undefined,
    importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  // After the command ran, the cache holds the functions it compiled too, not only the top level.
  if (writing) process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  const module = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname);
  return module.exports;
}

/** The cache exists and was written after the bundle (a rebuilt bundle never meets an old cache). */
function freshCache(file: string, cacheFile: string): boolean {
  const cache = statSync(cacheFile, { throwIfNoEntry: false });
  return cache !== undefined && cache.mtimeMs >= statSync(file).mtimeMs;
}
