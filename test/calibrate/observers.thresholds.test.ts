/** Entropy and percentile thresholds vs TensorRT's and onnxruntime's algorithms (transcribed in the fixture script). */
import { describe, expect, it } from 'vitest';

import { EntropyObserver, PercentileObserver } from '../../lib/index.js';
import type { GenSpec } from './gen';
import { gen, loadCalibrationFixture } from './gen';

interface ThresholdCase {
  name: string; method: string; batches: GenSpec[]; bins: number; levels?: number; amax?: number; min?: number; max?: number;
  binWidth: number; symmetric?: boolean; percentile?: number;
}

describe('thresholds vs TensorRT / onnxruntime', () => {
  const fixture = loadCalibrationFixture<ThresholdCase>('thresholds.json');
  for (const c of fixture.cases) {
    it(`${c.name}: within one bin`, () => {
      const tol = c.binWidth * 1.01;
      if (c.method === 'tensorrt-entropy') {
        const o = new EntropyObserver({ variant: 'tensorrt', bins: c.bins, levels: c.levels, grid: 'tensorrt' });
        for (const b of c.batches) o.observe(gen(b));
        expect(Math.abs(o.amax() - c.amax!)).toBeLessThanOrEqual(tol);
        return;
      }
      const o = c.method === 'onnxruntime-entropy'
        ? new EntropyObserver({ variant: 'onnxruntime', bins: c.bins, levels: c.levels, grid: 'onnxruntime' })
        : new PercentileObserver({ bins: c.bins, percentile: c.percentile, symmetric: c.symmetric, grid: 'onnxruntime' });
      for (const b of c.batches) o.observe(gen(b));
      const r = o.computeRange({ dtype: 'int8' });
      expect(Math.abs(r.min[0]! - c.min!)).toBeLessThanOrEqual(tol);
      expect(Math.abs(r.max[0]! - c.max!)).toBeLessThanOrEqual(tol);
    });
  }
});
