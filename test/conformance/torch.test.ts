/**
 * quanta against PyTorch on CPU (test/fixtures/torch, made by scripts/fixtures/generate_torch.py):
 * fakeQuantize output bits and gradient mask, the 'pytorch' parameter profile against the
 * observers' calculate_qparams, and how torch.quantize_per_tensor rounds.
 */
import { describe, expect, it } from 'vitest';

import { computeQuantParams, fakeQuantize } from '../../lib/index.js';
import type { IntQuantDType } from '../../lib/index.js';
import type { FixtureTensor } from './fixtures';
import { bitMismatches, bitsOf, bitsOfNumber, floatsFromBits, intMismatches, loadFixture } from './fixtures';

interface FakeQuantCase {
  name: string;
  kind: 'per_tensor' | 'per_channel';
  axis?: number;
  scale: number | number[];
  zeroPoint: number | number[];
  quantMin: number;
  quantMax: number;
  x: FixtureTensor;
  output: number[];
  mask: number[];
}

interface ObserverCase {
  name: string;
  observer: string;
  dtype: IntQuantDType;
  qscheme: string;
  reduceRange: boolean;
  quantMin?: number;
  quantMax?: number;
  axis?: number;
  min?: number | number[];
  max?: number | number[];
  scale?: number | number[];
  zeroPoint?: number | number[];
  error?: string;
}

interface QuantizePerTensorCase {
  name: string;
  dtype: 'int8' | 'uint8';
  scale: number;
  zeroPoint: number;
  x: number[];
  codes: number[];
}

const f32 = Math.fround;
const TWO_63 = 2 ** 63;

describe('fakeQuantize vs torch.fake_quantize_*_affine', () => {
  const fixture = loadFixture<FakeQuantCase>('torch', 'fake-quantize.json');
  it('records the generating versions', () => {
    expect(fixture.versions.torch).toMatch(/^1\.13/);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const xs = floatsFromBits(c.x.data);
      const perChannel = c.kind === 'per_channel';
      const scales = perChannel ? floatsFromBits(c.scale as number[]) : floatsFromBits([c.scale as number]);
      const r = fakeQuantize({ type: 'float32', data: xs, dims: c.x.dims }, perChannel ? scales : scales[0]!, c.zeroPoint, {
        quantMin: c.quantMin, quantMax: c.quantMax, axis: perChannel ? c.axis : undefined,
      });
      expect(r.output.dims).toEqual(c.x.dims);
      // PyTorch converts qf to int64 before clamping in these builds; for NaN-free qf >= 2^63
      // (+Inf included) that conversion is undefined and x86 gives INT64_MIN, i.e. quant_min.
      // quanta saturates to quant_max there (current PyTorch's per-tensor rule): checked apart.
      const inner = c.x.dims.slice((c.axis ?? 0) + 1).reduce((a, b) => a * b, 1);
      const slot = (i: number) => (perChannel ? Math.floor(i / inner) % scales.length : 0);
      const overflow = (i: number) => f32(xs[i]! * f32(1 / scales[slot(i)]!)) >= TWO_63;
      const keep = (a: ArrayLike<number>) => Array.from(a, (v, i) => (overflow(i) ? 0 : v));
      expect(bitMismatches(keep(bitsOf(r.output.data)), keep(c.output), xs)).toEqual([]);
      expect(intMismatches(r.mask, c.mask, xs)).toEqual([]);
      const zps = Array.isArray(c.zeroPoint) ? c.zeroPoint : [c.zeroPoint];
      for (let i = 0; i < xs.length; i++) {
        if (!overflow(i)) continue;
        const s = scales[slot(i)]!;
        expect(r.output.data[i], `x=${xs[i]} saturates to quantMax`).toBe(f32((c.quantMax - zps[slot(i)]!) * s));
        expect(floatsFromBits([c.output[i]!])[0], `torch 1.13 x86 gives quantMin for x=${xs[i]}`).toBe(f32((c.quantMin - zps[slot(i)]!) * s));
      }
    });
  }

  it('covers ties, NaN, infinities and out-of-range values', () => {
    const all = fixture.cases.flatMap((c) => Array.from(floatsFromBits(c.x.data)));
    expect(all.some(Number.isNaN)).toBe(true);
    expect(all).toContain(Infinity);
    expect(all).toContain(-Infinity);
    expect(fixture.cases.flatMap((c) => c.mask)).toContain(0);
  });
});

describe("computeQuantParams({ profile: 'pytorch' }) vs observers' calculate_qparams", () => {
  const fixture = loadFixture<ObserverCase>('torch', 'observers.json');
  for (const c of fixture.cases) {
    if (c.error) {
      it.skip(`${c.name} (PyTorch refuses: ${c.error})`, () => {});
      continue;
    }
    it(c.name, () => {
      const mins = Array.from(floatsFromBits(Array.isArray(c.min) ? c.min : [c.min!]));
      const maxs = Array.from(floatsFromBits(Array.isArray(c.max) ? c.max : [c.max!]));
      const scales = Array.isArray(c.scale) ? c.scale : [c.scale!];
      const zps = Array.isArray(c.zeroPoint) ? c.zeroPoint : [c.zeroPoint!];
      const symmetric = c.qscheme.endsWith('symmetric');
      const got = mins.map((lo, i) => computeQuantParams(lo, maxs[i]!, { dtype: c.dtype, symmetric, reduceRange: c.reduceRange, profile: 'pytorch' }));
      expect(got.map((p) => [p.qmin, p.qmax])[0]).toEqual([c.quantMin, c.quantMax]);
      expect(got.map((p) => p.zeroPoint), 'zero points').toEqual(zps);
      expect(bitMismatches(got.map((p) => bitsOfNumber(p.scale)), scales), 'scale bits').toEqual([]);
    });
  }
});

describe('torch.quantize_per_tensor rounding', () => {
  const fixture = loadFixture<QuantizePerTensorCase>('torch', 'quantize-per-tensor.json');
  let differsFromDivision = 0;
  for (const c of fixture.cases) {
    it(`${c.name}: multiplies by the float32 reciprocal, like fakeQuantize`, () => {
      const xs = floatsFromBits(c.x);
      const s = floatsFromBits([c.scale])[0]!;
      const [lo, hi] = c.dtype === 'int8' ? [-128, 127] : [0, 255];
      const inv = f32(1 / s);
      const halfEven = (v: number) => {
        const r = Math.round(v);
        return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
      };
      const clamp = (v: number) => Math.min(hi, Math.max(lo, v));
      const byReciprocal = Array.from(xs, (x) => clamp(halfEven(f32(x * inv)) + c.zeroPoint));
      const byDivision = Array.from(xs, (x) => clamp(halfEven(f32(x / s)) + c.zeroPoint));
      expect(intMismatches(byReciprocal, c.codes, xs)).toEqual([]);
      differsFromDivision += byDivision.filter((v, i) => v !== c.codes[i]).length;
      // fakeQuantize's output is exactly these codes dequantized.
      const r = fakeQuantize(xs, s, c.zeroPoint, { quantMin: lo, quantMax: hi });
      expect(bitMismatches(bitsOf(r.output.data), c.codes.map((q) => bitsOfNumber((q - c.zeroPoint) * s)), xs)).toEqual([]);
    });
  }
  it('differs from a true division (the ONNX rule) on some ties', () => {
    expect(differsFromDivision).toBeGreaterThan(0);
  });
});
