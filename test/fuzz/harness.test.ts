/** The fuzz harness itself: it must reject what the properties promise to catch. */

import { describe, expect, it } from 'vitest';
import { FormatError, MalformedResponseError } from '../../lib/errors.js';
import fc from 'fast-check';
import { check, checkAsync, mutate, mutateText, typed, typedAsync, withRssBound } from './harness.js';

describe('fuzz harness', () => {
  it('typed: values and DiscErrors pass, other exceptions fail', () => {
    expect(typed('ok', () => 7)).toBe(7);
    expect(typed('format', () => { throw new FormatError('bad'); })).toBeUndefined();
    expect(typed('malformed', () => { throw new MalformedResponseError('X', 'bad'); })).toBeUndefined();
    expect(() => typed('range', () => { throw new RangeError('boom'); })).toThrow(/range: untyped RangeError: boom/);
    expect(() => typed('string', () => { throw 'text'; })).toThrow(/untyped throw of string text/);
    expect(typed('allowed', () => { throw new RangeError('ok'); }, [RangeError])).toBeUndefined();
  });

  it('typedAsync: a call that never settles fails after the limit', async () => {
    await expect(typedAsync('hang', () => new Promise<never>(() => {}), [], 50)).rejects.toThrow(/hang: still running after 50 ms/);
    await expect(typedAsync('type', async () => { throw new TypeError('t'); })).rejects.toThrow(/untyped TypeError/);
    await expect(typedAsync('fine', async () => 3)).resolves.toBe(3);
  });

  it('withRssBound: a large allocation fails the property', async () => {
    let kept: Uint8Array | undefined;
    await expect(withRssBound(() => { kept = new Uint8Array(64 * 2 ** 20).fill(1); }, 16 * 2 ** 20)).rejects.toThrow(/resident memory grew by/);
    expect(kept?.length).toBe(64 * 2 ** 20);
    kept = undefined;
  });

  it('check and checkAsync fail on the first untyped error', async () => {
    await expect(check(fc.nat(), (n) => void typed('p', () => { if (n > 5) throw new TypeError('big'); }))).rejects.toThrow(/p: untyped TypeError: big/);
    await expect(checkAsync(fc.nat(), async (n) => void (await typedAsync('q', async () => { if (n > 5) throw new RangeError('r'); })))).rejects.toThrow(/q: untyped RangeError/);
    await expect(check(fc.nat(), (n) => void typed('ok', () => { if (n > 5) throw new FormatError('fine'); }))).resolves.toBeUndefined();
  });

  it('mutate applies each kind exactly', () => {
    const s = Uint8Array.of(0, 1, 2, 3, 4, 5, 6, 7);
    expect([...mutate(s, [{ kind: 'flip', at: 9, bit: 7 }])]).toEqual([0, 0x81, 2, 3, 4, 5, 6, 7]);
    expect([...mutate(s, [{ kind: 'field', at: 2, width: 4, littleEndian: true, value: 0xaabbccdd }])]).toEqual([0, 1, 0xdd, 0xcc, 0xbb, 0xaa, 6, 7]);
    expect([...mutate(s, [{ kind: 'field', at: 6, width: 2, littleEndian: false, value: 0x1234 }])]).toEqual([0, 1, 2, 3, 4, 5, 0x12, 0x34]);
    expect([...mutate(s, [{ kind: 'splice', at: 5, from: 0, length: 8 }])]).toEqual([0, 1, 2, 3, 4, 0, 1, 2]);
    expect([...mutate(s, [{ kind: 'truncate', at: 3 }])]).toEqual([0, 1, 2]);
    expect([...mutate(s, [{ kind: 'insert', at: 1, bytes: Uint8Array.of(9, 9) }])]).toEqual([0, 9, 9, 1, 2, 3, 4, 5, 6, 7]);
    expect([...mutate(s, [{ kind: 'delete', at: 6, length: 5 }])]).toEqual([0, 1, 2, 3, 4, 5]);
    // Positions wrap into the window.
    expect([...mutate(s, [{ kind: 'set', at: 5, value: 0xee }], 4)]).toEqual([0, 0xee, 2, 3, 4, 5, 6, 7]);
    expect([...s]).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('mutateText edits tokens and lines', () => {
    expect(mutateText('a b\nc', [{ kind: 'token', at: 2, token: 'X' }])).toBe('a X\nc');
    expect(mutateText('a\nb\nc', [{ kind: 'dupLine', at: 1 }])).toBe('a\nb\nb\nc');
    expect(mutateText('a\nb\nc', [{ kind: 'dropLine', at: 3 }])).toBe('b\nc');
    expect(mutateText('a\nb\nc', [{ kind: 'swapLines', at: 0, other: 2 }])).toBe('c\nb\na');
  });
});
