import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { castToFloat8, dequantizeFloat8, float8ToFloat32, quantizeFloat8 } from '../../lib/formats/index.js';
import type { Float8DType } from '../../lib/formats/index.js';
import { expectBits, fromBits, loadFixture } from './helpers';

interface FormatCase {
  inputs: number[];
  saturate: number[];
  noSaturate: number[];
  decode: (number | null)[];
}
interface Float8Fixture {
  versions: Record<string, string>;
  formats: Record<Float8DType, FormatCase>;
  quantizeLinear: { x: number[]; dims: number[]; axis: number; scale: number[]; results: Record<string, { codes: number[]; dequantized: (number | null)[] }> };
}

const fixture = loadFixture<Float8Fixture>('float8');
const DTYPES: Float8DType[] = ['float8e4m3fn', 'float8e5m2'];
const MAX = { float8e4m3fn: 448, float8e5m2: 57344 };

describe('castToFloat8 (ONNX Cast, opset 19)', () => {
  for (const dtype of DTYPES) {
    const c = fixture.formats[dtype];

    it(`${dtype}: every fixture code, saturating and not (${c.inputs.length} inputs)`, () => {
      const x = fromBits(c.inputs);
      expect(Array.from(castToFloat8(x, dtype))).toEqual(c.saturate);
      expect(Array.from(castToFloat8(x, dtype, { saturate: true }))).toEqual(c.saturate);
      expect(Array.from(castToFloat8(x, dtype, { saturate: false }))).toEqual(c.noSaturate);
    });

    it(`${dtype}: decodes all 256 codes`, () => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      expect(expectBits(float8ToFloat32(all, dtype), c.decode)).toEqual([]);
    });

    it(`${dtype}: decode(encode(x)) is the nearest representable value (ties to the even code)`, () => {
      const all = float8ToFloat32(Uint8Array.from({ length: 256 }, (_, i) => i), dtype);
      const finite = Array.from(all).filter((v) => Number.isFinite(v) && v >= 0).sort((a, b) => a - b);
      fc.assert(
        fc.property(fc.float({ min: -MAX[dtype], max: MAX[dtype], noNaN: true }), (v) => {
          const code = castToFloat8(new Float32Array([v]), dtype)[0]!;
          const back = float8ToFloat32(new Uint8Array([code]), dtype)[0]!;
          const a = Math.abs(v);
          const best = Math.min(...finite.map((f) => Math.abs(f - a)));
          expect(Math.abs(Math.abs(back) - a)).toBe(best);
          if (Math.abs(back) !== a) {
            // On a tie the chosen code is even.
            const others = finite.filter((f) => Math.abs(f - a) === best);
            if (others.length === 2) expect(code & 1).toBe(0);
          }
          expect(Object.is(back, -0) || back < 0).toBe(v < 0 || Object.is(v, -0));
        }),
        { numRuns: 2000 },
      );
    });

    it(`${dtype}: encoding is monotonic`, () => {
      fc.assert(
        fc.property(fc.float({ noNaN: true }), fc.float({ noNaN: true }), (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          const [ca, cb] = castToFloat8(new Float32Array([lo, hi]), dtype);
          const [va, vb] = float8ToFloat32(new Uint8Array([ca!, cb!]), dtype);
          expect(va!).toBeLessThanOrEqual(vb!);
        }),
        { numRuns: 1000 },
      );
    });

    it(`${dtype}: saturation clamps, non-saturation overflows as ONNX says`, () => {
      const x = new Float32Array([1e9, -1e9, Infinity, -Infinity, NaN, -0, 0]);
      const sat = float8ToFloat32(castToFloat8(x, dtype), dtype);
      expect(Array.from(sat.slice(0, 4))).toEqual([MAX[dtype], -MAX[dtype], MAX[dtype], -MAX[dtype]]);
      expect(Number.isNaN(sat[4])).toBe(true);
      expect(Object.is(sat[5], -0)).toBe(true);
      const nosat = float8ToFloat32(castToFloat8(x, dtype, { saturate: false }), dtype);
      if (dtype === 'float8e4m3fn') expect(nosat.slice(0, 4).every((v) => Number.isNaN(v))).toBe(true);
      else expect(Array.from(nosat.slice(0, 4))).toEqual([Infinity, -Infinity, Infinity, -Infinity]);
    });
  }

  it('rounds exactly at the overflow edges (464 for E4M3FN, 61440 for E5M2)', () => {
    const e4 = castToFloat8(new Float32Array([464, Math.fround(464.00003), 480]), 'float8e4m3fn', { saturate: false });
    expect(Array.from(e4)).toEqual([0x7e, 0x7f, 0x7f]);
    const e5 = castToFloat8(new Float32Array([61439.996, 61440]), 'float8e5m2', { saturate: false });
    expect(Array.from(e5)).toEqual([0x7b, 0x7c]);
  });

  it('keeps the sign of -NaN and maps NaN to 0x7F / 0xFF', () => {
    const x = fromBits([0x7fc00000, 0xffc00000]);
    expect(Array.from(castToFloat8(x, 'float8e4m3fn'))).toEqual([0x7f, 0xff]);
    expect(Array.from(castToFloat8(x, 'float8e5m2'))).toEqual([0x7f, 0xff]);
  });

  it('records where the fixture came from', () => {
    expect(fixture.versions.torch).toBeTruthy();
    expect(fixture.versions.onnx).toBeTruthy();
  });
});

describe('quantizeFloat8 / dequantizeFloat8 (ONNX QuantizeLinear with a float8 output)', () => {
  const q = fixture.quantizeLinear;
  for (const [key, want] of Object.entries(q.results)) {
    it(`${key}: per-axis codes and dequantized values match the fixture`, () => {
      const [dtype, mode] = key.split('/') as [Float8DType, string];
      const x = { type: 'float32', data: fromBits(q.x), dims: q.dims };
      const y = quantizeFloat8(x, fromBits(q.scale), { dtype, axis: q.axis, saturate: mode === 'sat' });
      expect(y.dtype).toBe(dtype);
      expect(y.axis).toBe(1);
      expect(Array.from(y.data)).toEqual(want.codes);
      expect(expectBits(dequantizeFloat8(y).data, want.dequantized)).toEqual([]);
    });
  }

  it('supports blocked scales like opset 21', () => {
    const x = { type: 'float32', data: new Float32Array([1, 2, 3, 4, 5, 6]), dims: [1, 6] };
    const y = quantizeFloat8(x, { type: 'float32', data: new Float32Array([1, 0.5]), dims: [1, 2] }, { axis: 1, blockSize: 4 });
    expect(Array.from(dequantizeFloat8(y).data)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('returns empty results for empty tensors', () => {
    const y = quantizeFloat8(new Float32Array(0), 1);
    expect(y.data.length).toBe(0);
    expect(dequantizeFloat8(y).data.length).toBe(0);
  });

  it('rejects bad arguments with stable codes', () => {
    const x = new Float32Array([1, 2]);
    const code = (c: string) => expect.objectContaining({ code: c });
    expect(() => quantizeFloat8(x, 1, { zeroPoint: 1 })).toThrowError(code('ERR_QUANTA_INVALID_ZERO_POINT'));
    expect(() => quantizeFloat8(x, 0)).toThrowError(code('ERR_QUANTA_INVALID_SCALE'));
    expect(() => quantizeFloat8(x, NaN)).toThrowError(code('ERR_QUANTA_INVALID_SCALE'));
    expect(() => quantizeFloat8(x, 1, { dtype: 'float8e4m3fnuz' as Float8DType })).toThrowError(code('ERR_QUANTA_INVALID_DTYPE'));
    expect(() => quantizeFloat8(x, [1, 2, 3], { axis: 0 })).toThrowError(code('ERR_QUANTA_INVALID_SHAPE'));
    expect(() => castToFloat8(x, 'float8e5m2', { saturate: 1 as unknown as boolean })).toThrowError(code('ERR_QUANTA_INVALID_ARGUMENT'));
    expect(() => castToFloat8(new Float64Array(2), 'float8e5m2')).toThrowError(code('ERR_QUANTA_INVALID_DTYPE'));
    expect(() => castToFloat8([1, 2], 'float8e5m2')).toThrowError(code('ERR_QUANTA_INVALID_ARGUMENT'));
  });
});
