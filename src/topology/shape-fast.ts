/**
 * The shape check's fast path: the valibot schema compiled once into plain closures that, for a
 * document valibot accepts, build the very value valibot would (same keys in the schema's
 * order, name maps without a prototype) and otherwise answer REFUSED, so that valibot, the
 * reference, runs and words the issues. valibot's per-node datasets and pipes cost 0.6 s at
 * 100,000 instances; these closures allocate only the output. A kind of schema not known here
 * is run by valibot itself, so a new schema kind is never checked by a guess.
 */
import type * as v from 'valibot';

/** What a compiled check returns for a value valibot would refuse (or that this path does not vouch for). */
export const REFUSED: unique symbol = Symbol('refused');
type Check = (value: unknown) => unknown;

interface Node {
  readonly kind: string;
  readonly type: string;
  readonly pipe?: readonly Node[];
  readonly wrapped?: Node;
  readonly default?: unknown;
  readonly options?: readonly unknown[];
  readonly literal?: unknown;
  readonly item?: Node;
  readonly key?: Node;
  readonly value?: Node;
  readonly entries?: Readonly<Record<string, Node>>;
  readonly requirement?: unknown;
  readonly '~run': (dataset: { value: unknown }, config: v.Config<v.BaseIssue<unknown>>) => { typed: boolean; value: unknown; issues?: unknown };
}

/**
 * Compiles a schema. `nameMaps` holds the record schemas made by nameMap (own keys only, output
 * without a prototype); any other record is left to valibot.
 */
export function compileShape(schema: v.GenericSchema, nameMaps: ReadonlySet<object>): (value: unknown) => unknown {
  return compile(schema as unknown as Node, nameMaps);
}

function compile(node: Node, nameMaps: ReadonlySet<object>): Check {
  if (node.pipe !== undefined) return compilePipe(node, node.pipe, nameMaps);
  switch (node.type) {
    case 'string': return (x) => (typeof x === 'string' ? x : REFUSED);
    case 'boolean': return (x) => (typeof x === 'boolean' ? x : REFUSED);
    case 'number': return (x) => (typeof x === 'number' && !Number.isNaN(x) ? x : REFUSED);
    case 'literal': {
      const literal = node.literal;
      return (x) => (x === literal ? x : REFUSED);
    }
    case 'picklist': {
      const options = node.options ?? [];
      return (x) => (options.includes(x) ? x : REFUSED);
    }
    case 'optional':
    case 'nullable': {
      if (node.default !== undefined || !node.wrapped) return byValibot(node);
      const inner = compile(node.wrapped, nameMaps);
      const absent = node.type === 'optional' ? undefined : null;
      return (x) => (x === absent ? x : inner(x));
    }
    case 'union': return compileUnion((node.options ?? []) as Node[], nameMaps);
    case 'array': return node.item ? compileArray(compile(node.item, nameMaps)) : byValibot(node);
    case 'record':
      return nameMaps.has(node) && node.key && node.value ? compileNameMap(compile(node.key, nameMaps), compile(node.value, nameMaps)) : byValibot(node);
    case 'strict_object': return node.entries ? compileStrictObject(node.entries, nameMaps) : byValibot(node);
    default: return byValibot(node);
  }
}

/** The schema's own run: exact by definition, for kinds this file does not compile. */
function byValibot(node: Node): Check {
  const config = { abortEarly: true, abortPipeEarly: true };
  return (x) => {
    const out = node['~run']({ value: x }, config);
    return out.issues === undefined && out.typed ? out.value : REFUSED;
  };
}

/** A pipe here is a schema followed by validations, which keep the value; metadata is skipped. */
function compilePipe(node: Node, pipe: readonly Node[], nameMaps: ReadonlySet<object>): Check {
  const [first, ...rest] = pipe;
  if (!first) throw new Error('compileShape: an empty pipe');
  const head = compile(first, nameMaps);
  const tests: ((x: unknown) => boolean)[] = [];
  for (const action of rest) {
    if (action.kind === 'metadata') continue;
    const test = validation(action);
    if (!test) return byValibot(node);
    tests.push(test);
  }
  if (tests.length === 0) return head;
  if (tests.length === 1) {
    const only = tests[0]!;
    return (x) => { const out = head(x); return out !== REFUSED && only(out) ? out : REFUSED; };
  }
  return (x) => {
    const out = head(x);
    if (out === REFUSED) return REFUSED;
    for (const t of tests) if (!t(out)) return REFUSED;
    return out;
  };
}

/** The validations the topology schema uses, as valibot states them; undefined for any other. */
function validation(action: Node): ((x: unknown) => boolean) | undefined {
  const req = action.requirement;
  switch (action.type) {
    case 'regex': {
      const re = req as RegExp;
      if (re.global || re.sticky) return undefined;
      return (x) => re.test(x as string);
    }
    case 'integer': return (x) => Number.isInteger(x);
    case 'min_value': return (x) => (x as number) >= (req as number);
    case 'max_value': return (x) => (x as number) <= (req as number);
    case 'length': return (x) => (x as { length: unknown }).length === req;
    default: return undefined;
  }
}

/** valibot's union returns the first option that passes without issues. */
function compileUnion(options: readonly Node[], nameMaps: ReadonlySet<object>): Check {
  const checks = options.map((o) => compile(o, nameMaps));
  return (x) => {
    for (const check of checks) {
      const out = check(x);
      if (out !== REFUSED) return out;
    }
    return REFUSED;
  };
}

function compileArray(item: Check): Check {
  return (x) => {
    if (!Array.isArray(x)) return REFUSED;
    // The input itself while every item comes out unchanged (a hole reads as undefined, as in valibot).
    let out: unknown[] | undefined;
    for (let i = 0; i < x.length; i++) {
      const o = item(x[i]);
      if (o === REFUSED) return REFUSED;
      if (out !== undefined) out.push(o);
      else if (o !== x[i] || !(i in x)) { out = x.slice(0, i); out.push(o); }
    }
    return out ?? x;
  };
}

/**
 * Only plain objects (the parsers' maps): valibot would also take arrays and objects of other
 * prototypes as maps, and then valibot answers. valibot's output lists the keys in the schema's
 * order; an input that already does, and whose values all come out unchanged, is that output.
 */
function compileStrictObject(entries: Readonly<Record<string, Node>>, nameMaps: ReadonlySet<object>): Check {
  const keys = Object.keys(entries);
  const checks = keys.map((k) => compile(entries[k]!, nameMaps));
  // A default would add a key that the input lacks: not compiled (optional(x, default) goes to valibot).
  const optional = keys.map((k) => { const t = entries[k]!.type; return t === 'optional' || t === 'exact_optional' || t === 'nullish'; });
  return (x) => {
    if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return REFUSED;
    const input = x as Record<string, unknown>;
    let out: Record<string, unknown> | undefined;
    let present = 0;
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const value = input[key];
      if (value === undefined) {
        // An own key holding undefined is counted below and sends the object to valibot.
        if (!optional[i]) return REFUSED;
        continue;
      }
      const o = checks[i]!(value);
      if (o === REFUSED) return REFUSED;
      if (out === undefined && o !== value) out = copyUpTo(input, keys, i);
      if (out !== undefined) out[key] = o;
      present++;
    }
    // Any key beyond the schema's is unknown (for-in sees what valibot's unknown-key loop sees).
    let count = 0;
    let inOrder = true;
    let next = 0;
    for (const k in input) {
      count++;
      if (inOrder) {
        while (next < keys.length && keys[next] !== k) next++;
        inOrder = next++ < keys.length;
      }
    }
    if (count !== present) return REFUSED;
    return out ?? (inOrder ? input : copyUpTo(input, keys, keys.length));
  };
}

/** A new map with the input's values of the schema's keys before `end`, in the schema's order. */
function copyUpTo(input: Record<string, unknown>, keys: readonly string[], end: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (let i = 0; i < end; i++) {
    const value = input[keys[i]!];
    if (value !== undefined) out[keys[i]!] = value;
  }
  return out;
}

/** nameMap's semantics: every own key, checked by the key schema, into a map without a prototype. */
function compileNameMap(key: Check, value: Check): Check {
  return (x) => {
    if (x === null || typeof x !== 'object' || Array.isArray(x)) return REFUSED;
    const input = x as Record<string, unknown>;
    const out = Object.create(null) as Record<string, unknown>;
    for (const k of Object.keys(input)) {
      if (key(k) === REFUSED) return REFUSED;
      const o = value(input[k]);
      if (o === REFUSED) return REFUSED;
      out[k] = o;
    }
    return out;
  };
}
