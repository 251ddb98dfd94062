/**
 * PercentileObserver: onnxruntime's percentile calibration (calibrate.py HistogramCollector
 * compute_percentile). Symmetric schemes use the histogram of |x| (collect_absolute_value: first
 * batch over [min |x|, max |x|], bins of that width appended as the range grows) and clip
 * `percentile` of the mass: threshold (-e, e); otherwise the signed histogram over [-T, T]
 * (collect_value) with (100 - percentile) / 2 percent cut off each tail. e is the left edge of the
 * bin where the CDF reaches the cut (np.searchsorted). The result is clipped to the observed
 * min / max.
 *
 * grid: 'exact' (default) searches the exact histogram resampled to onnxruntime's grid;
 * 'onnxruntime' keeps onnxruntime's own histograms (grid-onnxruntime.ts): the |x| one when the
 * `symmetric` option is true, the signed one when false, both when it is left to the scheme.
 */
import { resample } from './histogram';
import { HistogramObserverBase, onnxruntimeSignedGrid } from './histogram-observer';
import type { HistogramObserverOptions } from './histogram-observer';
import { OnnxruntimeHistogram } from './grid-onnxruntime';
import type { HistogramGrid } from './grid';
import { checkOption } from './input';
import type { CalibrationScheme } from './types';

export interface PercentileOptions extends HistogramObserverOptions {
  /** Percent of the values kept, default 99.999 (onnxruntime's). */
  percentile?: number;
  /** Histogram of |x| (default: the scheme's `symmetric`). */
  symmetric?: boolean;
}

function searchSorted(counts: Float64Array, target: number): number {
  let total = 0;
  for (let j = 0; j < counts.length; j++) total += counts[j]!;
  let cdf = 0;
  for (let j = 0; j < counts.length; j++) {
    cdf += counts[j]! / total;
    if (cdf >= target) return j;
  }
  return counts.length;
}

export class PercentileObserver extends HistogramObserverBase<PercentileOptions> {
  protected readonly kind = 'PercentileObserver';

  constructor(options: PercentileOptions = {}) {
    super('signed', options, 2048, ['exact', 'onnxruntime']);
    const p = options.percentile ?? 99.999;
    checkOption(typeof p === 'number' && p >= 0 && p <= 100, 'percentile', 'a number in [0, 100]', p);
  }

  static fromJSON(json: unknown): PercentileObserver {
    return new PercentileObserver((json as { options?: PercentileOptions })?.options ?? {}).load(json);
  }

  /** Called by the base constructor, once this.options is set. */
  protected override referenceHistogram(_grid: HistogramGrid, bins: number): OnnxruntimeHistogram {
    const s = this.options.symmetric;
    return new OnnxruntimeHistogram(bins, s === undefined ? 'both' : s ? 'absolute' : 'value');
  }

  protected search(scheme: CalibrationScheme): [number, number] {
    const percentile = this.options.percentile ?? 99.999;
    const symmetric = this.options.symmetric ?? scheme.symmetric ?? false;
    if (this.options.grid === 'onnxruntime') return onnxruntimePercentile(this.histogram as OnnxruntimeHistogram, percentile, symmetric);
    const h = this.exact;
    const bins = this.options.bins!;
    let lo: number;
    let hi: number;
    if (symmetric) {
      const anchor = h.anchor!;
      let origin = anchor.absMin;
      let W = (anchor.absMax - anchor.absMin) / bins;
      if (W === 0) {
        // np.histogram widens an empty range to [v - 0.5, v + 0.5].
        origin -= 0.5;
        W = 1 / bins;
      }
      const last = origin + bins * W;
      const A = h.absMax;
      const n = A > last ? bins + Math.ceil((A - last) / W) : bins;
      const counts = resample(h.line('abs').counts, 0, h.width, origin, W, n, true);
      const e = Math.fround(origin + searchSorted(counts, percentile / 100) * W);
      [lo, hi] = [-e, e];
    } else {
      const g = onnxruntimeSignedGrid(h, bins);
      const line = h.line('signed');
      const counts = resample(line.counts, line.origin, line.width, g.origin, g.width, g.n, true);
      const cut = (100 - percentile) / 200;
      lo = Math.fround(g.origin + searchSorted(counts, cut) * g.width);
      hi = Math.fround(g.origin + searchSorted(counts, 1 - cut) * g.width);
    }
    return [Math.max(lo, h.min), Math.min(hi, h.max)];
  }
}

/** compute_percentile on onnxruntime's own histogram: thresholds are its edges, clipped to min / max. */
function onnxruntimePercentile(o: OnnxruntimeHistogram, percentile: number, symmetric: boolean): [number, number] {
  let lo: number;
  let hi: number;
  if (symmetric) {
    const a = o.absolute!;
    const e = a.edges[searchSorted(a.counts, percentile / 100)]!;
    [lo, hi] = [-e, e];
  } else {
    const v = o.value!;
    const cut = (100 - percentile) / 200;
    lo = v.edge(searchSorted(v.counts, cut));
    hi = v.edge(searchSorted(v.counts, 1 - cut));
  }
  return [Math.max(lo, o.min), Math.min(hi, o.max)];
}
