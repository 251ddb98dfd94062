/**
 * onnxruntime's histograms (quantization/calibrate.py HistogramCollector), both kinds its
 * collector keeps:
 *
 * - value (collect_value / merge_histogram; entropy, and percentile when not symmetric): signed,
 *   np.histogram over [-T, T] with T = max|x| of the first batch ([-0.5, 0.5] when T = 0). A batch
 *   with a larger max|x| T' widens the grid by whole bins on both sides: stride = 2T / n,
 *   k = (T' - T) // stride + 1, n += 2k, T += k * stride (float32, as numpy computes it); the
 *   batch is counted on the new grid and the old counts added to its middle. A batch within
 *   [-T, T] is counted on the grid as it is. Counting: histogramInto over [-T, T] (numpy's uniform
 *   path), so only values within an ulp of an edge can move to the neighbouring bin.
 * - absolute (collect_absolute_value; percentile when symmetric): |x|, np.histogram with its
 *   default range [min|x|, max|x|] of the first batch; later batches beyond the last edge append
 *   np.arange(last + w, max|x| + w, w) edges (w = edges[1] - edges[0]), and values outside the
 *   edges, among them |x| below the first batch's min|x|, are dropped as np.histogram drops them.
 *   The edges are kept (float32, n + 1 values). The first batch is counted by histogramInto; later
 *   ones are counted against the edges themselves (appended edges are not on the first batch's
 *   uniform grid in float32, so no single histogramInto range matches them).
 *
 * merge(): equal grids (same T and bins; same edges) add counts, exactly what one collector gives.
 * Otherwise this grid grows by onnxruntime's rule to cover the other's range and the other's
 * counts are spread uniformly inside each of its bins onto this grid: onnxruntime merges raw
 * batches, never two histograms.
 */
import { histogramInto } from './range-kernels';
import { resample } from './histogram';
import type { BatchView } from './input';
import { ReferenceHistogramBase, addInto, denseCounts, sparseCounts } from './grid';

const f32 = Math.fround;

export type OnnxruntimeCollect = 'value' | 'absolute' | 'both';

/** np.linspace(lo, hi, n + 1) with float32 start / stop, computed in float32 as numpy 1.24 does. */
export function linspace32(lo: number, hi: number, n: number, k: number): number {
  if (k === n) return hi;
  const step = f32(f32(hi - lo) / n);
  return f32(f32(k * step) + lo);
}

/** The signed [-T, T] histogram of collect_value. */
export class OnnxruntimeValueHistogram {
  counts: Float64Array;
  threshold = 0;
  started = false;

  constructor(bins: number) {
    this.counts = new Float64Array(bins);
  }

  /** [lo, hi] numpy counts over: [-T, T], or [-0.5, 0.5] when T = 0. */
  range(): [number, number] {
    return this.threshold === 0 ? [-0.5, 0.5] : [-this.threshold, this.threshold];
  }

  edge(k: number): number {
    const [lo, hi] = this.range();
    return linspace32(lo, hi, this.counts.length, k);
  }

  /** merge_histogram's growth to threshold t (> T): returns the offset of the old counts. */
  private widen(t: number): number {
    const n = this.counts.length;
    if (this.threshold === 0) {
      this.threshold = t;
      return 0;
    }
    const stride = f32(f32(2 * this.threshold) / n);
    const half = Math.floor(f32(t - this.threshold) / stride) + 1;
    const counts = new Float64Array(n + 2 * half);
    counts.set(this.counts, half);
    this.counts = counts;
    this.threshold = f32(f32(half * stride) + this.threshold);
    return half;
  }

  observe(data: Float32Array, threshold: number): void {
    if (!this.started) {
      this.started = true;
      this.threshold = threshold;
    } else if (threshold > this.threshold) {
      this.widen(threshold);
    }
    const [lo, hi] = this.range();
    const hist = new Float64Array(this.counts.length);
    histogramInto(data, lo, hi, hist, 'signed');
    addInto(this.counts, hist);
  }

  merge(other: OnnxruntimeValueHistogram): void {
    if (!other.started) return;
    if (!this.started) {
      this.started = true;
      this.threshold = other.threshold;
      this.counts = Float64Array.from(other.counts);
      return;
    }
    if (other.threshold > this.threshold) this.widen(other.threshold);
    if (other.threshold === this.threshold && other.counts.length === this.counts.length) {
      addInto(this.counts, other.counts);
      return;
    }
    const [lo, hi] = this.range();
    const [olo, ohi] = other.range();
    const n = this.counts.length;
    addInto(this.counts, resample(other.counts, olo, (ohi - olo) / other.counts.length, lo, (hi - lo) / n, n, true));
  }
}

/** The |x| histogram of collect_absolute_value, with its float32 edges. */
export class OnnxruntimeAbsHistogram {
  counts = new Float64Array(0);
  edges = new Float32Array(0);
  /** Whether edges were appended (then counting goes against the edges). */
  grown = false;

  get started(): boolean {
    return this.edges.length > 0;
  }

  observe(data: Float32Array, r: { min: number; max: number }, bins: number): void {
    const amax = Math.max(Math.abs(r.min), Math.abs(r.max));
    if (!this.started) {
      let amin = r.min >= 0 ? r.min : r.max <= 0 ? -r.max : minAbs(data);
      let top = amax;
      if (amin === top) {
        amin = f32(amin - 0.5);
        top = f32(top + 0.5);
      }
      this.edges = new Float32Array(bins + 1);
      for (let k = 0; k <= bins; k++) this.edges[k] = linspace32(amin, top, bins, k);
      this.counts = new Float64Array(bins);
      histogramInto(data, amin, top, this.counts, 'abs');
      return;
    }
    const n = this.counts.length;
    const last = this.edges[n]!;
    if (amax > last) this.append(amax);
    if (this.grown) countAgainst(data, this.edges, this.counts);
    else {
      const first = this.edges[0]!;
      const hist = new Float64Array(n);
      histogramInto(data, first, last, hist, 'abs');
      // np.histogram drops |x| below the first edge; histogramInto put them in bin 0.
      if (first > 0 && !(r.min >= first)) hist[0]! -= countBelow(data, first);
      addInto(this.counts, hist);
    }
  }

  /** new_bin_edges = np.arange(last + w, amax + w, w), float32 throughout. */
  private append(amax: number): void {
    const n = this.counts.length;
    const w = f32(this.edges[1]! - this.edges[0]!);
    const start = f32(this.edges[n]! + w);
    const stop = f32(amax + w);
    const length = Math.ceil(f32(f32(stop - start) / w));
    if (!(length > 0)) return;
    const edges = new Float32Array(n + 1 + length);
    edges.set(this.edges);
    const second = f32(start + w);
    const delta = f32(second - start);
    for (let i = 0; i < length; i++) edges[n + 1 + i] = i === 0 ? start : i === 1 ? second : f32(start + f32(i * delta));
    const counts = new Float64Array(n + length);
    counts.set(this.counts);
    this.edges = edges;
    this.counts = counts;
    this.grown = true;
  }

  merge(other: OnnxruntimeAbsHistogram): void {
    if (!other.started) return;
    if (!this.started) {
      this.edges = Float32Array.from(other.edges);
      this.counts = Float64Array.from(other.counts);
      this.grown = other.grown;
      return;
    }
    const otherLast = other.edges[other.edges.length - 1]!;
    if (otherLast > this.edges[this.edges.length - 1]!) this.append(otherLast);
    const same = other.edges.length <= this.edges.length && other.edges.every((e, k) => e === this.edges[k]);
    if (same) {
      addInto(this.counts, other.counts);
      return;
    }
    // Both grids are uniform up to float32 rounding: spread the other's counts over this one.
    const n = this.counts.length;
    const lo = this.edges[0]!;
    const width = (this.edges[n]! - lo) / n;
    const olo = other.edges[0]!;
    const on = other.counts.length;
    addInto(this.counts, resample(other.counts, olo, (otherLast - olo) / on, lo, width, n, true));
  }
}

function minAbs(data: Float32Array): number {
  let m = Infinity;
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]!);
    if (a < m) m = a; // NaN compares false; +-Inf never wins against a finite value
  }
  return m;
}

function countBelow(data: Float32Array, first: number): number {
  let c = 0;
  for (let i = 0; i < data.length; i++) if (Math.abs(data[i]!) < first) c++;
  return c;
}

/** np.histogram(|x|, bins=edges): bin k holds edges[k] <= |x| < edges[k+1], the last bin closed. */
function countAgainst(data: Float32Array, edges: Float32Array, counts: Float64Array): void {
  const n = counts.length;
  const lo = edges[0]!;
  const hi = edges[n]!;
  const scale = n / (hi - lo);
  for (let i = 0; i < data.length; i++) {
    const a = Math.abs(data[i]!);
    if (!(a >= lo && a <= hi)) continue;
    let k = Math.min(n - 1, Math.floor((a - lo) * scale));
    while (k > 0 && a < edges[k]!) k--;
    while (k < n - 1 && a >= edges[k + 1]!) k++;
    counts[k]! += 1;
  }
}

export interface OnnxruntimeHistogramJSON {
  grid: 'onnxruntime';
  bins: number;
  collect: OnnxruntimeCollect;
  value: { threshold: number; length: number; counts: number[] } | null;
  absolute: { edges: number[]; grown: boolean; counts: number[] } | null;
  count: number;
  nonFinite: number;
  batches: number;
  min: number | null;
  max: number | null;
}

/** onnxruntime's HistogramCollector for one tensor: the value and / or the absolute histogram. */
export class OnnxruntimeHistogram extends ReferenceHistogramBase {
  readonly grid = 'onnxruntime' as const;
  readonly bins: number;
  readonly collect: OnnxruntimeCollect;
  value: OnnxruntimeValueHistogram | null;
  absolute: OnnxruntimeAbsHistogram | null;

  constructor(bins: number, collect: OnnxruntimeCollect) {
    super();
    this.bins = bins;
    this.collect = collect;
    this.value = collect === 'absolute' ? null : new OnnxruntimeValueHistogram(bins);
    this.absolute = collect === 'value' ? null : new OnnxruntimeAbsHistogram();
  }

  get stateBytes(): number {
    return (this.value?.counts.byteLength ?? 0) + (this.absolute ? this.absolute.counts.byteLength + this.absolute.edges.byteLength : 0);
  }

  observe(view: BatchView, strict: boolean): void {
    const r = this.prelude(view, strict);
    if (r === null) return;
    this.value?.observe(view.data, f32(Math.max(Math.abs(r.min), Math.abs(r.max))));
    this.absolute?.observe(view.data, r, this.bins);
    this.account(r);
  }

  merge(other: OnnxruntimeHistogram): void {
    this.nonFinite += other.nonFinite;
    if (other.count === 0) return;
    if (this.value && other.value) this.value.merge(other.value);
    if (this.absolute && other.absolute) this.absolute.merge(other.absolute);
    this.account({ min: other.min, max: other.max, finite: other.count }, other.batches);
  }

  toJSON(): OnnxruntimeHistogramJSON {
    const v = this.value;
    const a = this.absolute;
    return {
      grid: 'onnxruntime', bins: this.bins, collect: this.collect,
      value: v && v.started ? { threshold: v.threshold, length: v.counts.length, counts: sparseCounts(v.counts) } : null,
      absolute: a && a.started ? { edges: Array.from(a.edges), grown: a.grown, counts: sparseCounts(a.counts) } : null,
      ...this.baseJSON(),
    };
  }

  static fromJSON(j: OnnxruntimeHistogramJSON): OnnxruntimeHistogram {
    const h = new OnnxruntimeHistogram(j.bins, j.collect);
    if (h.value && j.value) {
      h.value.started = true;
      h.value.threshold = j.value.threshold;
      h.value.counts = denseCounts(j.value.counts, j.value.length);
    }
    if (h.absolute && j.absolute) {
      h.absolute.edges = Float32Array.from(j.absolute.edges);
      h.absolute.grown = j.absolute.grown;
      h.absolute.counts = denseCounts(j.absolute.counts, j.absolute.edges.length - 1);
    }
    h.loadBase(j);
    return h;
  }
}
