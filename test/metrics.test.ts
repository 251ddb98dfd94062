import { describe, expect, it } from 'vitest';

import { cosineSimilarity, maxAbsError, mse, sqnr } from '../lib/index.js';

describe('error metrics', () => {
  const ref = new Float32Array([1, -2, 3, 4]);
  const approx = new Float32Array([1, -2, 3.5, 3]);

  it('computes mse, max |error|, SQNR and cosine similarity in float64', () => {
    expect(mse(ref, approx)).toBeCloseTo((0.25 + 1) / 4, 12);
    expect(maxAbsError(ref, approx)).toBe(1);
    expect(sqnr(ref, approx)).toBeCloseTo(10 * Math.log10(30 / 1.25), 12);
    const dot = 1 + 4 + 10.5 + 12;
    expect(cosineSimilarity(ref, approx)).toBeCloseTo(dot / Math.sqrt(30 * (1 + 4 + 12.25 + 9)), 12);
  });

  it('treats exact and degenerate inputs explicitly', () => {
    expect(sqnr(ref, ref)).toBe(Infinity);
    expect(mse(ref, ref)).toBe(0);
    expect(cosineSimilarity(new Float32Array(3), new Float32Array(3))).toBe(1);
    expect(cosineSimilarity(new Float32Array(3), new Float32Array([1, 0, 0]))).toBe(0);
    expect(cosineSimilarity(ref, ref.map((v) => -v))).toBeCloseTo(-1, 12);
  });

  it('accepts tensors and rejects mismatched or empty inputs with stable codes', () => {
    expect(mse({ type: 'float32', data: ref, dims: [2, 2] }, approx)).toBeCloseTo(0.3125, 12);
    expect(() => mse(ref, new Float32Array(3))).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_SHAPE' }));
    expect(() => sqnr(new Float32Array(0), new Float32Array(0))).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_EMPTY_TENSOR' }));
    expect(() => mse(new Int8Array(2) as never, new Int8Array(2) as never)).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_DTYPE' }));
  });
});
