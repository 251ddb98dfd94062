// The GEMM engine from JS: packWeights + gemm against a plain JS reference (exact: every sum here
// stays far below 2^53), on every path this machine runs, and the errors at the boundary.
// (matmulInteger / qlinearMatmul run on this engine and meet onnxruntime's own outputs in
// test/conformance.)
import { describe, expect, it } from 'vitest';

import { gemmKernelIsa, gemmSync, numThreads, packWeights, setNumThreads } from '../lib/index.js';
import { codeOf, lcg as rng, paths } from './support.js';

function bytes(n: number, signed: boolean, next: () => number): Int8Array | Uint8Array {
  const out = signed ? new Int8Array(n) : new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = next() >>> 24;
  return out;
}

/** [N, K] -> [K, N] */
function transpose(w: Int8Array | Uint8Array, n: number, k: number): Int8Array | Uint8Array {
  const t = w instanceof Int8Array ? new Int8Array(n * k) : new Uint8Array(n * k);
  for (let j = 0; j < n; j++) for (let kk = 0; kk < k; kk++) t[kk * n + j] = w[j * k + kk]!;
  return t;
}

/** int32 (A - za)(W - zb) for A [m, k] and W [n, k], wrapped like int32 arithmetic. */
function refMatmul(a: ArrayLike<number>, w: ArrayLike<number>, m: number, k: number, n: number, za: number, zb: ArrayLike<number>): Int32Array {
  const y = new Int32Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let t = 0; t < k; t++) sum += (a[i * k + t]! - za) * (w[j * k + t]! - zb[j]!);
      y[i * n + j] = sum;
    }
  }
  return y;
}

/** onnxruntime's requantization: float32 multiply, clamp, round half to even, + zero point. */
function refRequantize(acc: Int32Array, multiplier: ArrayLike<number>, n: number, zp: number, qmin: number, qmax: number): number[] {
  return Array.from(acc, (v, i) => {
    const y = Math.min(Math.max(Math.fround(Math.fround(v) * multiplier[i % n]!), qmin - zp), qmax - zp);
    const r = Math.round(y);
    const even = r - y === 0.5 && r % 2 !== 0 ? r - 1 : r;
    return even + zp;
  });
}

describe('gemm', () => {
  it('reports its kernel path', () => {
    for (const isa of paths) expect(typeof gemmKernelIsa(isa)).toBe('string');
  });

  it('int32 output equals the reference on every path, both layouts, every signedness', () => {
    const next = rng(1);
    for (const [m, k, n] of [[1, 1, 1], [7, 33, 50], [13, 300, 97], [64, 1030, 49]] as const) {
      for (const aSigned of [false, true]) {
        for (const bSigned of [false, true]) {
          const a = bytes(m * k, aSigned, next);
          const wNK = bytes(n * k, bSigned, next);
          const wKN = transpose(wNK, n, k);
          const azp = aSigned ? -3 : 131;
          const bzp = Array.from({ length: n }, (_, i) => (bSigned ? (i % 7) - 3 : 120 + (i % 9)));
          const want = refMatmul(a, wNK, m, k, n, azp, bzp);
          const packedNK = packWeights({ type: bSigned ? 'int8' : 'uint8', data: wNK, dims: [n, k] }, { zeroPoint: bzp });
          const packedKN = packWeights({ type: bSigned ? 'int8' : 'uint8', data: wKN, dims: [k, n] }, { layout: 'kn', zeroPoint: bzp });
          for (const isa of paths) {
            for (const packed of [packedNK, packedKN]) {
              const y = gemmSync({ type: aSigned ? 'int8' : 'uint8', data: a, dims: [m, k] }, packed, { aZeroPoint: azp, isa });
              expect(y.dims).toEqual([m, n]);
              expect(y.data).toEqual(want);
            }
          }
        }
      }
    }
  });

  it('does not depend on the thread count, and writes into a caller-provided output', () => {
    const next = rng(2);
    const [m, k, n] = [150, 700, 130];
    const a = bytes(m * k, false, next) as Uint8Array;
    const packed = packWeights({ type: 'int8', data: bytes(n * k, true, next), dims: [n, k] }, { zeroPoint: 2 });
    const before = numThreads();
    const first = gemmSync({ type: 'uint8', data: a, dims: [m, k] }, packed, { aZeroPoint: 7 }).data;
    for (const t of [1, 2, 3]) {
      setNumThreads(t);
      const out = new Int32Array(m * n);
      const y = gemmSync({ type: 'uint8', data: a, dims: [m, k] }, packed, { aZeroPoint: 7, out });
      expect(y.data).toBe(out);
      expect(out).toEqual(first);
    }
    setNumThreads(before);
  });

  it('float32 output: the same bits on every path, within an ulp of (acc * sa * sb + bias)', () => {
    const next = rng(3);
    const [m, k, n] = [9, 200, 40];
    const a = bytes(m * k, true, next) as Int8Array;
    const w = bytes(n * k, true, next) as Int8Array;
    const scale = Float32Array.from({ length: n }, (_, i) => 0.01 + i * 1e-4);
    const bias = Float32Array.from({ length: n }, (_, i) => (i - 20) * 0.25);
    const packed = packWeights({ type: 'int8', data: w, dims: [n, k] }, { scale, bias });
    const acc = gemmSync({ type: 'int8', data: a, dims: [m, k] }, packWeights({ type: 'int8', data: w, dims: [n, k] })).data;
    const results = paths.map((isa) => gemmSync({ type: 'int8', data: a, dims: [m, k] }, packed, { output: 'float32', aScale: 0.05, relu: true, isa }).data as Float32Array);
    for (const r of results) expect(r).toEqual(results[0]);
    for (let i = 0; i < m * n; i++) {
      const j = i % n;
      const want = Math.max(0, Math.fround(Math.fround(acc[i]!) * Math.fround(Math.fround(0.05) * scale[j]!) + bias[j]!));
      expect(Math.abs(results[0]![i]! - want)).toBeLessThanOrEqual(Math.abs(want) * 1.2e-7 + 1e-30);
    }
  });

  it('uint8 / int8 output equals the reference requantization', () => {
    const next = rng(4);
    const [m, k, n] = [11, 333, 35];
    const a = bytes(m * k, false, next) as Uint8Array;
    const w = bytes(n * k, true, next) as Int8Array;
    const bScale = Float32Array.from({ length: n }, (_, i) => 0.002 + i * 1e-4);
    const packed = packWeights({ type: 'int8', data: w, dims: [n, k] }, { scale: bScale, zeroPoint: 1 });
    for (const [dtype, yzp] of [['uint8', 128], ['int8', -5]] as const) {
      const multiplier = Array.from(bScale, (b) => Math.fround(Math.fround(Math.fround(0.03) * b) / Math.fround(0.4)));
      const [qmin, qmax] = dtype === 'int8' ? [-128, 127] : [0, 255];
      const want = refRequantize(refMatmul(a, w, m, k, n, 100, new Array(n).fill(1)), multiplier, n, yzp, qmin, qmax);
      for (const isa of paths) {
        const y = gemmSync({ type: 'uint8', data: a, dims: [m, k] }, packed, { aZeroPoint: 100, output: dtype, aScale: 0.03, outScale: 0.4, outZeroPoint: yzp, isa });
        expect(y.type).toBe(dtype);
        expect(Array.from(y.data)).toEqual(Array.from(want));
      }
    }
  });

  it("activation 'gelu': the same bits on every path, x * Phi(x) of the float32 output within 2e-7 * max(1, |x|)", () => {
    const next = rng(6);
    const [m, k, n] = [7, 90, 45];
    const a = bytes(m * k, true, next) as Int8Array;
    const w = bytes(n * k, true, next) as Int8Array;
    const packed = packWeights({ type: 'int8', data: w, dims: [n, k] }, { scale: 0.002, bias: Float32Array.from({ length: n }, (_, j) => j / 9 - 2.5) });
    const plain = gemmSync({ type: 'int8', data: a, dims: [m, k] }, packed, { output: 'float32', aScale: 0.004 }).data as Float32Array;
    const results = paths.map((isa) => gemmSync({ type: 'int8', data: a, dims: [m, k] }, packed, { output: 'float32', aScale: 0.004, activation: 'gelu', isa }).data);
    for (const r of results) expect(r).toEqual(results[0]);
    // erf by its Taylor series (|x| < 4 here; double precision to ~1e-12).
    const erf = (x: number): number => {
      let term = x;
      let sum = x;
      for (let i = 1; i < 80; i++) {
        term *= (-x * x) / i;
        sum += term / (2 * i + 1);
      }
      return (2 / Math.sqrt(Math.PI)) * sum;
    };
    let inRange = 0;
    for (let i = 0; i < m * n; i++) {
      const x = plain[i]!;
      if (Math.abs(x) > 5) continue;
      inRange++;
      const exact = 0.5 * x * (1 + erf(x / Math.SQRT2));
      expect(Math.abs(results[0]![i]! - exact)).toBeLessThanOrEqual(2e-7 * Math.max(1, Math.abs(x)));
    }
    expect(inRange).toBeGreaterThan(m * n / 2);
  });

  it('uint8 / int8 output adds the bias as int32 at scale aScale * scale[n], as onnxruntime does', () => {
    const next = rng(8);
    const [m, k, n] = [6, 77, 40];
    const a = bytes(m * k, false, next) as Uint8Array;
    const w = bytes(n * k, true, next) as Int8Array;
    const bScale = Float32Array.from({ length: n }, (_, i) => 0.003 + i * 1e-4);
    const bias = Float32Array.from({ length: n }, (_, i) => (i - 20) * 0.7);
    const packed = packWeights({ type: 'int8', data: w, dims: [n, k] }, { scale: bScale, bias });
    const acc = refMatmul(a, w, m, k, n, 128, new Array(n).fill(0));
    const sa = Math.fround(0.02);
    for (let i = 0; i < acc.length; i++) acc[i] = acc[i]! + Math.round(bias[i % n]! / Math.fround(sa * bScale[i % n]!));
    const multiplier = Array.from(bScale, (b) => Math.fround(Math.fround(sa * b) / Math.fround(0.25)));
    const want = refRequantize(acc, multiplier, n, 3, -128, 127);
    for (const isa of paths) {
      const y = gemmSync({ type: 'uint8', data: a, dims: [m, k] }, packed, { aZeroPoint: 128, output: 'int8', aScale: 0.02, outScale: 0.25, outZeroPoint: 3, isa });
      expect(Array.from(y.data)).toEqual(want);
    }
  });

  it('refuses bad arguments with a QuantaError', () => {
    const packed = packWeights({ type: 'int8', data: new Int8Array(12), dims: [3, 4] });
    const a = { type: 'uint8', data: new Uint8Array(8), dims: [2, 4] };
    expect(codeOf(() => gemmSync({ type: 'uint8', data: new Uint8Array(6), dims: [2, 3] }, packed))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => gemmSync(a, {} as never))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => gemmSync(a, packed, { output: 'float32' }))).toBe('ERR_QUANTA_INVALID_SCALE');
    expect(codeOf(() => gemmSync(a, packed, { out: new Int32Array(5) }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => gemmSync(a, packed, { aZeroPoint: 300 }))).toBe('ERR_QUANTA_INVALID_ZERO_POINT');
    const shared = new ArrayBuffer(64);
    expect(codeOf(() => gemmSync({ type: 'uint8', data: new Uint8Array(shared, 0, 8), dims: [2, 4] }, packed, { out: new Int32Array(shared, 0, 6) })))
      .toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => gemmSync(a, packed, { output: 'float32', aScale: 1, activation: 'tanh' as never }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => gemmSync(a, packed, { output: 'float32', aScale: 1, activation: 'gelu', relu: true }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => packWeights({ type: 'int8', data: new Int8Array(12), dims: [12] }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    // Beyond the int32 bound on K (u8 A with za = 255 x u8 B with zb = 0: 255 * 255 per product).
    const k = 33026;
    const big = packWeights({ type: 'uint8', data: new Uint8Array(k), dims: [1, k] });
    expect(codeOf(() => gemmSync({ type: 'uint8', data: new Uint8Array(k), dims: [1, k] }, big, { aZeroPoint: 255 }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    // At the bound the result is exact: (0 - 255) * (255 - 0) * 33025 = -2147450625.
    expect(gemmSync({ type: 'uint8', data: new Uint8Array(k - 1), dims: [1, k - 1] },
      packWeights({ type: 'uint8', data: new Uint8Array(k - 1).fill(255), dims: [1, k - 1] }), { aZeroPoint: 255 }).data[0]).toBe(-2147450625);
  });
});
