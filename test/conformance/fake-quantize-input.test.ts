/**
 * fakeQuantize on the bad-input list: each bad argument is a QuantaError with a stable code, and
 * special values have the defined results documented in lib/fake-quantize.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { QuantaError, fakeQuantize } from '../../lib/index.js';

const code = (c: string) => expect.objectContaining({ code: c });
const int8 = { quantMin: -128, quantMax: 127 };

describe('fakeQuantize input checks', () => {
  it('rejects zero, negative, NaN, infinite and float32-underflowing scales', () => {
    for (const s of [0, -1, NaN, Infinity, -Infinity, 1e-50]) {
      expect(() => fakeQuantize(new Float32Array(3), s, 0, int8), String(s)).toThrowError(code('ERR_QUANTA_INVALID_SCALE'));
    }
    expect(() => fakeQuantize({ type: 'float32', data: new Float32Array(4), dims: [2, 2] }, [0.1, 0], [0, 0], { ...int8, axis: 0 })).toThrowError(code('ERR_QUANTA_INVALID_SCALE'));
  });

  it('rejects zero points outside [quantMin, quantMax] or not integers', () => {
    for (const z of [128, -129, 0.5, NaN]) {
      expect(() => fakeQuantize(new Float32Array(3), 0.1, z, int8), String(z)).toThrowError(code('ERR_QUANTA_INVALID_ZERO_POINT'));
    }
  });

  it('rejects bad ranges', () => {
    expect(() => fakeQuantize(new Float32Array(3), 0.1, 0, { quantMin: 5, quantMax: 4 })).toThrowError(code('ERR_QUANTA_INVALID_ARGUMENT'));
    expect(() => fakeQuantize(new Float32Array(3), 0.1, 0, { quantMin: -(2 ** 30), quantMax: 2 ** 30 })).toThrowError(code('ERR_QUANTA_INVALID_ARGUMENT'));
    expect(() => fakeQuantize(new Float32Array(3), 0.1, 0, { quantMin: 0.5, quantMax: 4 })).toThrowError(code('ERR_QUANTA_INVALID_ARGUMENT'));
    expect(() => fakeQuantize(new Float32Array(3), 0.1, 0, undefined as never)).toThrowError(code('ERR_QUANTA_INVALID_ARGUMENT'));
  });

  it('rejects axes out of range and scale counts that do not match the axis', () => {
    const x = { type: 'float32', data: new Float32Array(6), dims: [2, 3] };
    expect(() => fakeQuantize(x, [1, 1], [0, 0], { ...int8, axis: 2 })).toThrowError(code('ERR_QUANTA_INVALID_AXIS'));
    expect(() => fakeQuantize(x, [1, 1], [0, 0], { ...int8, axis: 1 })).toThrowError(code('ERR_QUANTA_INVALID_SHAPE'));
    expect(() => fakeQuantize(x, [1, 1, 1], [0, 0], { ...int8, axis: 1 })).toThrowError(code('ERR_QUANTA_INVALID_SHAPE'));
    expect(() => fakeQuantize(x, [1, 1], 0, int8)).toThrowError(code('ERR_QUANTA_INVALID_SHAPE'));
  });

  it('rejects data whose length does not match dims, non-float32 data and detached buffers', () => {
    expect(() => fakeQuantize({ type: 'float32', data: new Float32Array(5), dims: [2, 3] }, 1, 0, int8)).toThrowError(code('ERR_QUANTA_INVALID_SHAPE'));
    expect(() => fakeQuantize(new Float64Array(3), 1, 0, int8)).toThrowError(code('ERR_QUANTA_INVALID_DTYPE'));
    const buffer = new ArrayBuffer(16);
    const data = new Float32Array(buffer);
    structuredClone(buffer, { transfer: [buffer] });
    expect(() => fakeQuantize({ type: 'float32', data, dims: [4] }, 1, 0, int8)).toThrowError(code('ERR_QUANTA_INVALID_SHAPE'));
  });

  it('gives an empty result for an empty tensor', () => {
    const r = fakeQuantize({ type: 'float32', data: new Float32Array(0), dims: [0, 3] }, [1, 1, 1], [0, 0, 0], { ...int8, axis: 1 });
    expect(r.output.dims).toEqual([0, 3]);
    expect(r.output.data.length).toBe(0);
    expect(r.mask.length).toBe(0);
  });

  it('maps -0 to +0, NaN to quantMin and infinities to the ends, all three masked as PyTorch does', () => {
    const x = new Float32Array([-0, NaN, Infinity, -Infinity, 1e-45]);
    const r = fakeQuantize(x, 0.5, 3, { quantMin: 0, quantMax: 15 });
    expect(Object.is(r.output.data[0], 0)).toBe(true);
    expect(Array.from(r.output.data.subarray(1))).toEqual([-1.5, 6, -1.5, 0]);
    expect(Array.from(r.mask)).toEqual([1, 0, 0, 0, 1]);
  });

  it('does not write into x', () => {
    const x = new Float32Array([0.26, -3, 1000]);
    const copy = x.slice();
    fakeQuantize(x, 0.1, 0, int8);
    expect(x).toEqual(copy);
  });

  it('per channel with equal parameters equals per tensor, and only ever throws QuantaError', () => {
    const anyFloat = fc.float({ noDefaultInfinity: false, noNaN: false });
    fc.assert(
      fc.property(
        fc.array(anyFloat, { maxLength: 40 }), fc.oneof(fc.double(), fc.constant(0.1)), fc.integer({ min: -300, max: 300 }),
        fc.integer({ min: -200, max: 0 }), fc.integer({ min: 0, max: 300 }),
        (values, scale, zp, lo, hi) => {
          const x = Float32Array.from(values);
          let a;
          try {
            a = fakeQuantize(x, scale, zp, { quantMin: lo, quantMax: hi });
          } catch (e) {
            expect(e).toBeInstanceOf(QuantaError);
            return;
          }
          const b = fakeQuantize({ type: 'float32', data: x, dims: [1, x.length] }, [scale], [zp], { quantMin: lo, quantMax: hi, axis: 0 });
          expect(Array.from(new Uint32Array(b.output.data.buffer))).toEqual(Array.from(new Uint32Array(a.output.data.buffer)));
          expect(b.mask).toEqual(a.mask);
        },
      ),
      { numRuns: 300 },
    );
  });
});
