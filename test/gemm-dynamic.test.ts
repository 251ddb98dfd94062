// dynamicQuantizeMatmul: equal, bit for bit, to its definition composed from the separate ops
// (dynamicQuantizeLinear / per-row quantizeLinear, then gemm with float32 output), on every
// path and thread count; close to the float product; clear errors.
import { describe, expect, it } from 'vitest';

import { dynamicQuantizeLinear, dynamicQuantizeMatmulSync, gemmSync, numThreads, packWeights, quantizeLinear, setNumThreads } from '../lib/index.js';
import { codeOf, lcg, paths } from './support.js';

function rng(seed: number): () => number {
  const next = lcg(seed);
  return () => next() / 2 ** 32;
}

function setup(m: number, k: number, n: number, seed: number) {
  const next = rng(seed);
  const x = Float32Array.from({ length: m * k }, (_, i) => (next() * 2 - 1) * (1 + (i % 7)) + (Math.floor(i / k) % 3 === 1 ? 0.5 : 0));
  const w = Int8Array.from({ length: n * k }, () => Math.floor(next() * 255) - 127);
  const scale = Float32Array.from({ length: n }, (_, j) => 0.004 + j * 1e-5);
  const bias = Float32Array.from({ length: n }, (_, j) => (j % 5) - 2);
  return { x, w, scale, bias, packed: packWeights({ type: 'int8', data: w, dims: [n, k] }, { scale, bias }) };
}

describe('dynamicQuantizeMatmul', () => {
  it("'tensor' equals dynamicQuantizeLinear + gemm (onnxruntime's DynamicQuantizeMatMul steps)", () => {
    for (const [m, k, n] of [[1, 1, 1], [5, 67, 33], [37, 300, 50]] as const) {
      const { x, packed } = setup(m, k, n, m + k + n);
      const q = dynamicQuantizeLinear(x);
      const want = gemmSync({ type: 'uint8', data: q.y.data as Uint8Array, dims: [m, k] }, packed, { aZeroPoint: q.zeroPoint, aScale: q.scale, output: 'float32' }).data;
      for (const isa of paths) {
        const y = dynamicQuantizeMatmulSync({ type: 'float32', data: x, dims: [m, k] }, packed, { granularity: 'tensor', isa });
        expect(y.dims).toEqual([m, n]);
        expect(y.data).toEqual(want);
      }
    }
  });

  it("'row' equals per-row DynamicQuantizeLinear + gemm with per-row scales and zero points", () => {
    const [m, k, n] = [23, 129, 70];
    const { x, packed } = setup(m, k, n, 7);
    const codes = new Uint8Array(m * k);
    const aScale = new Float32Array(m);
    const aZeroPoint = new Int32Array(m);
    for (let r = 0; r < m; r++) {
      const q = dynamicQuantizeLinear(x.subarray(r * k, (r + 1) * k));
      codes.set(q.y.data as Uint8Array, r * k);
      aScale[r] = q.scale;
      aZeroPoint[r] = q.zeroPoint;
    }
    const want = gemmSync({ type: 'uint8', data: codes, dims: [m, k] }, packed, { aZeroPoint, aScale, output: 'float32', relu: true }).data;
    const before = numThreads();
    for (const threads of [1, 2, 3]) {
      setNumThreads(threads);
      for (const isa of paths) {
        const out = new Float32Array(m * n);
        const y = dynamicQuantizeMatmulSync({ type: 'float32', data: x, dims: [1, m, k] }, packed, { relu: true, out, isa });
        expect(y.data).toBe(out);
        expect(y.dims).toEqual([1, m, n]);
        expect(out).toEqual(want);
      }
    }
    setNumThreads(before);
    // quantizeLinear agrees with the per-row codes used above (a check of the composition itself).
    const r0 = dynamicQuantizeLinear(x.subarray(0, k));
    expect(quantizeLinear(x.subarray(0, k), r0.scale, Uint8Array.of(r0.zeroPoint)).data).toEqual(codes.subarray(0, k));
  });

  it('is close to the float product (per-row error well under per-tensor error)', () => {
    const [m, k, n] = [16, 512, 64];
    const { x, w, scale, bias } = setup(m, k, n, 11);
    x[3] = 400; // one outlier in row 0
    const packed = packWeights({ type: 'int8', data: w, dims: [n, k] }, { scale, bias });
    const exact = new Float64Array(m * n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let t = 0; t < k; t++) s += x[i * k + t]! * w[j * k + t]! * scale[j]!;
        exact[i * n + j] = s + bias[j]!;
      }
    }
    const err = (y: Float32Array, from: number) => {
      let e = 0;
      let ref = 0;
      for (let i = from * n; i < m * n; i++) {
        e += (y[i]! - exact[i]!) ** 2;
        ref += exact[i]! ** 2;
      }
      return Math.sqrt(e / ref);
    };
    const perRow = dynamicQuantizeMatmulSync(x, packed).data;
    const perTensor = dynamicQuantizeMatmulSync(x, packed, { granularity: 'tensor' }).data;
    expect(perRow.length).toBe(m * n);
    // Rows 1.. have no outlier: per-row quantization keeps them at 8-bit precision.
    expect(err(perRow, 1)).toBeLessThan(0.01);
    expect(err(perTensor, 1)).toBeGreaterThan(3 * err(perRow, 1));
  });

  it('refuses bad input with a QuantaError', () => {
    const { packed } = setup(2, 8, 3, 1);
    expect(codeOf(() => dynamicQuantizeMatmulSync(new Float32Array(7), packed))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => dynamicQuantizeMatmulSync(new Int8Array(8), packed))).toBe('ERR_QUANTA_INVALID_DTYPE');
    expect(codeOf(() => dynamicQuantizeMatmulSync(new Float32Array(8), {} as never))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => dynamicQuantizeMatmulSync(new Float32Array(8), packed, { out: new Float32Array(2) }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => dynamicQuantizeMatmulSync(new Float32Array(8), packed, { granularity: 'channel' as never }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    for (const bad of [Number.NaN, Infinity, -Infinity]) {
      const x = new Float32Array(16);
      x[9] = bad;
      expect(codeOf(() => dynamicQuantizeMatmulSync(x, packed))).toBe('ERR_QUANTA_NON_FINITE');
      expect(codeOf(() => dynamicQuantizeMatmulSync(x, packed, { granularity: 'tensor' }))).toBe('ERR_QUANTA_NON_FINITE');
    }
    // A range float32 cannot quantize to 8 bits with a finite scale.
    expect(codeOf(() => dynamicQuantizeMatmulSync(Float32Array.of(-3e38, 3e38, 0, 0, 0, 0, 0, 0), packed))).toBe('ERR_QUANTA_NON_FINITE');
    // All-zero rows: scale 1, zero point 0, output = bias.
    const z = dynamicQuantizeMatmulSync(new Float32Array(8), packWeights({ type: 'int8', data: new Int8Array(24).fill(3), dims: [3, 8] }, { bias: [1, 2, 3] }));
    expect(Array.from(z.data)).toEqual([1, 2, 3]);
  });
});
