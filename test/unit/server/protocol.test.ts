/**
 * The client side of the WebSocket protocol (DESIGN §7) at its boundary: good messages parse
 * to typed values with defaults filled in; bad ones become errors with a stable code and path
 * (asserted, not the wording), never exceptions.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_DEPTH, MAX_INJECT_COUNT, parseClientMessage, STAGES } from '../../../src/server/protocol.js';

const parse = (x: unknown) => parseClientMessage(typeof x === 'string' ? x : JSON.stringify(x));
const errorOf = (x: unknown) => {
  const r = parse(x);
  if (r.ok) throw new Error(`expected an error for ${JSON.stringify(x)}`);
  return r.error;
};

describe('parseClientMessage: good messages', () => {
  it('inject: tcp when a port is given, icmp otherwise (as vnet trace)', () => {
    expect(parse({ type: 'inject', v: 1, from: 'client', to: 'lb-fip', port: 80 })).toEqual({ ok: true, message: { type: 'inject', v: 1, count: 1, probe: { from: 'client', to: 'lb-fip', port: 80, proto: 'tcp', ipv6: false, spoof: null } } });
    const icmp = parse({ type: 'inject', v: 1, from: 'web-1', to: 'db-1' });
    expect(icmp.ok && icmp.message.type === 'inject' && icmp.message.probe.proto).toBe('icmp');
    const full = parse({ type: 'inject', v: 1, id: 'p1', from: 'web-1', to: 'db-1', proto: 'udp', port: 53, count: 3, ipv6: false });
    expect(full.ok).toBe(true);
  });

  it('subscribe, with and without a filter; pause, resume, reset', () => {
    expect(parse({ type: 'subscribe', v: 1 }).ok).toBe(true);
    expect(parse({ type: 'subscribe', v: 1, filter: { events: false, background: false, nodes: ['edge', 'router:edge'], stages: ['sg', 'router.route'], verdicts: ['dropped'] } }).ok).toBe(true);
    for (const type of ['pause', 'resume', 'reset']) expect(parse({ type, v: 1, id: 'x' })).toEqual({ ok: true, message: { type, v: 1, id: 'x' } });
  });

  it('every stage id and every stage family is a valid filter entry', () => {
    expect(parse({ type: 'subscribe', v: 1, filter: { stages: [...STAGES, 'sg', 'nat', 'lb', 'host', 'switch', 'router'] } }).ok).toBe(true);
  });
});

describe('parseClientMessage: bad messages', () => {
  it('not JSON → bad-json', () => {
    expect(errorOf('{"type": "inject",').code).toBe('bad-json');
    expect(errorOf('').code).toBe('bad-json');
  });

  it('JSON that is not an object → invalid-message', () => {
    expect(errorOf([1, 2]).code).toBe('invalid-message');
    expect(errorOf('"inject"').code).toBe('invalid-message');
    expect(errorOf('null').code).toBe('invalid-message');
  });

  it('no type, or an unknown type → with a did-you-mean', () => {
    expect(errorOf({ v: 1 })).toMatchObject({ code: 'invalid-message', path: 'type' });
    const e = errorOf({ type: 'injetc', v: 1, id: 'q' });
    expect(e).toMatchObject({ code: 'unknown-type', path: 'type', ref: 'q' });
    expect(e.message).toContain('"inject"');
    // Inherited properties of objects are not message types.
    expect(errorOf({ type: 'toString', v: 1 }).code).toBe('unknown-type');
    expect(errorOf({ type: '__proto__', v: 1 }).code).toBe('unknown-type');
  });

  it('a version other than 1 → unsupported-version', () => {
    expect(errorOf({ type: 'reset' })).toMatchObject({ code: 'unsupported-version', path: 'v' });
    expect(errorOf({ type: 'reset', v: 2 })).toMatchObject({ code: 'unsupported-version', path: 'v' });
  });

  it('fields: missing, wrong kind, out of range, unknown (with a did-you-mean)', () => {
    expect(errorOf({ type: 'inject', v: 1, to: 'db-1' })).toMatchObject({ code: 'invalid-message', path: 'from' });
    expect(errorOf({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', port: '80' })).toMatchObject({ code: 'invalid-message', path: 'port' });
    expect(errorOf({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', port: 70_000 })).toMatchObject({ code: 'invalid-message', path: 'port' });
    expect(errorOf({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', port: 80.5 })).toMatchObject({ code: 'invalid-message', path: 'port' });
    expect(errorOf({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', count: MAX_INJECT_COUNT + 1 })).toMatchObject({ code: 'invalid-message', path: 'count' });
    expect(errorOf({ type: 'inject', v: 1, from: '', to: 'db-1' })).toMatchObject({ code: 'invalid-message', path: 'from' });
    expect(errorOf({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', proto: 'sctp', port: 1 })).toMatchObject({ code: 'invalid-message', path: 'proto' });
    const unknown = errorOf({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', prot: 'tcp' });
    expect(unknown).toMatchObject({ code: 'invalid-message', path: 'prot' });
    expect(unknown.message).toContain('"proto"');
    expect(errorOf({ type: 'pause', v: 1, extra: true })).toMatchObject({ code: 'invalid-message', path: 'extra' });
  });

  it('tcp and udp need a port; icmp takes none', () => {
    expect(errorOf({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', proto: 'udp' })).toMatchObject({ code: 'invalid-message', path: 'port' });
    expect(errorOf({ type: 'inject', v: 1, from: 'web-1', to: 'db-1', proto: 'icmp', port: 7 })).toMatchObject({ code: 'invalid-message', path: 'port' });
  });

  it('filters: unknown stages (with a did-you-mean), verdicts and keys, with their place', () => {
    const stage = errorOf({ type: 'subscribe', v: 1, filter: { stages: ['sg.ingres'] } });
    expect(stage).toMatchObject({ code: 'invalid-message', path: 'filter.stages[0]' });
    expect(stage.message).toContain('"sg.ingress"');
    // A prefix must end at a dot: "s" is not a family.
    expect(errorOf({ type: 'subscribe', v: 1, filter: { stages: ['s'] } })).toMatchObject({ path: 'filter.stages[0]' });
    expect(errorOf({ type: 'subscribe', v: 1, filter: { verdicts: ['delivered', 'ok'] } })).toMatchObject({ code: 'invalid-message', path: 'filter.verdicts[1]' });
    const key = errorOf({ type: 'subscribe', v: 1, filter: { node: ['edge'] } });
    expect(key).toMatchObject({ code: 'invalid-message', path: 'filter.node' });
    expect(key.message).toContain('"nodes"');
  });

  it('nesting deeper than MAX_DEPTH is refused before validation, at its field, with the id echoed (the bug report: 5,000 levels)', () => {
    const nest = (depth: number, inner = '0') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
    const deep = errorOf(`{"type":"state","v":1,"id":"d","node":${nest(5_000)}}`);
    expect(deep).toMatchObject({ code: 'invalid-message', path: 'node', ref: 'd' });
    expect(deep.message.length).toBeLessThan(300);
    // The message is level 1: a field may hold MAX_DEPTH - 1 levels; then validation speaks.
    expect(errorOf(`{"type":"state","v":1,"node":${nest(MAX_DEPTH - 1)}}`)).toMatchObject({ code: 'invalid-message', path: 'node' });
    expect(errorOf(`{"type":"state","v":1,"node":${nest(MAX_DEPTH - 1)}}`).message).toMatch(/expected/);
    expect(errorOf(`{"type":"state","v":1,"node":${nest(MAX_DEPTH)}}`).message).toMatch(/nested more than 8 levels/);
    // Deep anywhere: in v, in type, in an unknown key, in the filter.
    expect(errorOf(`{"type":"reset","v":${nest(100)}}`)).toMatchObject({ code: 'invalid-message', path: 'v' });
    expect(errorOf(`{"type":${nest(100)},"v":1}`)).toMatchObject({ code: 'invalid-message', path: 'type' });
    expect(errorOf(`{"type":"subscribe","v":1,"filter":{"nodes":${nest(100, '"edge"')}}}`)).toMatchObject({ code: 'invalid-message', path: 'filter' });
    expect(errorOf(`{"type":"pause","v":1,"x":${'{"a":'.repeat(9_000)}0${'}'.repeat(9_000)}}`)).toMatchObject({ code: 'invalid-message', path: 'x' });
    // The deepest real message (filter.nodes) is well inside the limit.
    expect(parse({ type: 'subscribe', v: 1, filter: { nodes: ['edge'] } }).ok).toBe(true);
  });

  it('error messages quote input briefly: a 60 KB type, key, version or stage comes back in under 1 KB', () => {
    const big = 'x'.repeat(60_000);
    for (const msg of [{ type: big, v: 1 }, { type: 'reset', v: big }, { type: 'pause', v: 1, [big]: 1 }, { type: 'subscribe', v: 1, filter: { stages: [big] } }, { type: 'inject', v: 1, from: 'a', to: 'b', port: big }, big]) {
      expect(errorOf(msg).message.length).toBeLessThan(1_000);
    }
  });

  it('never throws, and every error message is short (property: JSON of any shape and depth)', () => {
    const deep = fc.tuple(fc.integer({ min: 0, max: 20_000 }), fc.constantFrom('[', '{"a":')).map(([d, open]) => `${open.repeat(d)}0${(open === '[' ? ']' : '}').repeat(d)}`);
    const value = fc.oneof(fc.jsonValue().map((j) => JSON.stringify(j)), deep, fc.string({ maxLength: 20_000 }).map((t) => JSON.stringify(t)));
    const field = fc.tuple(fc.constantFrom('type', 'v', 'id', 'from', 'to', 'proto', 'port', 'count', 'node', 'filter', 'x'), value);
    const message = fc.array(field, { maxLength: 5 }).map((fs) => `{"type":"inject","v":1,${fs.map(([k, v]) => `"${k}":${v}`).join(',')}}`.replace(',}', '}'));
    fc.assert(fc.property(fc.oneof(message, value, fc.string()), (text) => {
      const r = parseClientMessage(text);
      if (!r.ok) expect(r.error.message.length).toBeLessThan(2_000);
    }), { numRuns: 1_000 });
  });

  it('echoes the id of a message it rejects, so the client can match the error', () => {
    expect(errorOf({ type: 'inject', v: 1, id: 'mine', from: 'web-1' }).ref).toBe('mine');
    expect(errorOf({ type: 'inject', v: 1, id: 7, from: 'web-1' }).ref).toBeNull();
  });
});
