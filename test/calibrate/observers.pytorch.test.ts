/** Agreement with PyTorch's observers (test/fixtures/calibration, scripts/fixtures/generate_calibration.py). */
import { describe, expect, it } from 'vitest';

import { MinMaxObserver, MovingAverageMinMaxObserver, MseObserver, PerChannelMinMaxObserver } from '../../lib/index.js';
import type { IntQuantDType, Observer } from '../../lib/index.js';
import type { GenSpec } from './gen';
import { fromBits, gen, loadCalibrationFixture, ulps } from './gen';

interface ObserverCase {
  name: string; observer: string; batches: GenSpec[]; dims: number[] | null; axis?: number; dtype: IntQuantDType;
  symmetric: boolean; reduceRange: boolean; min: number[]; max: number[]; scale: number[]; zeroPoint: number[];
}
interface HistogramCase {
  name: string; batches: GenSpec[]; dtype: IntQuantDType; symmetric: boolean; min: number; max: number; binWidth: number;
  newMin: number; newMax: number; scale: number; zeroPoint: number; searchSteps: number; fractional: boolean;
}

describe('min-max observers vs PyTorch', () => {
  const fixture = loadCalibrationFixture<ObserverCase>('pytorch-observers.json');
  it('records the generating versions', () => expect(fixture.versions.torch).toMatch(/^1\.13/));
  for (const c of fixture.cases) {
    it(c.name, () => {
      const o: Observer = c.observer === 'MinMaxObserver' ? new MinMaxObserver()
        : c.observer === 'MovingAverageMinMaxObserver' ? new MovingAverageMinMaxObserver()
          : new PerChannelMinMaxObserver({ axis: c.axis });
      for (const b of c.batches) o.observe(c.dims ? { type: 'float32', data: gen(b), dims: c.dims } : gen(b));
      const r = o.computeRange({ dtype: c.dtype });
      expect(Array.from(r.min)).toEqual(c.min.map(fromBits));
      expect(Array.from(r.max)).toEqual(c.max.map(fromBits));
      const p = o.computeParams({ dtype: c.dtype, symmetric: c.symmetric, reduceRange: c.reduceRange, profile: 'pytorch' });
      const want = c.scale.map(fromBits);
      for (let i = 0; i < want.length; i++) expect(ulps(p.scale[i]!, want[i]!)).toBeLessThanOrEqual(1);
      expect(Array.from(p.zeroPoint)).toEqual(c.zeroPoint);
    });
  }
});

describe("MseObserver method 'pytorch' vs HistogramObserver", () => {
  const fixture = loadCalibrationFixture<HistogramCase>('pytorch-histogram.json');
  it('covers multi-step searches and interpolated (fractional) histograms', () => {
    expect(fixture.cases.some((c) => c.searchSteps > 2)).toBe(true);
    expect(fixture.cases.some((c) => c.fractional)).toBe(true);
  });
  for (const c of fixture.cases) {
    it(`${c.name}: range within one bin`, () => {
      const o = new MseObserver({ method: 'pytorch', grid: 'pytorch' });
      for (const b of c.batches) o.observe(gen(b));
      const scheme = { dtype: c.dtype, symmetric: c.symmetric, profile: 'pytorch' as const };
      const r = o.computeRange(scheme);
      expect(Math.abs(r.min[0]! - c.newMin)).toBeLessThanOrEqual(c.binWidth * 1.01);
      expect(Math.abs(r.max[0]! - c.newMax)).toBeLessThanOrEqual(c.binWidth * 1.01);
      // Same range, so calculate_qparams' scale and zero point too.
      const p = o.computeParams(scheme);
      expect(ulps(p.scale[0]!, fromBits(c.scale))).toBeLessThanOrEqual(1);
      expect(p.zeroPoint[0]).toBe(c.zeroPoint);
    });
    it(`${c.name}: grid 'exact' within one bin too`, () => {
      const o = new MseObserver({ method: 'pytorch' });
      for (const b of c.batches) o.observe(gen(b));
      const r = o.computeRange({ dtype: c.dtype, symmetric: c.symmetric, profile: 'pytorch' });
      expect(Math.abs(r.min[0]! - c.newMin)).toBeLessThanOrEqual(c.binWidth * 1.01);
      expect(Math.abs(r.max[0]! - c.newMax)).toBeLessThanOrEqual(c.binWidth * 1.01);
    });
  }
});
