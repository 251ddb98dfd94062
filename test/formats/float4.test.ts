import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { castToFloat4e2m1, dequantizeFloat4e2m1, float4e2m1ToFloat32, quantizeFloat4e2m1 } from '../../lib/formats/index.js';
import { expectBits, fromBits, loadFixture } from './helpers';

interface Float4Fixture {
  inputs: number[];
  codes: number[];
  packed: number[];
  decode: number[];
  disagreementsWithOnnx118: unknown[];
  quantizeLinear: { x: number[]; scale: number; packed: number[]; dequantized: number[] };
}

const fixture = loadFixture<Float4Fixture>('float4e2m1');
const VALUES = [0, 0.5, 1, 1.5, 2, 3, 4, 6];

describe('float4e2m1 (ONNX opset 23)', () => {
  it(`packs the fixture's codes in ONNX order (${fixture.inputs.length} inputs)`, () => {
    expect(Array.from(castToFloat4e2m1(fromBits(fixture.inputs)))).toEqual(fixture.packed);
    // The fixture's exact model and ONNX's own thresholds agreed everywhere.
    expect(fixture.disagreementsWithOnnx118).toEqual([]);
  });

  it('decodes all 16 codes', () => {
    const all = Uint8Array.from({ length: 8 }, (_, i) => (2 * i) | ((2 * i + 1) << 4));
    expect(expectBits(float4e2m1ToFloat32(all, 16), fixture.decode)).toEqual([]);
  });

  it('follows the ONNX table: ties to even, saturation to 6, NaN to +6, -0 kept', () => {
    const x = new Float32Array([0.25, 0.75, 1.25, 1.75, 2.5, 3.5, 5, 7, Infinity, -Infinity, NaN, -0]);
    const back = float4e2m1ToFloat32(castToFloat4e2m1(x), x.length);
    expect(Array.from(back)).toEqual([0, 1, 1, 2, 2, 4, 4, 6, 6, -6, 6, -0]);
    expect(Object.is(back[11], -0)).toBe(true);
  });

  it('decode(encode(x)) is the nearest value', () => {
    fc.assert(
      fc.property(fc.float({ min: -6, max: 6, noNaN: true }), (v) => {
        const back = float4e2m1ToFloat32(castToFloat4e2m1(new Float32Array([v])), 1)[0]!;
        const best = Math.min(...VALUES.map((f) => Math.abs(f - Math.abs(v))));
        expect(Math.abs(Math.abs(back) - Math.abs(v))).toBe(best);
      }),
      { numRuns: 2000 },
    );
  });

  it('quantizes with a scale like QuantizeLinear and reads back', () => {
    const q = fixture.quantizeLinear;
    const y = quantizeFloat4e2m1(fromBits(q.x), fromBits([q.scale]));
    expect(y.dtype).toBe('float4e2m1');
    expect(Array.from(y.data)).toEqual(q.packed);
    expect(expectBits(dequantizeFloat4e2m1(y).data, q.dequantized)).toEqual([]);
  });

  it('handles empty tensors and rejects bad input', () => {
    expect(castToFloat4e2m1(new Float32Array(0)).length).toBe(0);
    expect(quantizeFloat4e2m1(new Float32Array(0), 1).data.length).toBe(0);
    expect(() => float4e2m1ToFloat32(new Uint8Array(2), 5)).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_SHAPE' }));
    expect(() => quantizeFloat4e2m1(new Float32Array(2), -1)).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_SCALE' }));
  });
});
