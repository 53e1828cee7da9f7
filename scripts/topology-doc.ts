/**
 * The topology format reference (docs/topology.md), rendered from the JSON Schema that
 * src/topology/schema.ts produces: one table per kind of object (its keys, types, whether
 * required, what they mean), so the page can never list a key the validator refuses or miss one
 * it takes. Only the part between the markers of docs/topology.md is generated; prose around it
 * is written by hand. Pure: the caller (gen-schema.ts, the docs test) reads and writes the files.
 */
import { toJsonSchema } from '@valibot/to-json-schema';
import { topologySchema } from '../src/topology/schema.js';

/** The slice of JSON Schema (draft-07) that @valibot/to-json-schema writes for this format. */
export interface JsonSchema {
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly anyOf?: readonly JsonSchema[];
  readonly properties?: Readonly<Record<string, JsonSchema>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: JsonSchema | boolean;
  readonly propertyNames?: JsonSchema;
  readonly items?: JsonSchema;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly pattern?: string;
  readonly title?: string;
  readonly description?: string;
}

/** schema/topology.schema.json, as an object. */
export function topologyJsonSchema(): JsonSchema & Record<string, unknown> {
  const schema = toJsonSchema(topologySchema, { errorMode: 'ignore', target: 'draft-07' }) as Record<string, unknown>;
  return {
    $schema: schema['$schema'],
    $id: 'https://vnet.invalid/schema/topology.schema.json',
    title: 'vnet topology',
    description: 'A small cloud for vnet: networks, subnets, routers, security groups, instances, floating IPs, load balancers. Reference: docs/topology.md in the vnet repository.',
    ...schema,
  };
}

/** The text of schema/topology.schema.json. */
export const schemaText = (): string => `${JSON.stringify(topologyJsonSchema(), null, 2)}\n`;

export const BEGIN = '<!-- BEGIN GENERATED: npm run gen:schema writes this part from src/topology/schema.ts; edit the declarations there, not this text -->';
export const END = '<!-- END GENERATED -->';

/**
 * Section titles by the place an object first appears (`*`: any name, `[]`: any list item).
 * A kind of object not listed here is titled by its place, so a new one still renders.
 */
const TITLES: Readonly<Record<string, string>> = {
  '': 'Top level',
  'external_networks.*': 'External network',
  'external_networks.*.pool': 'Start and end',
  'networks.*': 'Network',
  'networks.*.subnets.*': 'Subnet',
  'networks.*.subnets.*.allocation_pools[]': 'Start and end',
  'networks.*.subnets.*.host_routes[]': 'Route',
  'routers.*': 'Router',
  'routers.*.external_gateway': 'External gateway',
  'routers.*.interfaces[]': 'Router interface',
  'security_groups.*': 'Security group',
  'security_groups.*.rules[]': 'Security group rule',
  'network_acls.*': 'Network ACL',
  'network_acls.*.ingress[]': 'Network ACL rule',
  'instances.*': 'Instance',
  'instances.*.ports[]': 'Port',
  'instances.*.ports[].fixed_ips[]': 'Fixed IP',
  'instances.*.ports[].allowed_address_pairs[]': 'Allowed address pair',
  'floating_ips.*': 'Floating IP',
  'floating_ips.*.port_forwardings[]': 'Port forwarding',
  'load_balancers.*': 'Load balancer',
  'load_balancers.*.listeners[]': 'Listener',
  'load_balancers.*.pools.*': 'Pool',
  'load_balancers.*.pools.*.members[]': 'Member',
  'load_balancers.*.pools.*.health_monitor': 'Health monitor',
  'external_hosts.*': 'External host',
};

interface Section {
  readonly key: string;
  readonly title: string;
  readonly schema: JsonSchema;
  /** Every place this shape appears, in document order. */
  readonly places: string[];
}

const isObject = (s: JsonSchema): boolean => s.properties !== undefined;
const isMap = (s: JsonSchema): boolean => s.type === 'object' && s.properties === undefined && typeof s.additionalProperties === 'object';

/** A place as a reader writes it: `networks.<name>.subnets.<name>`, `routers.<name>.interfaces[]`. */
const placeText = (place: string): string => (place === '' ? '(the file itself)' : place.replace(/\*/g, '<name>'));

/** GitHub's heading anchors: lower case, punctuation other than `-` and `_` dropped, spaces to `-`. */
export function anchorOf(heading: string): string {
  return heading.trim().toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

/** Walks the schema and collects one section per distinct object shape, first appearance first. */
function collect(root: JsonSchema): Section[] {
  const sections: Section[] = [];
  const byShape = new Map<string, Section>();
  const visit = (s: JsonSchema, place: string): void => {
    if (isObject(s)) {
      const shape = JSON.stringify({ ...s, description: undefined });
      const seen = byShape.get(shape);
      if (seen) {
        seen.places.push(place);
        return;
      }
      const section: Section = { key: shape, title: TITLES[place] ?? placeText(place), schema: s, places: [place] };
      byShape.set(shape, section);
      sections.push(section);
      for (const [k, child] of Object.entries(s.properties!)) visit(child, place === '' ? k : `${place}.${k}`);
      return;
    }
    if (isMap(s)) return visit(s.additionalProperties as JsonSchema, `${place}.*`);
    if (s.items) return visit(s.items, `${place}[]`);
    for (const member of s.anyOf ?? []) visit(member, place);
  };
  visit(root, '');
  // Two shapes may want one title (e.g. a pool range in two places with different descriptions).
  const used = new Map<string, number>();
  return sections.map((sec) => {
    const n = (used.get(sec.title) ?? 0) + 1;
    used.set(sec.title, n);
    return n === 1 ? sec : { ...sec, title: `${sec.title} (${n})` };
  });
}

const code = (x: unknown): string => `\`${typeof x === 'string' ? x : JSON.stringify(x)}\``;
/** Table cells may not hold a raw `|` or a line break. */
const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');

function range(s: JsonSchema): string {
  if (s.minimum !== undefined && s.maximum !== undefined) return ` ${s.minimum}–${s.maximum}`;
  if (s.minimum !== undefined) return ` ≥ ${s.minimum}`;
  if (s.maximum !== undefined) return ` ≤ ${s.maximum}`;
  return '';
}

/** The type column: what a value may be, with links to the sections of objects. */
function typeText(s: JsonSchema, link: (s: JsonSchema) => string): string {
  if (s.const !== undefined) return code(s.const);
  if (s.enum) return s.enum.map(code).join(' or ');
  if (s.anyOf) return s.anyOf.map((m) => typeText(m, link)).join(' or ');
  if (isObject(s)) return link(s);
  if (isMap(s)) return `map: name → ${typeText(s.additionalProperties as JsonSchema, link)}`;
  if (s.type === 'array') {
    const n = s.minItems !== undefined && s.minItems === s.maxItems ? `${s.minItems} ` : '';
    const item = typeText(s.items ?? {}, link);
    return `list of ${n}${item.includes(' or ') ? `(${item})` : item}`;
  }
  if (s.type === 'string') {
    // The declarations give each kind of string a title (address, CIDR, service...).
    if (s.title !== undefined) return s.title;
    return s.pattern !== undefined ? 'name' : 'string';
  }
  if (s.type === 'integer') return `integer${range(s)}`;
  if (s.type === 'number') return `number${range(s)}`;
  return s.type ?? 'any value';
}

const NAME_TEXT = 'A name: letters, digits, "_", "." or "-"';

/** The meaning column: the key's own description, else what its alternatives say. */
function meaning(s: JsonSchema): string {
  if (s.description !== undefined && s.description !== NAME_TEXT) return s.description;
  const parts: string[] = [];
  const gather = (x: JsonSchema): void => {
    if (x.description !== undefined && x.description !== NAME_TEXT && !isObject(x)) parts.push(x.description);
    else if (x.anyOf) x.anyOf.forEach(gather);
    else if (x.type === 'array' && x.items) gather(x.items);
  };
  gather(s);
  return [...new Set(parts)].join('; ');
}

/** The generated part of docs/topology.md, without the markers. */
export function topologyReference(root: JsonSchema): string {
  const sections = collect(root);
  const byShape = new Map(sections.map((s) => [s.key, s]));
  const link = (s: JsonSchema): string => {
    const sec = byShape.get(JSON.stringify({ ...s, description: undefined }));
    return sec ? `[${sec.title}](#${anchorOf(sec.title)})` : 'object';
  };
  const out: string[] = [];
  for (const sec of sections) {
    out.push(`### ${sec.title}`, '');
    out.push(`At ${sec.places.map((p) => (p === '' ? placeText(p) : code(placeText(p)))).join(', ')}.`, '');
    out.push('| key | type | required | meaning |', '|---|---|---|---|');
    const required = new Set(sec.schema.required ?? []);
    for (const [k, child] of Object.entries(sec.schema.properties!)) {
      out.push(`| ${code(k)} | ${cell(typeText(child, link))} | ${required.has(k) ? 'yes' : ''} | ${cell(meaning(child))} |`);
    }
    out.push('');
  }
  return out.join('\n');
}

/** `page` with its generated part replaced; an error when the markers are missing or out of order. */
export function withReference(page: string, reference: string): string {
  const begin = page.indexOf(BEGIN);
  const end = page.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`docs/topology.md needs the markers ${BEGIN} and ${END}, in that order`);
  return `${page.slice(0, begin + BEGIN.length)}\n\n${reference}\n${page.slice(end)}`;
}
