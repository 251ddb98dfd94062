/**
 * TensorRT's histogram (pytorch-quantization calib/histogram.py HistogramCalibrator.collect, the
 * torch_hist branch; ModelOpt's is the same): |x| from 0. The first batch sets the grid:
 * torch.histc over [0, max|x|] with `bins` bins, edges torch.linspace(0, max|x|, bins + 1), bin
 * width w = edges[1] (float32). A later batch beyond the last edge grows the grid by TensorRT's
 * rule: num_bins = ceil(max|x| / w), edges = torch.arange(0, max|x| + w, w), and every batch from
 * then on is counted by torch.histc over [0, edges[-1]] with num_bins bins, the old counts added
 * to the first bins.
 *
 * Counting uses histogramInto over the same [0, last edge] and bin count: only values within an
 * ulp of an edge can land in the neighbouring bin.
 *
 * merge(): equal widths (both first batches had the same max|x|) add counts, growing the shorter
 * grid with TensorRT's rule, which is what a single pass gives. Different widths: the other grid's
 * counts are spread uniformly inside each of its bins onto this grid (grown to cover it by the
 * same rule): TensorRT has no merge of its own.
 *
 * Not reproduced: a first batch of zeros only (torch.histc then counts them in the middle bin of
 * [-1, 1] and the next growth divides by a zero width); here zeros wait in bin 0 until a batch
 * with max|x| > 0 sets the grid.
 */
import { histogramInto } from './range-kernels';
import { resample } from './histogram';
import type { BatchView } from './input';
import { ReferenceHistogramBase, addInto, denseCounts, sparseCounts } from './grid';

const f32 = Math.fround;

export interface TensorrtHistogramJSON {
  grid: 'tensorrt';
  bins: number;
  width: number;
  last: number;
  grown: boolean;
  zeros: number;
  length: number;
  counts: number[];
  count: number;
  nonFinite: number;
  batches: number;
  min: number | null;
  max: number | null;
}

export class TensorrtHistogram extends ReferenceHistogramBase {
  readonly grid = 'tensorrt' as const;
  readonly bins: number;
  counts = new Float64Array(0);
  /** edges[1] - edges[0] (float32); 0 until a batch with max|x| > 0. */
  width = 0;
  /** edges[-1] (float32). */
  last = 0;
  /** Whether the edges come from torch.arange (after growth) rather than torch.linspace. */
  grown = false;
  /** Zeros seen before the grid exists. */
  zeros = 0;

  constructor(bins: number) {
    super();
    this.bins = bins;
  }

  get stateBytes(): number {
    return this.counts.byteLength;
  }

  /** calib_bin_edges[i] as TensorRT computes it (float32 linspace or arange). */
  edge(i: number): number {
    if (this.grown) return f32(i * this.width);
    const step = this.width;
    const steps = this.bins + 1;
    return i < Math.floor(steps / 2) ? f32(step * i) : f32(this.last - f32(step * (steps - 1 - i)));
  }

  /** TensorRT's growth: num_bins = ceil(amax / w), last edge from torch.arange(0, amax + w, w). */
  private grow(amax: number): void {
    const w = this.width;
    const num = Math.ceil(f32(amax / w));
    const length = Math.ceil(f32(amax + w) / w);
    this.last = f32((length - 1) * w);
    this.grown = true;
    if (num > this.counts.length) {
      const counts = new Float64Array(num);
      counts.set(this.counts);
      this.counts = counts;
    }
  }

  private anchor(amax: number): void {
    this.width = f32(amax / this.bins);
    this.last = amax;
    this.counts = new Float64Array(this.bins);
    this.counts[0] = this.zeros;
    this.zeros = 0;
  }

  observe(view: BatchView, strict: boolean): void {
    const r = this.prelude(view, strict);
    if (r === null) return;
    const amax = Math.max(Math.abs(r.min), Math.abs(r.max));
    if (this.width === 0) {
      if (amax === 0) this.zeros += r.finite;
      else {
        this.anchor(amax);
        histogramInto(view.data, 0, amax, this.counts, 'abs');
      }
    } else {
      if (amax > this.last) this.grow(amax);
      const hist = new Float64Array(this.counts.length);
      histogramInto(view.data, 0, this.last, hist, 'abs');
      addInto(this.counts, hist);
    }
    this.account(r);
  }

  merge(other: TensorrtHistogram): void {
    this.nonFinite += other.nonFinite;
    if (other.count === 0) return;
    if (this.count === 0) {
      Object.assign(this, { counts: Float64Array.from(other.counts), width: other.width, last: other.last, grown: other.grown, zeros: other.zeros });
    } else if (other.width === 0) {
      if (this.width === 0) this.zeros += other.zeros;
      else this.counts[0]! += other.zeros;
    } else if (this.width === 0) {
      const zeros = this.zeros;
      Object.assign(this, { counts: Float64Array.from(other.counts), width: other.width, last: other.last, grown: other.grown, zeros: 0 });
      this.counts[0]! += zeros;
    } else {
      if (other.last > this.last) this.grow(other.last);
      if (other.width === this.width) {
        addInto(this.counts, other.counts);
      } else {
        addInto(this.counts, resample(other.counts, 0, other.last / other.counts.length, 0, this.last / this.counts.length, this.counts.length, true));
      }
    }
    if (this.count === 0) {
      this.count = other.count;
      this.batches = other.batches;
      this.min = other.min;
      this.max = other.max;
    } else this.account({ min: other.min, max: other.max, finite: other.count }, other.batches);
  }

  toJSON(): TensorrtHistogramJSON {
    return {
      grid: 'tensorrt', bins: this.bins, width: this.width, last: this.last, grown: this.grown, zeros: this.zeros,
      length: this.counts.length, counts: sparseCounts(this.counts), ...this.baseJSON(),
    };
  }

  static fromJSON(j: TensorrtHistogramJSON): TensorrtHistogram {
    const h = new TensorrtHistogram(j.bins);
    Object.assign(h, { width: j.width, last: j.last, grown: j.grown, zeros: j.zeros, counts: denseCounts(j.counts, j.length) });
    h.loadBase(j);
    return h;
  }
}
