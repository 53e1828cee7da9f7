// Mutation scores from StrykerJS's JSON reports: `npm run mutate:summary [-- <dir or report.json>...]`
// (default reports/mutation). Prints the score per file and per folder, then the per-folder
// table in markdown (for the README's "Mutation testing" section).
//
// Score = (Killed + Timeout) / valid mutants, as Stryker counts it:
// - valid: Killed, Timeout, Survived and NoCoverage (a mutant no test reaches counts as survived);
// - excluded: CompileError and RuntimeError (invalid mutants), Ignored, and Pending (not run).
// A file found in several reports (a folder's run and a file's run, or a run restricted to given
// mutants with --mutate=file:lines, which overwrites the file's report, beside a copy of the full
// one): the newest report (file mtime) wins mutant by mutant, keyed by mutator, location and
// replacement; an older report's mutants are merged in only while its copy of the source is the
// same text (else the code changed and its locations no longer mean the same thing).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import process from 'node:process';

const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const KNOWN = new Set([...DETECTED, ...UNDETECTED, 'CompileError', 'RuntimeError', 'Ignored', 'Pending']);

/** The report files named by the arguments: directories give their *.json (non-recursive). */
function reportPaths(args) {
  return args.flatMap((a) => {
    let s;
    try {
      s = statSync(a);
    } catch (e) {
      throw new Error(`mutation-summary: "${a}": expected a directory of Stryker JSON reports or a report file`, { cause: e });
    }
    if (!s.isDirectory()) return [a];
    return readdirSync(a).filter((f) => f.endsWith('.json')).sort().map((f) => join(a, f));
  });
}

/** One report: its path, modification time and files (schema: files → { source, mutants[] }). */
function readReport(path) {
  let json;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`mutation-summary: ${path}: not JSON (${e.message})`, { cause: e });
  }
  if (typeof json !== 'object' || json === null || typeof json.files !== 'object' || json.files === null) {
    throw new Error(`mutation-summary: ${path}: expected a Stryker mutation-testing report with a "files" object`);
  }
  for (const [file, f] of Object.entries(json.files)) {
    if (!Array.isArray(f.mutants)) throw new Error(`mutation-summary: ${path}: files["${file}"].mutants: expected an array`);
    for (const m of f.mutants) {
      if (!KNOWN.has(m.status)) throw new Error(`mutation-summary: ${path}: files["${file}"], mutant ${m.id}: unknown status "${m.status}"`);
    }
  }
  return { path, mtime: statSync(path).mtimeMs, files: json.files };
}

const mutantKey = (m) => `${m.mutatorName}|${m.location.start.line}:${m.location.start.column}-${m.location.end.line}:${m.location.end.column}|${m.replacement ?? ''}`;

/** file → mutants, the newest report first and older ones merged in while the source is the same. */
export function mergeReports(reports) {
  const byNewest = [...reports].sort((a, b) => b.mtime - a.mtime || a.path.localeCompare(b.path));
  const files = new Map();
  for (const r of byNewest) {
    for (const [file, f] of Object.entries(r.files)) {
      const name = file.split('\\').join('/');
      let entry = files.get(name);
      if (!entry) files.set(name, (entry = { source: f.source, mutants: new Map() }));
      else if (entry.source !== f.source) continue;
      for (const m of f.mutants) if (!entry.mutants.has(mutantKey(m))) entry.mutants.set(mutantKey(m), m.status);
    }
  }
  return files;
}

/** Counts and score of a list of statuses; score null when no mutant is valid. */
export function score(statuses) {
  let detected = 0;
  let undetected = 0;
  let excluded = 0;
  for (const s of statuses) {
    if (DETECTED.has(s)) detected++;
    else if (UNDETECTED.has(s)) undetected++;
    else excluded++;
  }
  const valid = detected + undetected;
  return { detected, undetected, excluded, valid, score: valid === 0 ? null : (100 * detected) / valid };
}

/** One decimal, none when it is 0: 85%, 98.4%. */
const percent = (s) => (s === null ? 'n/a' : `${Math.round(s * 10) / 10}%`);

/** Per-file and per-folder figures, sorted by name. */
export function summarize(files) {
  const perFile = [...files].map(([file, e]) => ({ name: file, ...score([...e.mutants.values()]) })).sort((a, b) => a.name.localeCompare(b.name));
  const folders = new Map();
  for (const [file, e] of files) {
    const folder = posix.dirname(file);
    folders.set(folder, [...(folders.get(folder) ?? []), ...e.mutants.values()]);
  }
  const perFolder = [...folders].map(([name, statuses]) => ({ name, files: perFile.filter((f) => posix.dirname(f.name) === name).length, ...score(statuses) })).sort((a, b) => a.name.localeCompare(b.name));
  return { perFile, perFolder };
}

export function render({ perFile, perFolder }) {
  const line = (r) => `${r.name.padEnd(44)} ${percent(r.score).padStart(6)}  ${String(r.detected).padStart(5)} / ${String(r.valid).padEnd(5)} survived ${r.undetected}${r.excluded ? `, excluded ${r.excluded}` : ''}`;
  return [
    'Per file (killed + timed out / valid mutants):',
    ...perFile.map(line),
    '',
    'Per folder:',
    ...perFolder.map(line),
    '',
    '| folder | files measured | killed + timed out / valid | score |',
    '|---|---|---|---|',
    ...perFolder.map((r) => `| \`${r.name}\` | ${r.files} | ${r.detected} / ${r.valid} | ${percent(r.score)} |`),
  ].join('\n');
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href;
if (isMain) {
  try {
    const args = process.argv.slice(2);
    const paths = reportPaths(args.length ? args : ['reports/mutation']);
    if (paths.length === 0) throw new Error(`mutation-summary: no JSON report in ${args.length ? args.join(', ') : 'reports/mutation'} (run npm run mutate first)`);
    console.log(render(summarize(mergeReports(paths.map(readReport)))));
  } catch (e) {
    console.error(e.message);
    process.exit(2);
  }
}
