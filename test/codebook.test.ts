import { describe, expect, it } from 'vitest';

import { ISA_NAMES, capabilities, dequantizeCodebook, mse, quantizeCodebook } from '../lib/index.js';
import { codebookKernelIsa } from '../lib/codebook.js';

const usableIsas = () => ISA_NAMES.filter((name) => capabilities().unavailable[name] === null);

/** Deterministic pseudo-normal data (sum of uniforms from an LCG). */
function data(n: number, seed = 1): Float32Array {
  let s = seed >>> 0;
  const next = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
  return Float32Array.from({ length: n }, () => next() + next() + next() + next() - 2);
}

describe('quantizeCodebook', () => {
  it('reconstruction error decreases with more levels', () => {
    const x = data(8192);
    let previous = Infinity;
    for (const levels of [2, 4, 8, 16, 64, 256]) {
      const back = dequantizeCodebook(quantizeCodebook(x, { levels }));
      const err = mse(x, back.data);
      expect(err, `levels ${levels}`).toBeLessThan(previous);
      previous = err;
    }
    expect(previous).toBeLessThan(1e-4);
  });

  it('is exact on data with exactly k distinct values', () => {
    const values = [-3.25, -1, 0, 0.1, 2.5, 7, 1e-6, 1234.5];
    for (const k of [2, 5, 8]) {
      const x = Float32Array.from({ length: 1001 }, (_, i) => values[(i * 7) % k]!);
      const q = quantizeCodebook(x, { levels: k });
      expect(Array.from(dequantizeCodebook(q).data)).toEqual(Array.from(x));
      const sorted = Array.from(q.codebooks);
      expect(sorted).toEqual([...sorted].sort((a, b) => a - b));
    }
    // Fewer distinct values than levels: still exact, the spare levels are unused.
    const x = Float32Array.from({ length: 100 }, (_, i) => values[i % 3]!);
    expect(Array.from(dequantizeCodebook(quantizeCodebook(x, { levels: 16 })).data)).toEqual(Array.from(x));
  });

  it('gives identical codes and codebooks on every usable path', () => {
    const x = { type: 'float32', data: data(6 * 1000 + 7 * 6, 9), dims: [6, 1007] };
    for (const opts of [{ levels: 16 }, { levels: 256 }, { levels: 7, axis: 0 }, { levels: 16, groupSize: 128 }, { levels: 40, groupSize: 300, axis: 1 }]) {
      const want = quantizeCodebook(x, { ...opts, isa: 'ref' });
      for (const isa of usableIsas()) {
        const got = quantizeCodebook(x, { ...opts, isa });
        expect(Array.from(got.codes), `${isa} ${JSON.stringify(opts)}`).toEqual(Array.from(want.codes));
        expect(Array.from(got.codebooks), `${isa} ${JSON.stringify(opts)}`).toEqual(Array.from(want.codebooks));
      }
    }
  });

  it('reports the kmeans path in use', () => {
    expect(codebookKernelIsa('ref')).toBe('ref');
    expect(ISA_NAMES).toContain(codebookKernelIsa());
  });

  it('fits one codebook per channel or per group, laid out like blocked scales', () => {
    // Rows with very different ranges: per-row codebooks track each row.
    const dims = [3, 64];
    const x = new Float32Array(3 * 64);
    for (let r = 0; r < 3; r++) for (let c = 0; c < 64; c++) x[r * 64 + c] = (c % 4) * 10 ** r;
    const perRow = quantizeCodebook({ type: 'float32', data: x, dims }, { levels: 4, axis: 0 });
    expect(perRow.codebooks.length).toBe(3 * 4);
    expect(perRow.axis).toBe(0);
    expect(Array.from(dequantizeCodebook(perRow).data)).toEqual(Array.from(x));
    const grouped = quantizeCodebook({ type: 'float32', data: x, dims }, { levels: 4, groupSize: 30 });
    expect(grouped.codebooks.length).toBe(3 * 3 * 4); // ceil(64 / 30) = 3 groups per row, last partial
    expect(grouped.groupSize).toBe(30);
    expect(grouped.axis).toBe(1);
    expect(Array.from(dequantizeCodebook(grouped).data)).toEqual(Array.from(x));
    // Groups along a non-innermost axis.
    const t = { type: 'float32', data: data(10 * 6, 4), dims: [10, 6] };
    const g0 = quantizeCodebook(t, { levels: 2, groupSize: 4, axis: 0 });
    expect(g0.codebooks.length).toBe(3 * 6 * 2);
    expect(mse(t.data, dequantizeCodebook(g0).data)).toBeLessThan(mse(t.data, dequantizeCodebook(quantizeCodebook(t, { levels: 2 })).data));
  });

  it('packs 4-bit codes in ONNX nibble order', () => {
    const x = data(33, 5);
    const q8 = quantizeCodebook(x, { levels: 16 });
    const q4 = quantizeCodebook(x, { levels: 16, packed: true });
    expect(q4.bits).toBe(4);
    expect(q4.codes.length).toBe(17);
    for (let i = 0; i < 33; i++) expect((q4.codes[i >> 1]! >> ((i & 1) * 4)) & 15).toBe(q8.codes[i]);
    expect(q4.codes[16]! >> 4).toBe(0);
    expect(Array.from(dequantizeCodebook(q4).data)).toEqual(Array.from(dequantizeCodebook(q8).data));
    expect(() => quantizeCodebook(x, { levels: 17, packed: true })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_ARGUMENT' }));
  });

  it('is deterministic and handles duplicates, empty and one-value tensors', () => {
    const x = data(5000, 2).map((v, i) => (i % 3 === 0 ? 0 : v));
    const a = quantizeCodebook(x, { levels: 64 });
    const b = quantizeCodebook(x, { levels: 64 });
    expect(Array.from(a.codebooks)).toEqual(Array.from(b.codebooks));
    expect(new Set(a.codebooks).size).toBe(64); // duplicates do not waste levels
    const empty = quantizeCodebook(new Float32Array(0), { levels: 4 });
    expect(empty.codes.length).toBe(0);
    expect(dequantizeCodebook(empty).data.length).toBe(0);
    const one = quantizeCodebook(new Float32Array([3.5]), { levels: 4 });
    expect(Array.from(dequantizeCodebook(one).data)).toEqual([3.5]);
  });

  it('rejects NaN, infinities and bad options with stable codes', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      expect(() => quantizeCodebook(new Float32Array([1, bad, 2]), { levels: 2 })).toThrowError(
        expect.objectContaining({ code: 'ERR_QUANTA_NON_FINITE', message: expect.stringContaining('x[1]') }),
      );
    }
    const x = data(16);
    for (const levels of [1, 257, 2.5, NaN]) {
      expect(() => quantizeCodebook(x, { levels })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_ARGUMENT' }));
    }
    expect(() => quantizeCodebook(x, { levels: 4, groupSize: 17 })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_ARGUMENT' }));
    expect(() => quantizeCodebook(x, { levels: 4, axis: 1 })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_AXIS' }));
    expect(() => quantizeCodebook(x, { levels: 4, iterations: -1 })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_ARGUMENT' }));
    expect(() => quantizeCodebook(new Float64Array(4), { levels: 4 })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_DTYPE' }));
    const q = quantizeCodebook(x, { levels: 4 });
    expect(() => dequantizeCodebook({ ...q, codes: q.codes.map(() => 9) })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_ARGUMENT' }));
    expect(() => dequantizeCodebook({ ...q, codebooks: new Float32Array(3) })).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_SHAPE' }));
  });
});
