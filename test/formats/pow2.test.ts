import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { dequantizePow2, quantizePow2, unpackBits } from '../../lib/formats/index.js';
import { roundLog2 } from '../../lib/formats/pow2.js';
import { expectBits, fromBits, loadFixture } from './helpers';

interface Pow2Case {
  name: string;
  bits: number;
  dims: number[];
  axis: number | null;
  givenScale?: boolean;
  x: number[];
  scale: number[];
  codes: number[];
  packed: number[];
  dequantized: number[];
}
const fixture = loadFixture<{ cases: Pow2Case[] }>('pow2');

describe('pow2 (sign + exponent, log-domain rounding)', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: matches the fixture`, () => {
      const x = { type: 'float32', data: fromBits(c.x), dims: c.dims };
      const options = {
        bits: c.bits,
        ...(c.axis === null ? {} : { axis: c.axis }),
        ...(c.givenScale ? { scale: fromBits(c.scale) } : {}),
      };
      const q = quantizePow2(x, options);
      expect(q.bits).toBe(c.bits);
      expect(expectBits(q.scale, c.scale)).toEqual([]);
      expect(Array.from(q.data)).toEqual(c.packed);
      expect(expectBits(dequantizePow2(q).data, c.dequantized)).toEqual([]);
    });
  }

  it('rounds log2 exactly around sqrt(2) and powers of two', () => {
    expect(roundLog2(1)).toBe(0);
    // The float32 neighbours of sqrt(2): 1.41421353816986083984375 and 1.41421365737915039062.
    expect(roundLog2(1.4142135381698608)).toBe(0);
    expect(roundLog2(1.4142136573791504)).toBe(1);
    expect(roundLog2(2 ** -149)).toBe(-149);
    expect(roundLog2(0.75)).toBe(0);
    expect(roundLog2(0.7)).toBe(-1);
  });

  it('each code is the nearest level in the log domain, zero below the smallest', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -1000, max: 1000, noNaN: true }), { minLength: 1, maxLength: 50 }), fc.integer({ min: 2, max: 8 }), (values, bits) => {
        const x = Float32Array.from(values);
        const q = quantizePow2(x, { bits });
        // Levels in double: the float32 dequantized value may round when it is subnormal.
        const codes = unpackBits(q.data, bits, x.length);
        const s = q.scale[0]!;
        const top = 2 ** (bits - 1) - 1;
        for (let i = 0; i < x.length; i++) {
          const m = Math.fround(Math.abs(x[i]!) / s);
          const k = codes[i]! & (2 ** (bits - 1) - 1);
          if (k === 0) {
            expect(m < 2 ** (1 - top) / Math.SQRT2).toBe(true);
            expect(codes[i]).toBe(0);
          } else {
            expect(codes[i]! >> (bits - 1)).toBe(x[i]! < 0 ? 1 : 0);
            const ratio = 2 ** (k - top) / m;
            expect(ratio).toBeLessThanOrEqual(Math.SQRT2);
            if (k < top) expect(ratio).toBeGreaterThanOrEqual(Math.SQRT1_2);
          }
        }
        // Dequantized values agree with the levels up to float32 rounding.
        const back = dequantizePow2(q).data;
        for (let i = 0; i < x.length; i++) {
          const k = codes[i]! & (2 ** (bits - 1) - 1);
          const level = k === 0 ? 0 : s * 2 ** (k - top);
          expect(Math.abs(back[i]!)).toBe(Math.fround(level));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('saturates values above the scale to the top level', () => {
    const q = quantizePow2(new Float32Array([100, -100, 1]), { scale: 1 });
    expect(Array.from(dequantizePow2(q).data)).toEqual([1, -1, 1]);
  });

  it('computes per-block scales along the last axis by default', () => {
    const x = { type: 'float32', data: Float32Array.from([1, 2, 4, 8, 16, 0.5]), dims: [2, 3] };
    const q = quantizePow2(x, { blockSize: 2 });
    expect(q.axis).toBe(1);
    expect(Array.from(q.scale)).toEqual([2, 4, 16, 0.5]);
    expect(Array.from(dequantizePow2(q).data)).toEqual([1, 2, 4, 8, 16, 0.5]);
  });

  it('handles empty and all-zero tensors, and rejects bad input with stable codes', () => {
    expect(quantizePow2(new Float32Array(0)).data.length).toBe(0);
    const z = quantizePow2(new Float32Array(3));
    expect(Array.from(z.scale)).toEqual([1]);
    expect(Array.from(dequantizePow2(z).data)).toEqual([0, 0, 0]);
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => quantizePow2(new Float32Array([NaN]))).toThrowError(code('ERR_QUANTA_NON_FINITE'));
    expect(() => quantizePow2(new Float32Array([1]), { bits: 1 })).toThrowError(code('ERR_QUANTA_INVALID_ARGUMENT'));
    expect(() => quantizePow2(new Float32Array([1]), { bits: 9 })).toThrowError(code('ERR_QUANTA_INVALID_ARGUMENT'));
    expect(() => quantizePow2(new Float32Array([1]), { scale: 0 })).toThrowError(code('ERR_QUANTA_INVALID_SCALE'));
    expect(() => quantizePow2({ type: 'float32', data: new Float32Array(4), dims: [2, 2] }, { axis: 2 })).toThrowError(code('ERR_QUANTA_INVALID_AXIS'));
    expect(() => quantizePow2({ type: 'float32', data: new Float32Array(4), dims: [2, 2] }, { blockSize: 3 })).toThrowError(code('ERR_QUANTA_INVALID_ARGUMENT'));
  });
});
