/** searchClipRange / quantizeClipped against a brute force that runs the real quantizers per candidate. */
import { describe, expect, it } from 'vitest';

import { computeQuantParams, dequantizeLinear, quantize, quantizeClipped, quantizeLinear, roundHalfEven, searchClipRange } from '../../lib/index.js';
import type { ClipSearchOptions, ClipSearchResult, IntQuantDType } from '../../lib/index.js';

const f32 = Math.fround;

/** Seeded standard normals (LCG + Box-Muller). */
function normals(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const u = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), (s + 0.5) / 2 ** 32);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
  return out;
}

function gaussian(n: number, seed: number, sigma = 0.02): Float32Array {
  return Float32Array.from(normals(n, seed), (z) => z * sigma);
}

/** Student-t with 3 degrees of freedom, plus every 53rd value multiplied by 8: weights with outliers. */
function heavyTailed(n: number, seed: number, sigma = 0.02): Float32Array {
  const z = normals(4 * n, seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const chi2 = z[4 * i + 1]! ** 2 + z[4 * i + 2]! ** 2 + z[4 * i + 3]! ** 2;
    out[i] = (z[4 * i]! / Math.sqrt(chi2 / 3)) * sigma * (i % 53 === 7 ? 8 : 1);
  }
  return out;
}

interface Layout { dims: number[]; axis?: number; groupSize?: number }

/** The slot (scale index, blocked order) of every flat index, written independently of clip.ts. */
function slotsOf({ dims, axis, groupSize }: Layout): { slot: Int32Array; count: number } {
  const size = dims.reduce((a, b) => a * b, 1);
  const slot = new Int32Array(size);
  if (axis === undefined && groupSize === undefined) return { slot, count: 1 };
  const ax = axis ?? dims.length - 1;
  const L = dims[ax]!;
  const inner = dims.slice(ax + 1).reduce((a, b) => a * b, 1);
  const blocks = groupSize === undefined ? L : Math.ceil(L / groupSize);
  for (let idx = 0; idx < size; idx++) {
    const o = Math.floor(idx / (L * inner));
    const a = Math.floor(idx / inner) % L;
    const i = idx % inner;
    slot[idx] = groupSize === undefined ? a : (o * blocks + Math.floor(a / groupSize)) * inner + i;
  }
  return { slot, count: groupSize === undefined ? L : (size / (L * inner)) * blocks * inner };
}

type Params = (lo: number, hi: number) => { scale: number; zeroPoint: number; qmin: number; qmax: number };

interface Brute { ratio: number[]; scale: number[]; zeroPoint: number[]; sse: number[]; minMaxSse: number[]; n: number[] }

/**
 * For every candidate r = 1 - maxShrink * k / grid: parameters per slot for [r * min, r * max],
 * the whole tensor through quantizeLinear / dequantizeLinear, the float64 sum of squared errors per
 * slot in flat-index order; per slot the smallest sum, the first (widest) on ties.
 */
function bruteForce(x: Float32Array, layout: Layout, dtype: IntQuantDType, params: Params, grid = 100, maxShrink = 0.5): Brute {
  const { slot, count } = slotsOf(layout);
  const min = new Array<number>(count).fill(Infinity);
  const max = new Array<number>(count).fill(-Infinity);
  const n = new Array<number>(count).fill(0);
  x.forEach((v, i) => {
    min[slot[i]!] = Math.min(min[slot[i]!]!, v);
    max[slot[i]!] = Math.max(max[slot[i]!]!, v);
    n[slot[i]!]!++;
  });
  const best: Brute = { ratio: [], scale: [], zeroPoint: [], sse: new Array(count).fill(Infinity), minMaxSse: [], n };
  const perTensor = layout.axis === undefined && layout.groupSize === undefined;
  for (let k = 0; k < grid; k++) {
    const r = 1 - (maxShrink * k) / grid;
    const ps = min.map((m, s) => params(f32(r * m), f32(r * max[s]!)));
    const scale = Float32Array.from(ps, (p) => p.scale);
    const zeroPoint = Int32Array.from(ps, (p) => p.zeroPoint);
    const q = quantizeLinear({ type: 'float32', data: x, dims: layout.dims }, perTensor ? scale[0]! : scale, zeroPoint, {
      dtype, axis: perTensor ? undefined : layout.axis ?? layout.dims.length - 1, blockSize: layout.groupSize, range: [ps[0]!.qmin, ps[0]!.qmax],
    });
    const y = dequantizeLinear(q).data;
    const sse = new Array<number>(count).fill(0);
    for (let i = 0; i < x.length; i++) sse[slot[i]!]! += (y[i]! - x[i]!) ** 2;
    for (let s = 0; s < count; s++) {
      if (k === 0) best.minMaxSse[s] = sse[s]!;
      if (sse[s]! < best.sse[s]!) {
        best.sse[s] = sse[s]!;
        best.ratio[s] = r;
        best.scale[s] = scale[s]!;
        best.zeroPoint[s] = zeroPoint[s]!;
      }
    }
  }
  return best;
}

function expectSameAsBrute(r: ClipSearchResult, b: Brute): void {
  expect(Array.from(r.ratio)).toEqual(b.ratio);
  expect(Array.from(r.scale)).toEqual(b.scale);
  expect(Array.from(r.zeroPoint)).toEqual(b.zeroPoint);
  expect(Array.from(r.mse)).toEqual(b.sse.map((e, s) => e / b.n[s]!));
  expect(Array.from(r.minMaxMse)).toEqual(b.minMaxSse.map((e, s) => e / b.n[s]!));
}

/** Mean squared error of a quantized tensor against x. */
function mseOf(x: Float32Array, q: ReturnType<typeof quantize>): number {
  const y = dequantizeLinear(q).data;
  let e = 0;
  for (let i = 0; i < x.length; i++) e += (y[i]! - x[i]!) ** 2;
  return e / x.length;
}

const standard = (o: ClipSearchOptions): Params => (lo, hi) => computeQuantParams(lo, hi, {
  dtype: o.dtype!, symmetric: o.symmetric, narrowRange: o.narrowRange, reduceRange: o.reduceRange, profile: o.profile,
});

describe('searchClipRange equals the brute force over the real quantizers', () => {
  const weights = { gaussian: gaussian(16 * 48, 11), heavy: heavyTailed(16 * 48, 12) };
  const schemes: ClipSearchOptions[] = [];
  for (const dtype of ['int4', 'uint4', 'int2', 'uint2', 'int8'] as IntQuantDType[]) {
    for (const profile of ['onnxruntime', 'pytorch'] as const) {
      for (const symmetric of [true, false]) schemes.push({ dtype, profile, symmetric });
    }
  }
  schemes.push({ dtype: 'int4', symmetric: true, narrowRange: true });
  schemes.push({ dtype: 'uint4', reduceRange: true });
  const layouts: [string, Layout][] = [
    ['per tensor', { dims: [16, 48] }],
    ['per channel, axis 0 (contiguous)', { dims: [16, 48], axis: 0 }],
    ['per channel, axis 1 (strided)', { dims: [16, 48], axis: 1 }],
    ['per group of 16 along the last axis', { dims: [16, 48], groupSize: 16 }],
    ['per group of 20 along the last axis (partial last group)', { dims: [16, 48], groupSize: 20 }],
    ['per group of 10 along axis 0 (strided, partial last group)', { dims: [16, 48], axis: 0, groupSize: 10 }],
    ['per group of 8 along the middle axis of [4, 12, 16]', { dims: [4, 12, 16], axis: 1, groupSize: 8 }],
  ];
  for (const [wname, x] of Object.entries(weights)) {
    for (const s of schemes) {
      const sname = `${s.dtype} ${s.profile ?? 'onnxruntime'} ${s.symmetric ? 'symmetric' : 'affine'}${s.narrowRange ? ' narrow' : ''}${s.reduceRange ? ' reduced' : ''}`;
      it(`${wname}, ${sname}, per group of 16 and per channel`, () => {
        for (const [, layout] of [layouts[1]!, layouts[3]!]) {
          const r = searchClipRange({ type: 'float32', data: x, dims: layout.dims }, { ...s, axis: layout.axis, groupSize: layout.groupSize });
          expectSameAsBrute(r, bruteForce(x, layout, s.dtype!, standard(s)));
        }
      });
    }
    for (const [lname, layout] of layouts) {
      it(`${wname}, int4 symmetric and uint2 affine, ${lname}`, () => {
        for (const s of [{ dtype: 'int4', symmetric: true }, { dtype: 'uint2' }] as ClipSearchOptions[]) {
          const r = searchClipRange({ type: 'float32', data: x, dims: layout.dims }, { ...s, axis: layout.axis, groupSize: layout.groupSize });
          expectSameAsBrute(r, bruteForce(x, layout, s.dtype!, standard(s)));
        }
      });
    }
  }

  it('3 bits through range [-4, 3] (int4 storage), symmetric onnxruntime formula', () => {
    const x = heavyTailed(8 * 64, 21);
    const layout = { dims: [8, 64], groupSize: 32 };
    // onnxruntime's symmetric formula with qmin -4, qmax 3 (computeQuantParams takes no custom range).
    const params: Params = (lo, hi) => {
      const a = Math.max(Math.abs(Math.min(f32(lo), 0)), Math.abs(Math.max(f32(hi), 0)));
      return { scale: f32(f32(2 * a) / 7), zeroPoint: roundHalfEven(-0.5) + 0, qmin: -4, qmax: 3 };
    };
    const r = searchClipRange({ type: 'float32', data: x, dims: layout.dims }, { dtype: 'int4', symmetric: true, range: [-4, 3], groupSize: 32 });
    expect([r.qmin, r.qmax]).toEqual([-4, 3]);
    expectSameAsBrute(r, bruteForce(x, layout, 'int4', params));
  });

  it('grid and maxShrink set the candidates (AWQ: 10 candidates 1, 0.95, ..., 0.55)', () => {
    const x = heavyTailed(8 * 64, 22);
    const layout = { dims: [8, 64], groupSize: 64 };
    const s: ClipSearchOptions = { dtype: 'int4', symmetric: true };
    const r = searchClipRange({ type: 'float32', data: x, dims: layout.dims }, { ...s, groupSize: 64, grid: 10, maxShrink: 0.5 });
    expectSameAsBrute(r, bruteForce(x, layout, 'int4', standard(s), 10, 0.5));
    for (const ratio of r.ratio) expect([1, 0.95, 0.9, 0.85, 0.8, 0.75, 0.7, 0.65, 0.6, 0.55].some((c) => Math.abs(c - ratio) < 1e-12)).toBe(true);
  });
});

describe('clipping against min-max', () => {
  const cases: [string, Float32Array][] = [['gaussian', gaussian(64 * 256, 31)], ['heavy-tailed with outliers', heavyTailed(64 * 256, 32)]];
  const schemes: [string, ClipSearchOptions][] = [
    ['int4 symmetric', { dtype: 'int4', symmetric: true }],
    ['int4 affine', { dtype: 'int4' }],
    ['3-bit symmetric', { dtype: 'int4', symmetric: true, range: [-4, 3] }],
    ['int2 affine', { dtype: 'int2' }],
    ['uint2 affine', { dtype: 'uint2' }],
  ];
  for (const [name, x] of cases) {
    for (const [sname, s] of schemes) {
      for (const layout of [{ axis: 0 }, { groupSize: 128 }]) {
        it(`${name}, ${sname}, ${layout.axis === 0 ? 'per channel' : 'per group of 128'}: never above min-max, below it with outliers`, () => {
          const t = { type: 'float32', data: x, dims: [64, 256] };
          const r = searchClipRange(t, { ...s, ...layout });
          for (let i = 0; i < r.mse.length; i++) expect(r.mse[i]).toBeLessThanOrEqual(r.minMaxMse[i]!);
          const clipped = mseOf(x, quantizeClipped(t, { ...s, ...layout }));
          // Min-max is the library's quantize() where it has the range, and the ratio-1 candidate.
          const minMax = s.range === undefined ? mseOf(x, quantize(t, { ...s, ...layout })) : r.minMaxMse.reduce((a, b) => a + b, 0) / r.mse.length;
          expect(clipped).toBeCloseTo(r.mse.reduce((a, b) => a + b, 0) / r.mse.length, 15);
          if (s.range === undefined) expect(minMax).toBeCloseTo(r.minMaxMse.reduce((a, b) => a + b, 0) / r.mse.length, 15);
          expect(clipped).toBeLessThanOrEqual(minMax);
          if (name !== 'gaussian') expect(clipped).toBeLessThan(minMax * 0.95);
          // eslint-disable-next-line no-console
          if (process.env.QUANTA_CLIP_REPORT) console.log(`${name} ${sname} ${layout.axis === 0 ? 'channel' : 'g128'}: min-max ${minMax.toExponential(4)} clipped ${clipped.toExponential(4)} (-${((1 - clipped / minMax) * 100).toFixed(1)}%)`);
        });
      }
    }
  }
});

describe('edge cases', () => {
  it('an all-zero channel keeps min-max (every candidate ties) with a valid scale', () => {
    const x = gaussian(4 * 32, 41);
    x.fill(0, 32, 64);
    const r = searchClipRange({ type: 'float32', data: x, dims: [4, 32] }, { dtype: 'int4', symmetric: true, axis: 0 });
    expect([r.min[1], r.max[1], r.ratio[1], r.mse[1], r.scale[1], r.zeroPoint[1]]).toEqual([0, 0, 1, 0, 1, 0]);
    const q = quantizeClipped({ type: 'float32', data: x, dims: [4, 32] }, { dtype: 'int4', symmetric: true, axis: 0 });
    expect(Array.from(dequantizeLinear(q).data.subarray(32, 64)).every((v) => v === 0)).toBe(true);
  });

  it('returns parameters quantizeLinear takes as they are (blocked layout, scale dims)', () => {
    const x = heavyTailed(6 * 40, 42);
    const t = { type: 'float32', data: x, dims: [6, 40] };
    const r = searchClipRange(t, { dtype: 'uint4', groupSize: 16 });
    expect([r.axis, r.blockSize, r.scaleDims, r.scale.length]).toEqual([1, 16, [6, 3], 18]);
    const q = quantizeClipped(t, { dtype: 'uint4', groupSize: 16 });
    const q2 = quantizeLinear(t, { type: 'float32', data: r.scale, dims: r.scaleDims }, r.zeroPoint, { dtype: r.dtype, axis: r.axis!, blockSize: r.blockSize!, range: [r.qmin, r.qmax] });
    expect(q.data).toEqual(q2.data);
    expect([q.axis, q.blockSize, q.dtype]).toEqual([1, 16, 'uint4']);
  });

  it('rejects NaN and infinities with ERR_QUANTA_NON_FINITE', () => {
    for (const bad of [NaN, Infinity, -Infinity]) {
      const x = gaussian(64, 43);
      x[17] = bad;
      expect(() => searchClipRange(x, { dtype: 'int4', groupSize: 16 })).toThrow(expect.objectContaining({ name: 'QuantaError', code: 'ERR_QUANTA_NON_FINITE' }));
    }
  });

  it('rejects bad options with their names', () => {
    const x = gaussian(64, 44);
    const bad: [ClipSearchOptions, RegExp][] = [
      [{ grid: 0 }, /grid/], [{ maxShrink: 1 }, /maxShrink/], [{ metric: 'kl' as 'mse' }, /metric/],
      [{ dtype: 'int4', range: [-8, 8] }, /range/], [{ dtype: 'int4', range: [-4, 3], narrowRange: true }, /range/],
      [{ groupSize: 4 }, /groupSize/], [{ dtype: 'int3' as IntQuantDType }, /dtype/],
    ];
    for (const [o, re] of bad) expect(() => searchClipRange(x, o)).toThrow(re);
  });
});
