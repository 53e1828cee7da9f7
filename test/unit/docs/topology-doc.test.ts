/**
 * docs/topology.md's reference part and schema/topology.schema.json come from the declarations
 * of src/topology/schema.ts (scripts/topology-doc.ts): the committed files are current, every
 * key of every kind of object has its row in the section for that object, and the hand-written
 * prose around the markers survives a regeneration unchanged.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BEGIN, END, schemaText, topologyJsonSchema, topologyReference, withReference, type JsonSchema } from '../../../scripts/topology-doc.js';

const read = (file: string) => readFileSync(new URL(`../../../${file}`, import.meta.url), 'utf8');

/** Every object of the schema with the place it appears at, as the page writes places. */
function objects(s: JsonSchema, place: string, out: { place: string; keys: string[] }[] = []): { place: string; keys: string[] }[] {
  if (s.properties) {
    out.push({ place, keys: Object.keys(s.properties) });
    for (const [k, child] of Object.entries(s.properties)) objects(child, place === '' ? k : `${place}.${k}`, out);
  } else if (typeof s.additionalProperties === 'object') objects(s.additionalProperties, `${place}.<name>`, out);
  else if (s.items) objects(s.items, `${place}[]`, out);
  else for (const m of s.anyOf ?? []) objects(m, place, out);
  return out;
}

/** The generated sections: title, the places its "At" line lists, and the keys of its rows. */
function sections(reference: string): { title: string; places: string[]; keys: string[] }[] {
  return reference.split(/^### /m).slice(1).map((text) => {
    const [title = '', ...lines] = text.split('\n');
    const at = lines.find((l) => l.startsWith('At ')) ?? '';
    const places = at === 'At (the file itself).' ? [''] : [...at.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    const keys = lines.filter((l) => /^\| `/.test(l)).map((l) => /^\| `([^`]+)`/.exec(l)![1]!);
    return { title, places, keys };
  });
}

describe('the topology reference', () => {
  it('schema/topology.schema.json and docs/topology.md are what npm run gen:schema writes', () => {
    expect(read('schema/topology.schema.json')).toBe(schemaText());
    const page = read('docs/topology.md');
    expect(page).toBe(withReference(page, topologyReference(topologyJsonSchema())));
  });

  it('has, for every object of the schema, a section at its place with exactly its keys', () => {
    const secs = sections(topologyReference(topologyJsonSchema()));
    const all = objects(topologyJsonSchema(), '');
    expect(all.length).toBeGreaterThan(20);
    for (const o of all) {
      const sec = secs.find((s) => s.places.includes(o.place));
      expect(sec, `no section lists ${o.place || 'the top level'}`).toBeDefined();
      expect(sec!.keys, `section ${sec!.title}`).toEqual(o.keys);
    }
  });

  it('documents neutron_backend with both back ends, and every top-level key', () => {
    const top = sections(topologyReference(topologyJsonSchema()))[0]!;
    expect(top.keys).toEqual(Object.keys(topologyJsonSchema().properties!));
    expect(read('docs/topology.md')).toMatch(/\| `neutron_backend` \| `l3-agent` or `ovn` \|/);
  });

  it('links each object type to a section that exists', () => {
    const reference = topologyReference(topologyJsonSchema());
    const titles = new Set(sections(reference).map((s) => s.title.toLowerCase().replace(/[^a-z0-9 _-]/g, '').replace(/ /g, '-')));
    const links = [...reference.matchAll(/\]\(#([^)]+)\)/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(10);
    for (const l of links) expect(titles.has(l), l).toBe(true);
  });

  it('keeps the prose around the markers and is idempotent (fast-check, 200 runs)', () => {
    const prose = fc.string().filter((s) => !s.includes(BEGIN) && !s.includes(END));
    fc.assert(fc.property(prose, prose, fc.string(), prose, (before, after, old, ref) => {
      const page = `${before}${BEGIN}${old.replaceAll(END, '')}${END}${after}`;
      const once = withReference(page, ref);
      expect(once.startsWith(`${before}${BEGIN}`)).toBe(true);
      expect(once.endsWith(`${END}${after}`)).toBe(true);
      expect(withReference(once, ref)).toBe(once);
    }), { numRuns: 200 });
  });

  it('refuses a page without its markers, or with them out of order', () => {
    expect(() => withReference('# no markers', 'x')).toThrow(/markers/);
    expect(() => withReference(`${END}\n${BEGIN}`, 'x')).toThrow(/markers/);
  });
});
