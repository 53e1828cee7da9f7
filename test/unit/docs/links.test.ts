/**
 * The docs stand on their own: every relative link in README.md and docs/*.md resolves to a
 * file or folder of the repository (and a `#fragment` to a heading of the page it names), no
 * link leaves the repository, and nothing in README, docs or src points readers to the design
 * notes that live outside it.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anchorOf } from '../../../scripts/topology-doc.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const pages = ['README.md', ...readdirSync(join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** Markdown without fenced code and inline code, where `[x](y)` is not a link. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```$/gm, '').replace(/`[^`\n]*`/g, '');

/** Every `[text](target)` link of a page (images too), with its line. */
function linksOf(text: string): { target: string; line: number }[] {
  const out: { target: string; line: number }[] = [];
  prose(text).split('\n').forEach((l, i) => {
    for (const m of l.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)) out.push({ target: m[1]!, line: i + 1 });
  });
  return out;
}

/** The anchors GitHub makes for a page's headings (a repeated heading gets -1, -2, ...). */
function anchorsOf(text: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const m of text.replace(/^```[\s\S]*?^```$/gm, '').matchAll(/^#{1,6} (.*)$/gm)) {
    const base = anchorOf(m[1]!.replace(/`/g, ''));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** What is wrong with one link of `page`, or undefined when it resolves inside the repository. */
function brokenLink(page: string, target: string, files: { exists(p: string): boolean; isFile(p: string): boolean; text(p: string): string }): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return /^(https?|mailto):/i.test(target) ? undefined : `scheme not allowed: ${target}`;
  const [path = '', fragment] = target.split('#', 2);
  const file = path === '' ? page : relative(root, resolve(root, dirname(page), decodeURI(path)));
  if (file.startsWith('..') || file.startsWith(sep) || resolve(root, file) === resolve(root, '..')) return `leaves the repository: ${target}`;
  if (!files.exists(file)) return `no such file: ${file}`;
  if (fragment !== undefined && file.endsWith('.md')) {
    if (!files.isFile(file)) return `not a page: ${file}`;
    if (!anchorsOf(files.text(file)).has(fragment)) return `no heading #${fragment} in ${file}`;
  }
  return undefined;
}

const repo = {
  exists: (p: string) => existsSync(join(root, p)),
  isFile: (p: string) => statSync(join(root, p)).isFile(),
  text: (p: string) => read(p),
};

describe('links in README.md and docs/', () => {
  it('covers the README and every page of docs/', () => {
    expect(pages).toEqual(expect.arrayContaining(['README.md', 'docs/topology.md', 'docs/trace-json.md', 'docs/websocket.md', 'docs/probes.md', 'docs/library.md', 'docs/realize.md']));
  });

  it.each(pages)('%s: every relative link resolves to a file of the repository', (page) => {
    const links = linksOf(read(page));
    const broken = links.flatMap((l) => {
      const why = brokenLink(page, l.target, repo);
      return why === undefined ? [] : [`${page}:${l.line}: ${why}`];
    });
    expect(broken).toEqual([]);
  });

  it('the README links every page of docs/', () => {
    const targets = new Set(linksOf(read('README.md')).map((l) => l.target.split('#')[0]));
    for (const p of pages.filter((p) => p.startsWith('docs/'))) expect(targets, p).toContain(p);
  });

  it('a link check catches a missing file, a missing heading and a way out of the repository', () => {
    expect(brokenLink('docs/library.md', 'nothing-here.md', repo)).toMatch(/no such file/);
    expect(brokenLink('docs/library.md', 'trace-json.md#no-such-heading', repo)).toMatch(/no heading/);
    expect(brokenLink('docs/library.md', '../../shared/DESIGN.md', repo)).toMatch(/leaves the repository/);
    expect(brokenLink('README.md', 'file:///etc/passwd', repo)).toMatch(/scheme/);
    expect(brokenLink('docs/library.md', 'trace-json.md#stages', repo)).toBeUndefined();
    expect(brokenLink('docs/library.md', '../topologies', repo)).toBeUndefined();
  });

  it('any relative path that climbs above the repository is refused (fast-check, 200 runs)', () => {
    const segment = fc.constantFrom('docs', 'src', 'a', '.');
    fc.assert(fc.property(fc.array(segment, { maxLength: 3 }), fc.integer({ min: 1, max: 4 }), (down, extra) => {
      // From docs/x.md, one `..` reaches the root; `extra` more leave it, whatever comes after.
      const target = [...Array(1 + extra).fill('..'), ...down, 'README.md'].join('/');
      expect(brokenLink('docs/x.md', target, repo)).toMatch(/leaves the repository|no such file/);
      expect(brokenLink('docs/x.md', target, repo)).not.toBeUndefined();
    }), { numRuns: 200 });
  });
});

describe('no pointer outside the repository', () => {
  const sources = (dir: string): string[] => readdirSync(join(root, dir), { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? sources(`${dir}/${d.name}`) : d.name.endsWith('.ts') ? [`${dir}/${d.name}`] : []));
  const files = [...pages, ...sources('src')];

  it.each([['DESIGN'], ['../shared']])('nothing in README, docs or src mentions %s', (word) => {
    const hits = files.flatMap((f) => read(f).split('\n').flatMap((l, i) => (l.includes(word) ? [`${f}:${i + 1}: ${l.trim().slice(0, 120)}`] : [])));
    expect(files.length).toBeGreaterThan(100);
    expect(hits).toEqual([]);
  });
});
