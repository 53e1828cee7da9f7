import { describe, expect, it } from 'vitest';
import { formatMac, parseMac } from '../../../src/address/mac.js';
import { MacAllocator, type MacResult } from '../../../src/ipam/mac-allocator.js';

const mac = (text: string): number => {
  const m = parseMac(text);
  if (m === undefined) throw new Error(text);
  return m;
};
const shown = (r: MacResult): string => (r.ok ? formatMac(r.mac) : `error ${r.error.code}`);

describe('MacAllocator', () => {
  it('hands out fa:16:3e MACs in order from :01', () => {
    const a = new MacAllocator();
    expect([shown(a.allocate('p1')), shown(a.allocate('p2')), shown(a.allocate('p3'))])
      .toEqual(['fa:16:3e:00:00:01', 'fa:16:3e:00:00:02', 'fa:16:3e:00:00:03']);
    expect(a.ownerOf(mac('fa:16:3e:00:00:02'))).toBe('p2');
    expect(a.used()).toBe(3);
  });

  it('skips MACs claimed explicitly', () => {
    const a = new MacAllocator();
    expect(a.claim(mac('fa:16:3e:00:00:01'), 'fixed').ok).toBe(true);
    expect(a.claim(mac('fa:16:3e:00:00:03'), 'fixed2').ok).toBe(true);
    expect([shown(a.allocate('p1')), shown(a.allocate('p2'))]).toEqual(['fa:16:3e:00:00:02', 'fa:16:3e:00:00:04']);
  });

  it('skips reserved MACs without giving them an owner', () => {
    const a = new MacAllocator();
    a.reserve(mac('fa:16:3e:00:00:01'));
    expect(shown(a.allocate('p'))).toBe('fa:16:3e:00:00:02');
    expect(a.ownerOf(mac('fa:16:3e:00:00:01'))).toBeUndefined();
  });

  it('refuses a MAC already in use, naming its owner', () => {
    const a = new MacAllocator();
    a.claim(mac('52:54:00:12:34:56'), 'vm-a/eth0');
    const r = a.claim(mac('52:54:00:12:34:56'), 'vm-b/eth0');
    expect(r.ok ? '' : r.error.code).toBe('mac-taken');
    expect(r.ok ? '' : r.error.message).toBe('MAC 52:54:00:12:34:56 is already used by vm-a/eth0');
    const gen = a.allocate('vm-c/eth0');
    expect(a.claim(gen.ok ? gen.mac : 0, 'vm-d/eth0')).toMatchObject({ ok: false, error: { code: 'mac-taken' } });
  });

  it('refuses group and all-zero MACs', () => {
    const a = new MacAllocator();
    for (const text of ['01:00:5e:00:00:01', 'ff:ff:ff:ff:ff:ff', '00:00:00:00:00:00']) {
      expect(a.claim(mac(text), 'x')).toMatchObject({ ok: false, error: { code: 'mac-invalid' } });
    }
  });

  it('reuses a released MAC, lowest first', () => {
    const a = new MacAllocator();
    a.allocate('p1');
    a.allocate('p2');
    expect(a.release(mac('fa:16:3e:00:00:01'))).toBe(true);
    expect(a.release(mac('fa:16:3e:00:00:01'))).toBe(false);
    expect(shown(a.allocate('p3'))).toBe('fa:16:3e:00:00:01');
  });
});
