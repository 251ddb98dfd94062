import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { dequantizeBinary, quantizeBinary } from '../../lib/formats/index.js';
import { expectBits, fromBits, loadFixture } from './helpers';

interface BinaryCase {
  name: string;
  dims: number[];
  axis: number | null;
  blockSize: number | null;
  x: number[];
  bits: number[];
  packed: number[];
  scale: number[];
  dequantized: number[];
}
const fixture = loadFixture<{ cases: BinaryCase[] }>('binary');

describe('binary (XNOR-Net sign and mean |x|)', () => {
  for (const c of fixture.cases) {
    it(`${c.name}: bits, scales and dequantized values match the fixture`, () => {
      const x = { type: 'float32', data: fromBits(c.x), dims: c.dims };
      const q = quantizeBinary(x, { ...(c.axis === null ? {} : { axis: c.axis }), ...(c.blockSize === null ? {} : { blockSize: c.blockSize }) });
      expect(Array.from(q.data)).toEqual(c.packed);
      expect(expectBits(q.scale, c.scale)).toEqual([]);
      expect(expectBits(dequantizeBinary(q).data, c.dequantized)).toEqual([]);
    });
  }

  it('maps +0 and -0 to bit 1 and packs element 8i in bit 0', () => {
    const q = quantizeBinary(new Float32Array([0, -0, -1, 1, -2, -3, -4, -5, 7]));
    expect(Array.from(q.data)).toEqual([0b00001011, 0b1]);
  });

  it('the scale is the L1-optimal alpha: dequantized values are +-mean|x| with the sign of x', () => {
    fc.assert(
      fc.property(fc.array(fc.float({ min: -10, max: 10, noNaN: true }), { minLength: 1, maxLength: 100 }), (values) => {
        const x = Float32Array.from(values);
        const q = quantizeBinary(x);
        const mean = values.reduce((a, v) => a + Math.abs(Math.fround(v)), 0) / values.length;
        expect(q.scale[0]).toBe(Math.fround(mean));
        const back = dequantizeBinary(q).data;
        for (let i = 0; i < x.length; i++) expect(back[i]).toBe(x[i]! >= 0 ? q.scale[0] : -q.scale[0]!);
      }),
      { numRuns: 300 },
    );
  });

  it('handles empty tensors and rejects non-finite input', () => {
    const q = quantizeBinary(new Float32Array(0));
    expect(q.data.length).toBe(0);
    expect(Array.from(q.scale)).toEqual([0]);
    expect(dequantizeBinary(q).data.length).toBe(0);
    expect(() => quantizeBinary(new Float32Array([1, NaN]))).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_NON_FINITE' }));
    expect(() => quantizeBinary(new Float32Array([Infinity]))).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_NON_FINITE' }));
    const good = quantizeBinary(new Float32Array(9));
    expect(() => dequantizeBinary({ ...good, data: new Uint8Array(1) })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_SHAPE' }));
  });
});
