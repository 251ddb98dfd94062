/**
 * PyTorch HistogramObserver's histogram (torch/ao/quantization/observer.py, forward,
 * _adjust_min_max, _combine_histograms), float32 like its tensors: `bins` bins over
 * [min_val, max_val]. The first batch (or any batch while min_val == max_val, which restarts the
 * histogram) sets min_val / max_val to its range and is counted by torch.histc over it. A later
 * batch widens the range to hold both; _adjust_min_max keeps min and relaxes max so that the new
 * bin width is a whole multiple (downsample_rate) of the old width / upsample_rate (128); the
 * batch is counted on the new grid and the old histogram is upsampled (each bin split into 128
 * equal parts), placed at start_idx and summed back downsample_rate parts per bin: fractional
 * counts. Counting uses histogramInto over the same range (values within an ulp of an edge can
 * land in the neighbouring bin; torch.histc's float formula differs from ours only there).
 *
 * torch 1.13 passes int(min_val) / int(max_val) to torch.histc, which counts a batch over a
 * truncated range unless the extremes are integers (or both inside (-1, 1) on a first batch);
 * later releases pass the values themselves. This grid counts over the real range, the intended
 * behaviour; the fixtures keep to inputs where both agree.
 *
 * merge(): equal ranges add the histograms (as forward() does when the range does not change).
 * Otherwise this range grows by _adjust_min_max to cover the other's and this histogram is
 * re-binned by _combine_histograms; the other's histogram, on an unrelated grid, is spread
 * uniformly inside each of its bins onto the result (the limit of _combine_histograms'
 * upsampling).
 */
import { histogramInto } from './range-kernels';
import { resample } from './histogram';
import type { BatchView } from './input';
import { ReferenceHistogramBase, denseCounts, sparseCounts } from './grid';

const f32 = Math.fround;

export interface PytorchHistogramJSON {
  grid: 'pytorch';
  bins: number;
  upsampleRate: number;
  histogram: number[];
  minVal: number | null;
  maxVal: number | null;
  count: number;
  nonFinite: number;
  batches: number;
  min: number | null;
  max: number | null;
}

export class PytorchHistogram extends ReferenceHistogramBase {
  readonly grid = 'pytorch' as const;
  readonly bins: number;
  readonly upsampleRate: number;
  /** float32 values (held in a Float64Array, rounded after every operation). */
  histogram: Float64Array;
  /** The histogram's range (max relaxed by _adjust_min_max), float32. */
  minVal = Infinity;
  maxVal = -Infinity;

  constructor(bins: number, upsampleRate = 128) {
    super();
    this.bins = bins;
    this.upsampleRate = upsampleRate;
    this.histogram = new Float64Array(bins);
  }

  get stateBytes(): number {
    return this.histogram.byteLength;
  }

  /** torch.histc(x, bins, lo, hi) on a fresh histogram; lo == hi widens to [lo - 1, hi + 1]. */
  private histc(data: Float32Array, lo: number, hi: number): Float64Array {
    const out = new Float64Array(this.bins);
    if (lo === hi) histogramInto(data, f32(lo - 1), f32(hi + 1), out, 'signed');
    else histogramInto(data, lo, hi, out, 'signed');
    return out;
  }

  /** _adjust_min_max: [combinedMin, relaxed combinedMax], downsample_rate, start_idx. */
  private adjust(cmin: number, cmax: number): [number, number, number, number] {
    const hw = f32(f32(this.maxVal - this.minVal) / (this.bins * this.upsampleRate));
    const span = f32(this.bins * hw);
    const downsample = Math.ceil(f32(f32(cmax - cmin) / span));
    const e = f32(f32(downsample * span) - f32(cmax - cmin));
    const startIdx = roundHalfEven(f32(f32(this.minVal - cmin) / hw));
    return [cmin, f32(cmax + e), downsample, startIdx];
  }

  /** _combine_histograms of this histogram onto the adjusted grid, in closed form. */
  private combine(downsample: number, startIdx: number): Float64Array {
    const N = this.bins;
    const U = this.upsampleRate;
    const prefix = new Float64Array(N + 1);
    for (let k = 0; k < N; k++) prefix[k + 1] = prefix[k]! + this.histogram[k]!;
    // cumsum (double) of the upsampled histogram placed at startIdx, read at cell c.
    const integral = (c: number): number => {
      const m = Math.min(c - startIdx + 1, N * U);
      if (m <= 0) return 0;
      const k = Math.floor(m / U);
      const r = m - k * U;
      return U * prefix[k]! + (k < N ? r * this.histogram[k]! : 0);
    };
    const out = new Float64Array(N);
    let prev = 0;
    for (let i = 0; i < N; i++) {
      const cur = integral((i + 1) * downsample - 1);
      out[i] = f32((cur - f32(prev)) / U);
      prev = cur;
    }
    return out;
  }

  observe(view: BatchView, strict: boolean): void {
    const r = this.prelude(view, strict);
    if (r === null) return;
    const restart = this.minVal === this.maxVal || this.count === 0;
    if (restart) {
      this.minVal = r.min;
      this.maxVal = r.max;
      this.histogram = this.histc(view.data, r.min, r.max);
    } else {
      const cmin0 = Math.min(r.min, this.minVal);
      const cmax0 = Math.max(r.max, this.maxVal);
      const [cmin, cmax, downsample, startIdx] = this.adjust(cmin0, cmax0);
      const combined = this.histc(view.data, cmin, cmax);
      const old = cmin === this.minVal && cmax === this.maxVal ? this.histogram : this.combine(downsample, startIdx);
      for (let j = 0; j < this.bins; j++) combined[j] = f32(combined[j]! + old[j]!);
      this.histogram = combined;
      this.minVal = cmin;
      this.maxVal = cmax;
    }
    this.account(r);
  }

  merge(other: PytorchHistogram): void {
    this.nonFinite += other.nonFinite;
    if (other.count === 0) return;
    if (this.count === 0 || this.minVal === this.maxVal) {
      // An empty or constant histogram restarts on the next batch in PyTorch: take the other's
      // histogram and add this one's values as the other would count them.
      const mine = this.count === 0 ? null : { value: this.minVal, count: this.count };
      const [bm, bM, bc, bb] = [this.min, this.max, this.count, this.batches];
      this.histogram = Float64Array.from(other.histogram);
      this.minVal = other.minVal;
      this.maxVal = other.maxVal;
      this.count = other.count;
      this.batches = other.batches;
      this.min = other.min;
      this.max = other.max;
      if (mine !== null) {
        this.addPoint(mine.value, mine.count);
        this.account({ min: bm, max: bM, finite: bc }, bb);
      }
      return;
    }
    if (other.minVal === other.maxVal) {
      this.addPoint(other.minVal, other.count);
    } else if (other.minVal === this.minVal && other.maxVal === this.maxVal) {
      for (let j = 0; j < this.bins; j++) this.histogram[j] = f32(this.histogram[j]! + other.histogram[j]!);
    } else {
      this.widen(other.minVal, other.maxVal);
      const w = (this.maxVal - this.minVal) / this.bins;
      const add = resample(other.histogram, other.minVal, (other.maxVal - other.minVal) / other.bins, this.minVal, w, this.bins, true);
      for (let j = 0; j < this.bins; j++) this.histogram[j] = f32(this.histogram[j]! + add[j]!);
    }
    this.account({ min: other.min, max: other.max, finite: other.count }, other.batches);
  }

  /** Grows the range to hold [lo, hi] by _adjust_min_max / _combine_histograms. */
  private widen(lo: number, hi: number): void {
    const cmin0 = Math.min(lo, this.minVal);
    const cmax0 = Math.max(hi, this.maxVal);
    if (cmin0 === this.minVal && cmax0 === this.maxVal) return;
    const [cmin, cmax, downsample, startIdx] = this.adjust(cmin0, cmax0);
    if (cmin === this.minVal && cmax === this.maxVal) return;
    this.histogram = this.combine(downsample, startIdx);
    this.minVal = cmin;
    this.maxVal = cmax;
  }

  /** `count` values equal to v, counted into the (widened) grid. */
  private addPoint(v: number, count: number): void {
    this.widen(v, v);
    const bin = Math.min(this.bins - 1, Math.max(0, Math.trunc(f32(f32(v - this.minVal) * f32(this.bins / (this.maxVal - this.minVal))))));
    this.histogram[bin] = f32(this.histogram[bin]! + count);
  }

  toJSON(): PytorchHistogramJSON {
    const n = (v: number) => (Number.isFinite(v) ? v : null);
    return {
      grid: 'pytorch', bins: this.bins, upsampleRate: this.upsampleRate, histogram: sparseCounts(this.histogram),
      minVal: n(this.minVal), maxVal: n(this.maxVal), ...this.baseJSON(),
    };
  }

  static fromJSON(j: PytorchHistogramJSON): PytorchHistogram {
    const h = new PytorchHistogram(j.bins, j.upsampleRate);
    h.histogram = denseCounts(j.histogram, j.bins);
    h.minVal = j.minVal ?? Infinity;
    h.maxVal = j.maxVal ?? -Infinity;
    h.loadBase(j);
    return h;
  }
}

/** torch.round: half to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
