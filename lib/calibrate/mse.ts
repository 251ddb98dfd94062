/**
 * MseObserver: the range that minimizes the expected squared quantization error over the
 * histogram.
 *
 * - method 'histogram' (default): candidates amax = A * i / bins for i = startBin .. bins over a
 *   signed histogram of 2 * bins bins on [-A, A] (A = max |x|), as the entropy search walks its
 *   candidates; each candidate range [max(min, -amax), min(max, amax)] is scored with the
 *   scheme's own parameters (dtype, symmetric, profile).
 * - method 'pytorch': PyTorch HistogramObserver's _non_linear_param_search over `bins` (2048)
 *   bins on [min, max] with 2^bits destination bins, then new_min = min + width * start,
 *   new_max = min + width * (end + 1) in float32. With grid 'pytorch' the search runs on
 *   HistogramObserver's own histogram (grid-pytorch.ts: its range, upsampling and interpolation
 *   across batches) and gives its range to within one bin; with the default grid 'exact' it runs
 *   on the exact histogram resampled to [min, max] (the mass of the bins holding min and max kept
 *   inside the range: dropping it removed lone extremes and made the search trim hundreds of bins
 *   more than PyTorch), which agrees on the fixtures too but is not guaranteed to.
 */
import { INT_BITS } from '../dtypes';
import { resample } from './histogram';
import { HistogramObserverBase } from './histogram-observer';
import type { HistogramObserverOptions } from './histogram-observer';
import type { PytorchHistogram } from './grid-pytorch';
import { checkOption } from './input';
import { mseSearch } from './mse-search';
import { pytorchParamSearch } from './pytorch-search';
import type { CalibrationScheme } from './types';

export interface MseOptions extends HistogramObserverOptions {
  method?: 'histogram' | 'pytorch';
  /** First candidate ('histogram'), default bins / 16. */
  startBin?: number;
}

const f32 = Math.fround;

export class MseObserver extends HistogramObserverBase<MseOptions> {
  protected readonly kind = 'MseObserver';

  constructor(options: MseOptions = {}) {
    const method = options.method ?? 'histogram';
    checkOption(method === 'histogram' || method === 'pytorch', 'method', "'histogram' or 'pytorch'", method);
    super('signed', { ...options, method }, 2048, method === 'pytorch' ? ['exact', 'pytorch'] : ['exact']);
  }

  static fromJSON(json: unknown): MseObserver {
    return new MseObserver((json as { options?: MseOptions })?.options ?? {}).load(json);
  }

  protected search(scheme: CalibrationScheme): [number, number] {
    const bins = this.options.bins!;
    if (this.options.grid === 'pytorch') {
      const p = this.histogram as PytorchHistogram;
      const [lo, hi] = [p.minVal, p.maxVal];
      if (lo === hi) return [lo, hi];
      const [start, end] = pytorchParamSearch(p.histogram, 2 ** INT_BITS[scheme.dtype], (hi - lo) / bins);
      const w32 = f32(f32(hi - lo) / bins);
      return [f32(lo + f32(w32 * start)), f32(lo + f32(w32 * (end + 1)))];
    }
    const h = this.exact;
    const line = h.line('signed');
    const { min, max } = h;
    if (this.options.method === 'pytorch') {
      if (min === max) return [min, max];
      const width = (max - min) / bins;
      const counts = resample(line.counts, line.origin, line.width, min, width, bins, true);
      const [start, end] = pytorchParamSearch(counts, 2 ** INT_BITS[scheme.dtype], width);
      const w32 = f32(f32(max - min) / bins);
      return [f32(min + f32(w32 * start)), f32(min + f32(w32 * (end + 1)))];
    }
    const A = h.absMax;
    if (A === 0) return [0, 0];
    const counts = resample(line.counts, line.origin, line.width, -A, A / bins, 2 * bins, true);
    const [lo, hi] = mseSearch(counts, A, min, max, this.options.startBin ?? Math.max(1, Math.floor(bins / 16)), scheme);
    return [f32(lo), f32(hi)];
  }
}
