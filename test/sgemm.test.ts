// The float32 GEMM engine from JS: packWeightsF32 + sgemm against a float64 product computed here
// (within the rounding bound lib/sgemm.ts states), the same bits on every path this machine runs
// and for every thread count, caller-provided outputs, and the errors at the boundary.
import { describe, expect, it } from 'vitest';

import {
  PackedWeightsF32, capabilities, numThreads, packWeights, packWeightsF32, setNumThreads, sgemmKernelIsa, sgemmSync,
} from '../lib/index.js';
import { codeOf, lcg, paths } from './support';

function rng(seed: number): () => number {
  const next = lcg(seed);
  return () => next() / 2 ** 31 - 1; // [-1, 1)
}

function floats(n: number, next: () => number): Float32Array {
  return Float32Array.from({ length: n }, () => next());
}

/** [N, K] -> [K, N] */
function transpose(w: Float32Array, n: number, k: number): Float32Array {
  const t = new Float32Array(n * k);
  for (let j = 0; j < n; j++) for (let kk = 0; kk < k; kk++) t[kk * n + j] = w[j * k + kk]!;
  return t;
}

/** Checks y against the float64 product of a [M, K] and w [N, K], within the stated bound. */
function expectNearFloat64(y: Float32Array, a: Float32Array, w: Float32Array, m: number, n: number, k: number, bias: Float32Array | null, relu: boolean): void {
  const u = 2 ** -24;
  const slices = Math.max(1, Math.ceil(k / 512));
  const rounds = k + slices + 1;
  const gamma = (rounds * u) / (1 - rounds * u);
  for (let r = 0; r < m; r++) {
    for (let j = 0; j < n; j++) {
      let exact = 0;
      let magnitude = 0;
      for (let kk = 0; kk < k; kk++) {
        const p = a[r * k + kk]! * w[j * k + kk]!;
        exact += p;
        magnitude += Math.abs(p);
      }
      if (bias) {
        exact += bias[j]!;
        magnitude += Math.abs(bias[j]!);
      }
      if (relu) exact = Math.max(0, exact);
      const err = Math.abs(y[r * n + j]! - exact);
      if (err > gamma * magnitude) throw new Error(`(${r}, ${j}) of [${m}, ${k}] x [${k}, ${n}]: ${y[r * n + j]} vs ${exact}, error ${err} > ${gamma * magnitude}`);
    }
  }
}

describe('sgemm', () => {
  it('reports its kernel path', () => {
    for (const isa of paths) expect(typeof sgemmKernelIsa(isa)).toBe('string');
    expect(sgemmKernelIsa('ref')).toBe('ref');
    expect(capabilities().kernels.sgemm).toBe(sgemmKernelIsa());
  });

  it('is within the rounding bound of a float64 product, both layouts, bias and relu, every path bit-identical', () => {
    const next = rng(1);
    for (const [m, k, n] of [[1, 1, 1], [7, 33, 50], [13, 300, 97], [9, 1030, 49], [20, 64, 145]] as const) {
      const a = floats(m * k, next);
      const wNK = floats(n * k, next);
      const wKN = transpose(wNK, n, k);
      const bias = floats(n, next);
      for (const withBias of [false, true]) {
        for (const relu of [false, true]) {
          const b = withBias ? bias : null;
          const packedNK = packWeightsF32({ type: 'float32', data: wNK, dims: [n, k] }, withBias ? { bias } : {});
          const packedKN = packWeightsF32({ type: 'float32', data: wKN, dims: [k, n] }, { layout: 'kn', ...(withBias ? { bias: Array.from(bias) } : {}) });
          expect([packedNK.n, packedNK.k, packedKN.n, packedKN.k]).toEqual([n, k, n, k]);
          let first: Float32Array | null = null;
          for (const isa of paths) {
            for (const packed of [packedNK, packedKN]) {
              const y = sgemmSync({ type: 'float32', data: a, dims: [m, k] }, packed, { relu, isa });
              expect(y.type).toBe('float32');
              expect(y.dims).toEqual([m, n]);
              expectNearFloat64(y.data, a, wNK, m, n, k, b, relu);
              if (first === null) first = y.data;
              else expect(new Uint32Array(y.data.buffer)).toEqual(new Uint32Array(first.buffer));
              if (relu) for (const v of y.data) expect(v).toBeGreaterThanOrEqual(0);
            }
          }
        }
      }
    }
  });

  it('keeps leading dimensions of a, and takes a plain Float32Array as one row', () => {
    const next = rng(2);
    const [k, n] = [10, 6];
    const packed = packWeightsF32({ type: 'float32', data: floats(n * k, next), dims: [n, k] });
    const a = floats(2 * 3 * k, next);
    const y = sgemmSync({ type: 'float32', data: a, dims: [2, 3, k] }, packed);
    expect(y.dims).toEqual([2, 3, n]);
    const row = sgemmSync(a.subarray(k, 2 * k), packed);
    expect(row.dims).toEqual([n]);
    expect(row.data).toEqual(y.data.subarray(n, 2 * n));
  });

  it('does not depend on the thread count, and writes into a caller-provided output', () => {
    const next = rng(3);
    const [m, k, n] = [150, 700, 130];
    const a = floats(m * k, next);
    const packed = packWeightsF32({ type: 'float32', data: floats(n * k, next), dims: [n, k] }, { bias: floats(n, next) });
    const before = numThreads();
    setNumThreads(1);
    const first = sgemmSync({ type: 'float32', data: a, dims: [m, k] }, packed).data;
    for (const t of [1, 2, 3]) {
      setNumThreads(t);
      for (const isa of paths) {
        const out = new Float32Array(m * n);
        const y = sgemmSync({ type: 'float32', data: a, dims: [m, k] }, packed, { out, isa });
        expect(y.data).toBe(out);
        expect(new Uint32Array(out.buffer)).toEqual(new Uint32Array(first.buffer));
      }
    }
    setNumThreads(before);
  });

  it('propagates NaN from the activations (relu keeps it)', () => {
    const packed = packWeightsF32({ type: 'float32', data: Float32Array.from([1, 2, 3, 4]), dims: [2, 2] });
    for (const isa of paths) {
      const y = sgemmSync({ type: 'float32', data: Float32Array.from([NaN, 1, 1, 1]), dims: [2, 2] }, packed, { relu: true, isa });
      expect(Number.isNaN(y.data[0])).toBe(true);
      expect(Number.isNaN(y.data[1])).toBe(true);
      expect(Array.from(y.data.subarray(2))).toEqual([3, 7]);
    }
  });

  it('refuses bad arguments with a QuantaError', () => {
    const packed = packWeightsF32({ type: 'float32', data: new Float32Array(12), dims: [3, 4] });
    const a = { type: 'float32', data: new Float32Array(8), dims: [2, 4] };
    expect(codeOf(() => sgemmSync(a, packed))).toBe('none');
    // weights
    expect(codeOf(() => packWeightsF32({ type: 'int8', data: new Int8Array(12), dims: [3, 4] } as never))).toBe('ERR_QUANTA_INVALID_DTYPE');
    expect(codeOf(() => packWeightsF32(new Float32Array(12)))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => packWeightsF32({ type: 'float32', data: new Float32Array(11), dims: [3, 4] }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => packWeightsF32({ type: 'float32', data: new Float32Array(12), dims: [3, 4] }, { layout: 'mk' as never }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => packWeightsF32({ type: 'float32', data: new Float32Array(12), dims: [3, 4] }, { bias: [1, 2] }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => packWeightsF32({ type: 'float32', data: new Float32Array(12), dims: [3, 4] }, { bias: [1, NaN, 2] }))).toBe('ERR_QUANTA_NON_FINITE');
    expect(codeOf(() => packWeightsF32({ type: 'float32', data: new Float32Array(12), dims: [3, 4] }, { bias: [1, Infinity, 2] }))).toBe('ERR_QUANTA_NON_FINITE');
    expect(codeOf(() => packWeightsF32({ type: 'float32', data: new Float32Array(12), dims: [3, 4] }, { bias: 'x' as never }))).toBe('ERR_QUANTA_INVALID_DTYPE');
    // activations, options
    expect(codeOf(() => sgemmSync({ type: 'float32', data: new Float32Array(6), dims: [2, 3] }, packed))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => sgemmSync({ type: 'uint8', data: new Uint8Array(8), dims: [2, 4] } as never, packed))).toBe('ERR_QUANTA_INVALID_DTYPE');
    expect(codeOf(() => sgemmSync(a, {} as never))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    const int8Packed = packWeights({ type: 'int8', data: new Int8Array(12), dims: [3, 4] });
    expect(codeOf(() => sgemmSync(a, int8Packed as never))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => sgemmSync(a, packed, { out: new Float32Array(5) }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => sgemmSync(a, packed, { out: new Int32Array(6) as never }))).toBe('ERR_QUANTA_INVALID_DTYPE');
    expect(codeOf(() => sgemmSync(a, packed, { relu: 1 as never }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => sgemmSync(a, packed, { isa: 'sse9' as never }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    // an output sharing memory with a would be read while it is written
    const shared = new Float32Array(16);
    const aShared = { type: 'float32', data: shared.subarray(0, 8), dims: [2, 4] };
    expect(codeOf(() => sgemmSync(aShared, packed, { out: shared.subarray(6, 12) }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => sgemmSync(aShared, packed, { out: shared.subarray(8, 14) }))).toBe('none');
    // The binding re-checks what protects memory: a forged handle, or one whose K does not match.
    expect(codeOf(() => sgemmSync(a, new PackedWeightsF32({}, 3, 4, 'nk', false)))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    const handle = (packed as unknown as Record<symbol, unknown>)[Object.getOwnPropertySymbols(packed)[0]!];
    const forged = new PackedWeightsF32(handle, 3, 8, 'nk', false);
    expect(codeOf(() => sgemmSync({ type: 'float32', data: new Float32Array(8), dims: [1, 8] }, forged))).toBe('ERR_QUANTA_INVALID_SHAPE');
  });
});
