/**
 * The two readers of untrusted input that every error message and every handler go through:
 * `preview` (a bounded rendering of any value: never throws, never longer than asked, the JSON
 * text itself when that is small) and `requestTarget` (an HTTP request target → path and query,
 * or why it is not one, never an exception).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clip, preview } from '../../../src/server/preview.js';
import { requestTarget } from '../../../src/server/request-target.js';

/** `[[[…0…]]]`, `depth` deep, built without recursion. */
function deepArray(depth: number): unknown {
  let v: unknown = 0;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('preview', () => {
  it('is the JSON text of small values', () => {
    for (const v of [null, true, 0, -1.5, 'web-1', 'a "quoted"\nline', [], {}, [1, 'x', null], { a: 1, b: [2, 3] }, { a: { b: [1] } }]) {
      expect(preview(v, 1_000), JSON.stringify(v)).toBe(JSON.stringify(v));
    }
  });

  it('input JSON.stringify cannot handle: deep, wide, long', () => {
    expect(() => JSON.stringify(deepArray(50_000))).toThrow(RangeError);
    expect(preview(deepArray(50_000))).toBe('[[[[…]]]]');
    expect(preview({ a: { b: { c: { d: 1 } } } })).toBe('{"a":{"b":{"c":{…}}}}');
    const wide = Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i]));
    expect(preview(wide, 1_000)).toBe('{"k0":0,"k1":1,"k2":2,"k3":3,"k4":4,"k5":5,"k6":6,"k7":7,…}');
    expect(preview(Array.from({ length: 10_000 }, () => 1), 1_000)).toBe('[1,1,1,1,1,1,1,1,…]');
    const long = preview('x'.repeat(1_000_000));
    expect(long).toHaveLength(80);
    expect(long.startsWith('"xxx')).toBe(true);
    expect(long.endsWith('…')).toBe(true);
    expect(preview(undefined)).toBe('undefined');
    expect(preview(() => 1)).toBe('function');
  });

  it('never throws and never passes its limit; is JSON.stringify where that is short and shallow (property)', () => {
    fc.assert(fc.property(fc.oneof(fc.jsonValue(), fc.integer({ min: 0, max: 20_000 }).map(deepArray)), fc.integer({ min: 1, max: 200 }), (v, max) => {
      expect(preview(v, max).length).toBeLessThanOrEqual(max);
    }), { numRuns: 1_000 });
    // Three levels of containers of at most eight items: all shown, so exactly the JSON text.
    const scalar = fc.oneof(fc.string(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null));
    const container = (item: fc.Arbitrary<unknown>) => fc.oneof(fc.array(item, { maxLength: 8 }), fc.dictionary(fc.string(), item, { maxKeys: 8 }));
    const level1 = container(scalar);
    const level2 = container(fc.oneof(scalar, level1));
    const level3 = container(fc.oneof(scalar, level1, level2));
    fc.assert(fc.property(fc.oneof(scalar, level1, level2, level3), (v) => {
      expect(preview(v, 1e9)).toBe(JSON.stringify(v));
    }), { numRuns: 1_000 });
  });

  it('clip cuts text, marking the cut', () => {
    expect(clip('abc', 3)).toBe('abc');
    expect(clip('abcd', 3)).toBe('ab…');
  });
});

describe('requestTarget', () => {
  it('origin-form: the path and query on this server (// starts a path, not a host)', () => {
    expect(requestTarget('/api/topology?token=a%20b')).toMatchObject({ ok: true, path: '/api/topology' });
    const t = requestTarget('/ws?token=a%20b');
    expect(t.ok && t.query.get('token')).toBe('a b');
    expect(requestTarget('//evil.example/ws')).toMatchObject({ ok: true, path: '//evil.example/ws' });
    expect(requestTarget(undefined)).toMatchObject({ ok: true, path: '/' });
    expect(requestTarget('/%zz/%')).toMatchObject({ ok: true });
  });

  it('absolute-form: an http(s) URL is read for its path and query', () => {
    expect(requestTarget('http://127.0.0.1:8080/api/topology')).toMatchObject({ ok: true, path: '/api/topology' });
    expect(requestTarget('HTTP://LOCALHOST/ws?token=t')).toMatchObject({ ok: true, path: '/ws' });
  });

  it('a target that is not a URL, or not an http one, is an error naming it (the bug report: a bad port, an open bracket)', () => {
    for (const bad of ['http://a:99999/', 'http://[/', 'http://[::1]:65536/ws', 'http://a:-1/', '*', 'garbage', '', 'ftp://127.0.0.1/', 'ws://127.0.0.1/ws', 'javascript:alert(1)']) {
      const t = requestTarget(bad);
      expect(t.ok, bad).toBe(false);
      if (!t.ok) expect(t.message).toContain(JSON.stringify(bad));
    }
    const long = requestTarget(`http://a:99999/${'x'.repeat(100_000)}`);
    expect(!long.ok && long.message.length).toBeLessThan(300);
  });

  it('never throws (property: any string, and any URL-shaped string)', () => {
    const urlish = fc.tuple(fc.constantFrom('http://', 'https://', 'HTTP://', 'ws://', '/', '//', ''), fc.string({ maxLength: 30 }), fc.constantFrom('', ':', ':99999', ':80', '['), fc.string({ maxLength: 10 }))
      .map((parts) => parts.join(''));
    fc.assert(fc.property(fc.oneof(fc.string(), urlish), (s) => {
      const t = requestTarget(s);
      expect(typeof t.ok).toBe('boolean');
      if (t.ok) expect(t.path.startsWith('/')).toBe(true);
    }), { numRuns: 2_000 });
  });
});
