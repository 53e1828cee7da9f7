/**
 * Neutron's list conventions: any attribute as an exact-match filter (a repeated parameter is
 * an OR; booleans compared case-insensitively, since OSC sends `True`), the ports' special
 * `fixed_ips=ip_address=…|subnet_id=…|ip_address_substr=…`, tag filters, repeated `fields`,
 * `sort_key`/`sort_dir`, and `limit`/`marker` with a `next` link only when more items exist.
 */
import { badRequest } from '../types.js';
import type { Json } from './render.js';

/** Parameters that steer the listing instead of filtering it. */
const CONTROL = new Set(['fields', 'limit', 'marker', 'page_reverse', 'sort_key', 'sort_dir', 'tags', 'tags-any', 'not-tags', 'not-tags-any', 'fixed_ips']);

function matches(value: unknown, wanted: readonly string[]): boolean {
  if (Array.isArray(value)) return value.some((v) => matches(v, wanted));
  if (value === null || value === undefined) return wanted.includes('') || wanted.some((w) => w.toLowerCase() === 'none');
  if (typeof value === 'boolean') return wanted.some((w) => w.toLowerCase() === String(value));
  return wanted.includes(String(value));
}

function fixedIpFilter(item: Json, specs: readonly string[]): boolean {
  const ips = (item.fixed_ips as { subnet_id: string; ip_address: string }[] | undefined) ?? [];
  return specs.every((spec) => {
    const eq = spec.indexOf('=');
    const key = eq < 0 ? spec : spec.slice(0, eq);
    const val = eq < 0 ? '' : spec.slice(eq + 1);
    if (key === 'ip_address') return ips.some((f) => f.ip_address === val);
    if (key === 'subnet_id') return ips.some((f) => f.subnet_id === val);
    if (key === 'ip_address_substr') return ips.some((f) => f.ip_address.includes(val));
    throw badRequest(`fixed_ips filter: expected ip_address=, subnet_id= or ip_address_substr=, got ${JSON.stringify(spec)}`, 'InvalidInput');
  });
}

function tagFilter(item: Json, q: URLSearchParams): boolean {
  const tags = new Set((item.tags as string[] | undefined) ?? []);
  const lists = (key: string) => q.getAll(key).map((v) => v.split(',').filter((t) => t !== ''));
  return lists('tags').every((l) => l.every((t) => tags.has(t)))
    && lists('tags-any').every((l) => l.some((t) => tags.has(t)))
    && lists('not-tags').every((l) => !l.every((t) => tags.has(t)))
    && lists('not-tags-any').every((l) => !l.some((t) => tags.has(t)));
}

export function filterItems(items: readonly Json[], q: URLSearchParams): Json[] {
  // Neutron without filter-validation (not advertised) ignores a filter that is no attribute of the resource.
  const keys = [...new Set(q.keys())].filter((k) => !CONTROL.has(k) && items.some((item) => k in item));
  const fixed = q.getAll('fixed_ips');
  return items.filter((item) => keys.every((k) => matches(item[k], q.getAll(k)))
    && (fixed.length === 0 || fixedIpFilter(item, fixed)) && tagFilter(item, q));
}

/** Only the requested fields (an empty `fields` list keeps everything). */
export function selectFields(item: Json, q: URLSearchParams): Json {
  const fields = q.getAll('fields').flatMap((f) => f.split(',')).filter((f) => f !== '');
  if (!fields.length) return item;
  return Object.fromEntries(fields.filter((f) => f in item).map((f) => [f, item[f]]));
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a ?? '').localeCompare(String(b ?? ''));
}

/** A list response: filtered, sorted, paged, fields selected, with `<plural>_links` when paged. */
export function listBody(plural: string, items: readonly Json[], q: URLSearchParams, selfUrl: string): Json {
  let out = filterItems(items, q);
  const sortKeys = q.getAll('sort_key');
  const sortDirs = q.getAll('sort_dir');
  if (sortKeys.length) {
    out = [...out].sort((a, b) => {
      for (let i = 0; i < sortKeys.length; i++) {
        const c = compare(a[sortKeys[i]!], b[sortKeys[i]!]);
        if (c !== 0) return sortDirs[i] === 'desc' ? -c : c;
      }
      return 0;
    });
  }
  const limitText = q.get('limit');
  const links: Json[] = [];
  if (limitText !== null) {
    const limit = Number(limitText);
    if (!Number.isInteger(limit) || limit < 0) throw badRequest(`limit: expected a non-negative integer, got ${JSON.stringify(limitText)}`, 'InvalidInput');
    const marker = q.get('marker');
    let start = 0;
    if (marker !== null) {
      const at = out.findIndex((i) => i.id === marker);
      if (at < 0) throw badRequest(`marker ${marker} is not in this list`, 'InvalidInput');
      start = at + 1;
    }
    if (q.get('page_reverse')?.toLowerCase() === 'true' && marker !== null) {
      const end = start - 1;
      out = out.slice(Math.max(0, end - (limit || end)), end);
    } else {
      const page = limit === 0 ? out.slice(start) : out.slice(start, start + limit);
      if (limit > 0 && start + limit < out.length) {
        const next = new URLSearchParams(q);
        next.set('marker', String(page.at(-1)!.id));
        links.push({ rel: 'next', href: `${selfUrl}?${next.toString()}` });
      }
      if (start > 0 && page.length) {
        const prev = new URLSearchParams(q);
        prev.set('marker', String(page[0]!.id));
        prev.set('page_reverse', 'True');
        links.push({ rel: 'previous', href: `${selfUrl}?${prev.toString()}` });
      }
      out = page;
    }
  }
  const body: Json = { [plural]: out.map((i) => selectFields(i, q)) };
  if (links.length) body[`${plural}_links`] = links;
  return body;
}
