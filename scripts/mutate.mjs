// Mutation testing with StrykerJS: `npm run mutate -- <src file or folder>... [stryker flags]`,
// e.g. `npm run mutate -- src/switching` or `npm run mutate -- src/lb/select.ts --incremental`.
// Positional arguments are the targets (stryker.config.mjs picks their tests); flags such as
// --incremental or --concurrency 1 go to `stryker run` unchanged. Reports land in reports/mutation/.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const targets = [];
const flags = [];
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (a.startsWith('-')) {
    flags.push(a);
    // A flag's value (e.g. --concurrency 1) is the next argument unless that is another flag.
    if (!a.includes('=') && i + 1 < args.length && !args[i + 1].startsWith('-') && !args[i + 1].startsWith('src/')) flags.push(args[++i]);
  } else targets.push(a);
}
if (targets.length === 0) {
  console.error('mutate: expected a file or folder under src/, e.g. `npm run mutate -- src/switching`');
  process.exit(2);
}
for (const t of targets) {
  if (!t.startsWith('src/') || !existsSync(t)) {
    console.error(`mutate: target "${t}": expected an existing file or folder under src/`);
    process.exit(2);
  }
}
const result = spawnSync(process.execPath, ['node_modules/@stryker-mutator/core/bin/stryker.js', 'run', 'stryker.config.mjs', ...flags], {
  stdio: 'inherit',
  env: { ...process.env, VNET_MUTATE: targets.join(',') },
});
process.exit(result.status ?? 1);
