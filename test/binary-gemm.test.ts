// The binary GEMM engine from JS: packBinaryWeights + binaryGemm against a naive reference on
// +-1 signs (x >= 0 is +1, -0 included), on every path this machine runs, both weight layouts,
// garbage padding bits, thread counts, and the errors at the boundary.
import { describe, expect, it } from 'vitest';

import {
  binarizeActivations, binaryGemm, binaryGemmKernelIsa, binaryGemmSync, numThreads, packBinaryWeights, quantizeBinary, setNumThreads,
} from '../lib/index.js';
import { addon } from '../lib/native.js';
import { codeOf, lcg as rng, paths } from './support';

/** Values with exact zeros of both signs among them. */
function floats(n: number, next: () => number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const r = next() >>> 0;
    out[i] = r % 13 === 0 ? 0 : r % 13 === 1 ? -0 : ((r >>> 8) % 2001 - 1000) / 256;
  }
  return out;
}

const sign = (v: number): number => (v >= 0 ? 1 : -1);

/** w [N, K] -> [K, N] */
function transpose(w: Float32Array, n: number, k: number): Float32Array {
  const t = new Float32Array(n * k);
  for (let j = 0; j < n; j++) for (let kk = 0; kk < k; kk++) t[kk * n + j] = w[j * k + kk]!;
  return t;
}

function naiveDots(x: Float32Array, w: Float32Array, m: number, n: number, k: number): Int32Array {
  const y = new Int32Array(m * n);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) {
      let dot = 0;
      for (let kk = 0; kk < k; kk++) dot += sign(x[r * k + kk]!) * sign(w[j * k + kk]!);
      y[r * n + j] = dot;
    }
  }
  return y;
}

function meanAbs(v: Float32Array, start: number, len: number): number {
  let s = 0;
  for (let i = 0; i < len; i++) s += Math.abs(v[start + i]!);
  return Math.fround(len === 0 ? 0 : s / len);
}

describe('binaryGemm', () => {
  it('returns a Promise with binaryGemmSync\'s bits (binary and float32 activations)', async () => {
    const [m, n, k] = [5, 19, 130];
    const w = Float32Array.from({ length: n * k }, (_, i) => Math.sin(i * 1.7));
    const x = Float32Array.from({ length: m * k }, (_, i) => Math.cos(i * 0.9));
    const packed = packBinaryWeights({ type: 'float32', data: w, dims: [n, k] });
    for (const activations of ['binary', 'float32'] as const) {
      const p = binaryGemm({ type: 'float32', data: x, dims: [m, k] }, packed, { activations });
      expect(p).toBeInstanceOf(Promise);
      expect((await p).data).toEqual(binaryGemmSync({ type: 'float32', data: x, dims: [m, k] }, packed, { activations }).data);
    }
  });

  it('reports its kernel paths', () => {
    for (const isa of paths) {
      const p = binaryGemmKernelIsa(isa);
      expect(typeof p.binary).toBe('string');
      expect(typeof p.float32).toBe('string');
    }
  });

  it('int32 dots equal the naive +-1 reference on every path, both layouts, K around 64', () => {
    const next = rng(1);
    for (const k of [1, 2, 7, 63, 64, 65, 127, 128, 129, 200, 513]) {
      for (const [m, n] of [[1, 1], [3, 9], [5, 33], [9, 17]] as const) {
        const x = floats(m * k, next);
        const w = floats(n * k, next);
        const want = naiveDots(x, w, m, n, k);
        const packedNK = packBinaryWeights({ type: 'float32', data: w, dims: [n, k] });
        const packedKN = packBinaryWeights({ type: 'float32', data: transpose(w, n, k), dims: [k, n] }, { layout: 'kn' });
        const a = binarizeActivations({ type: 'float32', data: x, dims: [m, k] });
        for (const isa of paths) {
          for (const packed of [packedNK, packedKN]) {
            expect(binaryGemmSync(a, packed, { output: 'int32', isa }).data).toEqual(want);
            // Float32 activations binarized natively give the same dots.
            expect(binaryGemmSync({ type: 'float32', data: x, dims: [m, k] }, packed, { output: 'int32', isa }).data).toEqual(want);
          }
        }
      }
    }
  });

  it('padding bits past K never change a result', () => {
    const next = rng(2);
    const m = 4, n = 11;
    for (const k of [1, 37, 64, 100]) {
      const x = floats(m * k, next);
      const w = floats(n * k, next);
      const packed = packBinaryWeights({ type: 'float32', data: w, dims: [n, k] });
      const a = binarizeActivations({ type: 'float32', data: x, dims: [m, k] });
      const clean = binaryGemmSync(a, packed, { output: 'int32' }).data;
      const words = a.words.slice();
      const used = BigInt(k % 64);
      for (let r = 0; r < m; r++) {
        const last = (r + 1) * a.wordsPerRow - 1;
        if (used !== 0n) words[last] = words[last]! | (((1n << 64n) - 1n) ^ ((1n << used) - 1n));
      }
      for (const isa of paths) {
        expect(binaryGemmSync({ ...a, words }, packed, { output: 'int32', isa }).data).toEqual(clean);
      }
      expect(clean).toEqual(naiveDots(x, w, m, n, k));
    }
  });

  it('binarizeActivations matches quantizeBinary per row (bits and mean |x| scales)', () => {
    const next = rng(3);
    const m = 3, k = 70;
    const x = floats(m * k, next);
    const a = binarizeActivations({ type: 'float32', data: x, dims: [m, k] });
    const q = quantizeBinary({ type: 'float32', data: x, dims: [m, k] }, { axis: 0 });
    expect(a.scale).toEqual(q.scale);
    for (let r = 0; r < m; r++) {
      for (let kk = 0; kk < k; kk++) {
        const bit = Number((a.words[r * a.wordsPerRow + (kk >> 6)]! >> BigInt(kk & 63)) & 1n);
        const i = r * k + kk;
        expect(bit).toBe((q.data[i >> 3]! >> (i & 7)) & 1);
      }
    }
  });

  it('float32 output: fma(float(dot), aScale * scale, bias), identical on every path', () => {
    const next = rng(4);
    const m = 7, n = 21, k = 150;
    const x = floats(m * k, next);
    const w = floats(n * k, next);
    const bias = Float32Array.from({ length: n }, (_, j) => (j - 10) / 8);
    const packed = packBinaryWeights({ type: 'float32', data: w, dims: [n, k] }, { bias });
    const dots = naiveDots(x, w, m, n, k);
    const results = paths.map((isa) => binaryGemmSync({ type: 'float32', data: x, dims: [m, k] }, packed, { isa }).data as Float32Array);
    for (const r of results) expect(r).toEqual(results[0]);
    const y = results[0]!;
    for (let r = 0; r < m; r++) {
      const sa = meanAbs(x, r * k, k);
      for (let j = 0; j < n; j++) {
        const sw = meanAbs(w, j * k, k);
        const want = dots[r * n + j]! * Math.fround(sa * sw) + bias[j]!;
        expect(Math.abs(y[r * n + j]! - want)).toBeLessThanOrEqual(Math.abs(want) * 2 ** -23 + 1e-30);
      }
    }
  });

  it('float32 activations x binary weights: the stated order (float32 sum in k order), identical on every path', () => {
    const next = rng(5);
    for (const [m, n, k] of [[1, 1, 1], [7, 17, 33], [13, 40, 200]] as const) {
      const x = floats(m * k, next);
      const w = floats(n * k, next);
      const packed = packBinaryWeights({ type: 'float32', data: w, dims: [n, k] }, { scale: 'tensor' });
      const results = paths.map((isa) => binaryGemmSync({ type: 'float32', data: x, dims: [m, k] }, packed, { activations: 'float32', isa }).data as Float32Array);
      for (const r of results) expect(r).toEqual(results[0]);
      const sw = packed.scale[0]!;
      for (let r = 0; r < m; r++) {
        for (let j = 0; j < n; j++) {
          let acc = 0;
          for (let kk = 0; kk < k; kk++) {
            const v = x[r * k + kk]!;
            acc = Math.fround(acc + (sign(w[j * k + kk]!) > 0 ? v : -v));
          }
          const want = acc * sw;  // exact in float64; the kernel rounds once (fma with bias 0)
          expect(results[0]![r * n + j]).toBe(Math.fround(want));
        }
      }
    }
  });

  it('gives identical results for 1, 2 and 3 threads', () => {
    const next = rng(6);
    const m = 300, n = 70, k = 1000;
    const x = floats(m * k, next);
    const packed = packBinaryWeights({ type: 'float32', data: floats(n * k, next), dims: [n, k] });
    const before = numThreads();
    try {
      const results = [1, 2, 3].map((t) => {
        setNumThreads(t);
        return [binaryGemmSync({ type: 'float32', data: x, dims: [m, k] }, packed, { output: 'int32' }).data,
          binaryGemmSync({ type: 'float32', data: x, dims: [m, k] }, packed, { activations: 'float32' }).data];
      });
      for (const r of results) expect(r).toEqual(results[0]);
    } finally {
      setNumThreads(before);
    }
  });

  it('packs a quantizeBinary tensor like the float weights it came from', () => {
    const next = rng(7);
    const n = 9, k = 77, m = 4;
    const w = floats(n * k, next);
    const x = floats(m * k, next);
    const fromFloat = packBinaryWeights({ type: 'float32', data: w, dims: [n, k] });
    const fromBits = packBinaryWeights(quantizeBinary({ type: 'float32', data: w, dims: [n, k] }, { axis: 0 }));
    const X = { type: 'float32', data: x, dims: [m, k] } as const;
    expect(binaryGemmSync(X, fromBits).data).toEqual(binaryGemmSync(X, fromFloat).data);
    expect(fromBits.scale).toEqual(fromFloat.scale);
  });

  it('group scales: acc = fma(float(dot_g), aScale * scale[n, g], acc) group by group, + bias; identical on every path and layout', () => {
    const next = rng(9);
    for (const [m, n, k, groupSize] of [[3, 5, 64, 64], [4, 9, 200, 64], [2, 17, 300, 128], [5, 3, 1000, 192]] as const) {
      const x = floats(m * k, next);
      const w = floats(n * k, next);
      const bias = Float32Array.from({ length: n }, (_, j) => j / 4 - 1);
      const nk = packBinaryWeights({ type: 'float32', data: w, dims: [n, k] }, { scale: 'group', groupSize, bias });
      const kn = packBinaryWeights({ type: 'float32', data: transpose(w, n, k), dims: [k, n] }, { layout: 'kn', scale: 'group', groupSize, bias });
      const fromTensor = packBinaryWeights(quantizeBinary({ type: 'float32', data: w, dims: [n, k] }, { axis: 1, blockSize: groupSize }), { bias });
      expect(kn.scale).toEqual(nk.scale);
      const X = { type: 'float32', data: x, dims: [m, k] } as const;
      const results = paths.flatMap((isa) => [nk, kn, fromTensor].map((p) => binaryGemmSync(X, p, { isa }).data as Float32Array));
      for (const r of results) expect(r).toEqual(results[0]);
      // Against float64 arithmetic on the same terms (each kernel step rounds to float32 once).
      const groups = Math.ceil(k / groupSize);
      const y = results[0]!;
      for (let r = 0; r < m; r++) {
        const sa = meanAbs(x, r * k, k);
        for (let j = 0; j < n; j++) {
          let want = 0;
          let magnitude = 0;
          for (let g = 0; g < groups; g++) {
            let dot = 0;
            for (let kk = g * groupSize; kk < Math.min(k, (g + 1) * groupSize); kk++) dot += sign(x[r * k + kk]!) * sign(w[j * k + kk]!);
            const sw = meanAbs(w, j * k + g * groupSize, Math.min(groupSize, k - g * groupSize));
            expect(nk.scale[j * groups + g]).toBe(sw);
            want += dot * Math.fround(sa * sw);
            magnitude += Math.abs(dot * sa * sw);
          }
          want += bias[j]!;
          expect(Math.abs(y[r * n + j]! - want)).toBeLessThanOrEqual((magnitude + Math.abs(bias[j]!)) * (groups + 1) * 2 ** -23);
        }
      }
      // int32 output ignores the scales: the plain dots.
      expect(binaryGemmSync(X, nk, { output: 'int32' }).data).toEqual(naiveDots(x, w, m, n, k));
    }
  });

  it('keeps leading dims and writes into a caller-provided output', () => {
    const next = rng(8);
    const packed = packBinaryWeights({ type: 'float32', data: floats(5 * 8, next), dims: [5, 8] });
    const out = new Float32Array(2 * 3 * 5);
    const y = binaryGemmSync({ type: 'float32', data: floats(2 * 3 * 8, next), dims: [2, 3, 8] }, packed, { out });
    expect(y.dims).toEqual([2, 3, 5]);
    expect(y.data).toBe(out);
  });

  it('rejects bad input with stable codes', () => {
    const w = { type: 'float32', data: new Float32Array(12).fill(1), dims: [3, 4] };
    const packed = packBinaryWeights(w);
    const x = { type: 'float32', data: new Float32Array(8), dims: [2, 4] };
    expect(codeOf(() => binaryGemmSync(x, {} as never))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => binaryGemmSync({ type: 'float32', data: new Float32Array(10), dims: [2, 5] }, packed))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => binaryGemmSync({ type: 'float32', data: new Float32Array([1, NaN, 0, 0, 0, 0, 0, 0]), dims: [2, 4] }, packed))).toBe('ERR_QUANTA_NON_FINITE');
    expect(codeOf(() => binaryGemmSync(x, packed, { activations: 'float32', output: 'int32' }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => binaryGemmSync(x, packed, { output: 'int8' as never }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => binaryGemmSync(x, packed, { out: new Int32Array(6) }))).toBe('ERR_QUANTA_INVALID_DTYPE');
    expect(codeOf(() => binaryGemmSync(x, packed, { out: new Float32Array(5) }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => binaryGemmSync(x, packed, { isa: 'mmx' as never }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    const a = binarizeActivations(x);
    expect(codeOf(() => binaryGemmSync({ ...a, words: new BigUint64Array(1) }, packed))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => binaryGemmSync({ ...a, scale: new Float32Array(1) }, packed))).toBe('ERR_QUANTA_INVALID_SCALE');
    expect(codeOf(() => packBinaryWeights({ type: 'float32', data: new Float32Array(8), dims: [2, 2, 2] }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => packBinaryWeights(new Int8Array(4) as never))).toBe('ERR_QUANTA_INVALID_DTYPE');
    expect(codeOf(() => packBinaryWeights(w, { layout: 'mk' as never }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => packBinaryWeights(w, { scale: 'group' as never }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => packBinaryWeights(w, { bias: [1, 2] }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => packBinaryWeights(w, { bias: [1, Infinity, 2] }))).toBe('ERR_QUANTA_NON_FINITE');
    expect(codeOf(() => packBinaryWeights(quantizeBinary(w, { axis: 1 })))).toBe('ERR_QUANTA_INVALID_SCALE');
    expect(codeOf(() => packBinaryWeights(quantizeBinary(w, { axis: 1, blockSize: 2 })))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => packBinaryWeights(w, { scale: 'group', groupSize: 96 }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => packBinaryWeights(w, { groupSize: 64 }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    const groupedPacked = packBinaryWeights(w, { scale: 'group', groupSize: 64 });
    expect(codeOf(() => binaryGemmSync(x, groupedPacked, { activations: 'float32' }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
  });

  it('the binding re-checks every length that protects memory', () => {
    const native = addon();
    const packed = native.binaryPackWeights(new Uint8Array(2), true, 3, 4, new Float32Array([1]), null);
    const expectCode = (fn: () => unknown, c: string): void => {
      expect(fn).toThrow(expect.objectContaining({ code: c }) as never);
    };
    expectCode(() => native.binaryPackWeights(new Uint8Array(1), true, 3, 4, new Float32Array([1]), null), 'ERR_QUANTA_INVALID_SHAPE');
    expectCode(() => native.binaryGemm(packed, 0, 2, new BigUint64Array(1), null, null, 0, new Int32Array(6)), 'ERR_QUANTA_INVALID_SHAPE');
    expectCode(() => native.binaryGemm(packed, 1, 2, null, null, new Float32Array(7), 1, new Float32Array(6)), 'ERR_QUANTA_INVALID_SHAPE');
    expectCode(() => native.binaryGemm(packed, 1, 2, null, null, new Float32Array(8), 1, new Float32Array(5)), 'ERR_QUANTA_INVALID_SHAPE');
    expectCode(() => native.binaryGemm({}, 1, 2, null, null, new Float32Array(8), 1, new Float32Array(6)), 'ERR_QUANTA_INVALID_ARGUMENT');
    expectCode(() => native.binaryGemm(packed, 2, 2, null, null, new Float32Array(8), 0, new Int32Array(6)), 'ERR_QUANTA_INVALID_ARGUMENT');
    expectCode(() => native.binaryBinarize(new Float32Array(8), 2, 4, new BigUint64Array(1), new Float32Array(2)), 'ERR_QUANTA_INVALID_SHAPE');
  });
});
