/**
 * scripts/mutation-summary.mjs on tiny Stryker reports: the score's arithmetic (killed and timed
 * out over killed, timed out, survived and no coverage; compile and runtime errors, ignored and
 * pending left out), files grouped by folder, a run restricted to given mutants merged into the
 * full report it refines, a report of older code set aside, and bad input named.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const SCRIPT = join(import.meta.dirname, '../../../scripts/mutation-summary.mjs');
const dirs: string[] = [];
afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });

type Status = 'Killed' | 'Timeout' | 'Survived' | 'NoCoverage' | 'CompileError' | 'RuntimeError' | 'Ignored' | 'Pending';

/** A mutant on line `line` (its location is its identity across reports). */
const mutant = (status: Status, line: number, replacement = 'false') => ({
  id: String(line), mutatorName: 'ConditionalExpression', replacement, status,
  location: { start: { line, column: 1 }, end: { line, column: 5 } },
});

/** Writes reports (name → files → [source, mutants]) with increasing mtimes, in the order given; runs the script on the folder. */
function run(reports: [string, Record<string, [string, ReturnType<typeof mutant>[]]>][], raw: Record<string, string> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'vnet-mutsum-'));
  dirs.push(dir);
  reports.forEach(([name, files], i) => {
    const path = join(dir, name);
    const json = { schemaVersion: '1.0', thresholds: { high: 90, low: 80 }, files: Object.fromEntries(Object.entries(files).map(([f, [source, mutants]]) => [f, { language: 'typescript', source, mutants }])) };
    writeFileSync(path, JSON.stringify(json));
    utimesSync(path, 1_000_000 + i * 10, 1_000_000 + i * 10);
  });
  for (const [name, text] of Object.entries(raw)) writeFileSync(join(dir, name), text);
  const r = spawnSync(process.execPath, [SCRIPT, dir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

/** The per-folder markdown rows, and the per-file lines reduced to name, score and counts. */
const folderRows = (out: string) => out.split('\n').filter((l) => l.startsWith('| `'));
const fileLine = (out: string, file: string) => out.split('\n').find((l) => l.startsWith(file))?.replace(/\s+/g, ' ').trim();

describe('the score', () => {
  const statuses: Status[] = ['Killed', 'Killed', 'Timeout', 'Survived', 'NoCoverage', 'CompileError', 'RuntimeError', 'Ignored', 'Pending'];
  const one = statuses.map((s, i) => mutant(s, i + 1));

  it('killed and timed out over the valid mutants: no coverage counts as survived, invalid, ignored and pending ones are left out', () => {
    const r = run([['x.json', { 'src/x/one.ts': ['a', one] }]]);
    expect(r.status).toBe(0);
    // 3 detected (2 killed, 1 timeout) of 5 valid (+ survived, no coverage); 4 excluded.
    expect(fileLine(r.out, 'src/x/one.ts')).toBe('src/x/one.ts 60% 3 / 5 survived 2, excluded 4');
  });

  it('a folder sums its files\' mutants (not their percentages); one decimal, none when whole', () => {
    const r = run([
      ['x.json', { 'src/x/one.ts': ['a', one], 'src/x/two.ts': ['b', [mutant('Killed', 1)]] }],
      ['y.json', { 'src/y/three.ts': ['c', [mutant('Survived', 1), mutant('Killed', 2), mutant('Killed', 3), mutant('Timeout', 4)]] }],
    ]);
    expect(fileLine(r.out, 'src/x/two.ts')).toBe('src/x/two.ts 100% 1 / 1 survived 0');
    // src/x: (3 + 1) / (5 + 1) = 66.67 %, not the mean of 60 % and 100 %.
    expect(folderRows(r.out)).toEqual(['| `src/x` | 2 | 4 / 6 | 66.7% |', '| `src/y` | 1 | 3 / 4 | 75% |']);
  });

  it('a file with only excluded mutants has no score', () => {
    const r = run([['z.json', { 'src/z/types.ts': ['t', [mutant('CompileError', 1)]] }]]);
    expect(folderRows(r.out)).toEqual(['| `src/z` | 1 | 0 / 0 | n/a |']);
  });
});

describe('several reports of one file', () => {
  const full: ReturnType<typeof mutant>[] = [mutant('Survived', 1), mutant('Survived', 2), mutant('Killed', 3), mutant('Killed', 4)];

  it('a newer run of given mutants (same source) replaces their statuses and keeps the rest of the full report', () => {
    const r = run([
      ['lb-x.full.json', { 'src/lb/x.ts': ['code', full] }],
      ['lb-x.json', { 'src/lb/x.ts': ['code', [mutant('Killed', 1)]] }],
    ]);
    expect(fileLine(r.out, 'src/lb/x.ts')).toBe('src/lb/x.ts 75% 3 / 4 survived 1');
  });

  it('whatever the order of the names: the newest report wins, not the last read', () => {
    const r = run([
      ['b.json', { 'src/lb/x.ts': ['code', [mutant('Killed', 1), mutant('Killed', 2)]] }],
      ['a.json', { 'src/lb/x.ts': ['code', [mutant('Survived', 1)]] }],
    ]);
    expect(fileLine(r.out, 'src/lb/x.ts')).toBe('src/lb/x.ts 50% 1 / 2 survived 1');
  });

  it('the same location with another replacement is another mutant', () => {
    const r = run([
      ['a.json', { 'src/lb/x.ts': ['code', [mutant('Killed', 1, 'true')]] }],
      ['b.json', { 'src/lb/x.ts': ['code', [mutant('Survived', 1, 'false')]] }],
    ]);
    expect(fileLine(r.out, 'src/lb/x.ts')).toBe('src/lb/x.ts 50% 1 / 2 survived 1');
  });

  it('an older report of other source text is set aside: its locations mean other code', () => {
    const r = run([
      ['old.json', { 'src/lb/x.ts': ['old code', full] }],
      ['new.json', { 'src/lb/x.ts': ['new code', [mutant('Killed', 7)]] }],
    ]);
    expect(fileLine(r.out, 'src/lb/x.ts')).toBe('src/lb/x.ts 100% 1 / 1 survived 0');
  });
});

describe('bad input', () => {
  it('a file that is not JSON, or not a report, is named with what was expected', () => {
    const notJson = run([], { 'broken.json': '{ nope' });
    expect(notJson.status).toBe(2);
    expect(notJson.err).toMatch(/broken\.json: not JSON/);
    const notReport = run([], { 'other.json': '{"name": "vnet"}' });
    expect(notReport.err).toMatch(/other\.json: expected a Stryker mutation-testing report with a "files" object/);
  });

  it('an unknown status names the report, the file and the mutant', () => {
    const r = run([['a.json', { 'src/lb/x.ts': ['code', [{ ...mutant('Killed', 1), status: 'Exploded' as Status }]] }]]);
    expect(r.status).toBe(2);
    expect(r.err).toMatch(/a\.json: files\["src\/lb\/x\.ts"\], mutant 1: unknown status "Exploded"/);
  });

  it('an empty folder says to run npm run mutate first; a missing path says what was expected', () => {
    const empty = run([]);
    expect(empty.status).toBe(2);
    expect(empty.err).toMatch(/no JSON report in .*run npm run mutate first/);
    const missing = spawnSync(process.execPath, [SCRIPT, '/nonexistent/reports'], { encoding: 'utf8' });
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/"\/nonexistent\/reports": expected a directory of Stryker JSON reports or a report file/);
  });
});
