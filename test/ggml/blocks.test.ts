/**
 * quantizeQ8_0 / quantizeQ4_0 and their dequantizers against llama.cpp's reference code
 * (quantize_row_q8_0_ref, quantize_row_q4_0_ref, dequantize_row_q8_0, dequantize_row_q4_0,
 * transcribed in scripts/fixtures/ggml_ref.c), byte for byte and bit for bit.
 */
import { describe, expect, it } from 'vitest';

import { dequantizeQ4_0, dequantizeQ8_0, quantizeQ4_0, quantizeQ8_0 } from '../../lib/ggml/index.js';
import { bitsNaNFolded, loadFixture } from './fixture.js';

const fixture = loadFixture();

describe('ggml Q8_0 / Q4_0 against the reference quantizers', () => {
  it('covers the cases the fixture promises', () => {
    expect(fixture.cases.map((c) => c.name)).toEqual([
      'uniform', 'decades', 'weights', 'q8_0-ties', 'q4_0-ties', 'zeros', 'signed-max', 'huge', 'tiny',
      'fp16-subnormal-ties', 'fp16-normal-ties', 'near-ties', 'q4_0-near-ties', 'sweep',
    ]);
  });

  for (const c of fixture.cases) {
    it(`writes ggml's bytes and reads them back bit for bit: ${c.name} (${c.note})`, () => {
      const q8 = quantizeQ8_0(c.x);
      expect(q8.type).toBe('q8_0');
      expect(q8.dims).toEqual([c.count]);
      expect(Buffer.from(q8.data).toString('hex')).toBe(Buffer.from(c.q8_0).toString('hex'));
      const q4 = quantizeQ4_0(c.x);
      expect(Buffer.from(q4.data).toString('hex')).toBe(Buffer.from(c.q4_0).toString('hex'));
      // Dequantize ggml's own blocks, so a quantizer bug cannot hide a dequantizer bug.
      expect(bitsNaNFolded(dequantizeQ8_0(c.q8_0).data)).toEqual(bitsNaNFolded(c.dequantizedQ8_0));
      expect(bitsNaNFolded(dequantizeQ4_0(c.q4_0).data)).toEqual(bitsNaNFolded(c.dequantizedQ4_0));
    });
  }

  it('rounds Q8_0 ties away from zero and Q4_0 ties up, as ggml does', () => {
    // amax 127: d = 1, so codes are roundf(x) for Q8_0.
    const x = new Float32Array(32);
    x.set([127, 2.5, -2.5, 0.5, -0.5, 1.5]);
    const q8 = quantizeQ8_0(x).data;
    expect(Array.from(new Int8Array(q8.buffer, 2, 6))).toEqual([127, 3, -3, 1, -1, 2]);
    expect(Array.from(q8.subarray(0, 2))).toEqual([0x00, 0x3c]); // d = 1.0 = 0x3c00, little-endian
    // max -8: d = 1, code = MIN(15, trunc(x + 8.5)): -0.5 -> 8 (value 0), 0.5 -> 9, 7.5 -> 15.
    const y = new Float32Array(32);
    y.set([-8, -0.5, 0.5, 7.5]);
    y[16] = 6.5;
    const q4 = quantizeQ4_0(y).data;
    expect(Array.from(q4.subarray(0, 6))).toEqual([0x00, 0x3c, 0x00 | (15 << 4), 8 | (8 << 4), 9 | (8 << 4), 15 | (8 << 4)]);
  });

  it('keeps the sign of the first largest magnitude for Q4_0 and -0 for an all-zero block', () => {
    const x = new Float32Array(64);
    x[3] = 4;
    x[7] = -4; // same magnitude, later: max stays +4, d = -0.5
    const q4 = quantizeQ4_0(x).data;
    expect(Array.from(q4.subarray(0, 2))).toEqual([0x00, 0xb8]); // -0.5
    expect(Array.from(q4.subarray(18, 20))).toEqual([0x00, 0x80]); // -0
    expect(Array.from(q4.subarray(20, 36)).every((b) => b === 0x88)).toBe(true);
  });

  it('keeps dims and accepts tensors, and dequantizes a GgmlTensor to the same dims', () => {
    const c = fixture.cases[0]!;
    const t = { type: 'float32', data: c.x, dims: [2, 4, 32] };
    const q = quantizeQ4_0(t);
    expect(q.dims).toEqual([2, 4, 32]);
    const back = dequantizeQ4_0(q);
    expect(back).toMatchObject({ type: 'float32', dims: [2, 4, 32] });
    expect(Array.from(back.data)).toEqual(Array.from(c.dequantizedQ4_0));
  });
});

describe('ggml block input checks', () => {
  const code = (fn: () => unknown) => {
    try {
      fn();
    } catch (e) {
      return (e as { code?: string }).code;
    }
    return 'no error';
  };

  it('rejects what ggml cannot encode, with stable codes', () => {
    for (const quantize of [quantizeQ8_0, quantizeQ4_0]) {
      expect(code(() => quantize(new Float64Array(32)))).toBe('ERR_QUANTA_INVALID_DTYPE');
      expect(code(() => quantize(new Float32Array(33)))).toBe('ERR_QUANTA_INVALID_SHAPE');
      expect(code(() => quantize({ type: 'float32', data: new Float32Array(64), dims: [32, 2] }))).toBe('ERR_QUANTA_INVALID_SHAPE');
      expect(code(() => quantize(new Float32Array(0)))).toBe('ERR_QUANTA_EMPTY_TENSOR');
      expect(code(() => quantize({ type: 'float32', data: new Float32Array(31), dims: [32] }))).toBe('ERR_QUANTA_INVALID_SHAPE');
      expect(code(() => quantize('x'))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
      for (const bad of [NaN, Infinity, -Infinity]) {
        const x = new Float32Array(64);
        x[40] = bad;
        expect(code(() => quantize(x))).toBe('ERR_QUANTA_NON_FINITE');
      }
    }
    expect(() => quantizeQ8_0(new Float32Array(33))).toThrow(/x\.dims\[0\] must be a positive multiple of 32/);
  });

  it('rejects block buffers of the wrong size or type', () => {
    expect(code(() => dequantizeQ8_0(new Uint8Array(35)))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(code(() => dequantizeQ4_0(new Uint8Array(0)))).toBe('ERR_QUANTA_EMPTY_TENSOR');
    expect(code(() => dequantizeQ4_0({ type: 'q8_0', dims: [32], data: new Uint8Array(34) }))).toBe('ERR_QUANTA_INVALID_DTYPE');
    expect(code(() => dequantizeQ4_0({ type: 'q4_0', dims: [64], data: new Uint8Array(18) }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(code(() => dequantizeQ4_0({ type: 'q4_0', dims: [16], data: new Uint8Array(9) }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(code(() => dequantizeQ8_0(new Float32Array(34)))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
  });
});
