/**
 * The built CLI's entry, dist/vnet.cjs: a few lines that load the argument parser and command
 * table (main.ts, built as dist/cli/main.cjs) with V8's code cache (bundle-loader.ts), as main
 * loads each command's bundle. Node compiles the file it is given without a cache, and commander
 * with the command table cost a `vnet validate` ~6 ms of compiling at every start.
 */
import { loadBundle } from './bundle-loader.js';

// main.cjs was dist/vnet.cjs's own code: it sees dist as its folder and finds cli/ beside it.
loadBundle('main', __dirname);
