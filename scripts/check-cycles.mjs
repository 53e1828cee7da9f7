// Folder-level import cycles in src/: each top-level folder may use only folders below it, so a
// value import from a.ts in src/x/ of src/y/ and one back from src/y/ to src/x/ (directly or
// through other folders) is an error. Type-only imports are ignored (they vanish at build time).
// Usage: node scripts/check-cycles.mjs [src]; exit 1 and every cycle printed when there is one.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const root = resolve(process.argv[2] ?? 'src');
const IMPORT = /^\s*(?:import|export)\s+(type\s+)?([^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm;

function* sources(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (/\.ts$/.test(name) && !name.endsWith('.d.ts')) yield path;
  }
}

/** True when every name an import brings is a type (`import { type A, type B } from …`). */
const typeOnly = (typeKeyword, clause) => Boolean(typeKeyword) || /^\s*\{\s*(type\s+[^,}]+,?\s*)+\}\s*from\s*$/.test(clause ?? '');
const folderOf = (path) => relative(root, path).split(sep)[0];

const uses = new Map();
for (const file of sources(root)) {
  for (const m of readFileSync(file, 'utf8').matchAll(IMPORT)) {
    if (typeOnly(m[1], m[2])) continue;
    const target = resolve(dirname(file), m[3]);
    if (!target.startsWith(root + sep)) continue;
    const [a, b] = [folderOf(file), folderOf(target)];
    if (a === b || b.endsWith('.ts') || a.endsWith('.ts')) continue;
    if (!uses.has(a)) uses.set(a, new Map());
    if (!uses.get(a).has(b)) uses.get(a).set(b, `${relative(root, file)} → ${m[3]}`);
  }
}

// Depth-first search; every back edge closes a cycle.
const state = new Map();
const stack = [];
const cycles = [];
function visit(u) {
  state.set(u, 'open');
  stack.push(u);
  for (const [v, via] of uses.get(u) ?? []) {
    if (state.get(v) === 'open') cycles.push(`${[...stack.slice(stack.indexOf(v)), v].join(' → ')} (closed by ${via})`);
    else if (!state.has(v)) visit(v);
  }
  stack.pop();
  state.set(u, 'done');
}
for (const u of [...uses.keys()].sort()) if (!state.has(u)) visit(u);

if (cycles.length) {
  console.error(`import cycles between folders of ${relative(process.cwd(), root) || '.'}/ (a folder may use only folders below it):`);
  for (const c of cycles) console.error(`  ${c}`);
  process.exit(1);
}
console.log(`no import cycles between the ${new Set([...uses.keys(), ...[...uses.values()].flatMap((m) => [...m.keys()])]).size} folders of ${relative(process.cwd(), root) || '.'}/`);
