/**
 * The streaming histogram behind the percentile, entropy and MSE observers: exact, mergeable and
 * bounded.
 *
 * Grid rule: bins have a power-of-two width w and are counted by magnitude from 0: bin j holds
 * |v| in [j*w, (j+1)*w), so bins never straddle 0. w is the smallest power of two (at least 2^-126)
 * for which the bins covering [0, amax] number at most `resolution` (default 16384), amax being
 * the largest |v| observed. When a batch raises amax past the grid, the histogram grows by
 * doubling w and adding bins pairwise (2j, 2j+1 -> j), which loses no count. Because w depends only
 * on the final amax and every bin index is floor(|v| / w) computed exactly (lo = 0 and a
 * power-of-two bin width make histogramInto's float32 arithmetic exact), observing shards and
 * merging gives exactly the counts of a single pass, in any order.
 *
 * 'signed' histograms keep negative and non-negative values apart (-0 counts as non-negative);
 * 'abs' histograms keep |v| only. Reference algorithms (TensorRT, onnxruntime, PyTorch) run on a
 * view of this histogram resampled to their own grid (a uniform density inside each of our bins),
 * so they agree with the references only approximately: usually within a bin, but a KL window or
 * a percentile cut in a sparse tail can move by many. The observers' `grid` option (grid.ts)
 * keeps the reference's own histogram instead when agreement matters more than exact merging.
 */
import { histogramInto, rangeOf } from './range-kernels';
import { checkFinite, checkOption, numFromJSON, numToJSON } from './input';
import type { BatchView } from './input';

export type HistogramKind = 'signed' | 'abs';

const E_MIN = -126;
const STATE_VERSION = 1;

/** The first batch's statistics: the anchor of TensorRT's and onnxruntime's grids. */
export interface HistogramAnchor {
  min: number;
  max: number;
  absMin: number;
  absMax: number;
}

export interface HistogramJSON {
  version: number;
  kind: HistogramKind;
  resolution: number;
  log2Width: number | null;
  pos: number[];
  neg: number[];
  min: number | null;
  max: number | null;
  count: number;
  nonFinite: number;
  batches: number;
  anchor: HistogramAnchor | null;
}

/** Smallest e >= E_MIN with floor(amax / 2^e) + 1 <= resolution. */
function widthExponent(amax: number, resolution: number): number {
  let e = Math.max(E_MIN, Math.ceil(Math.log2(amax / resolution)) - 1);
  while (Math.floor(amax / 2 ** e) + 1 > resolution) e++;
  while (e > E_MIN && Math.floor(amax / 2 ** (e - 1)) + 1 <= resolution) e--;
  return e;
}

function coarsen(counts: Float64Array, shift: number, length: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(length);
  for (let j = 0; j < counts.length; j++) if (counts[j]) out[Math.floor(j / 2 ** shift)]! += counts[j]!;
  return out;
}

function sparse(counts: Float64Array): number[] {
  // Runs of [index, count] pairs keep the JSON small for sparse histograms.
  const out: number[] = [];
  for (let j = 0; j < counts.length; j++) if (counts[j]) out.push(j, counts[j]!);
  return out;
}

export class StreamingHistogram {
  readonly kind: HistogramKind;
  readonly resolution: number;
  log2Width: number | null = null;
  /** Counts of v >= 0 ('signed') or of |v| ('abs'), bin j = floor(|v| / w). */
  pos = new Float64Array(0);
  /** Counts of v < 0 by |v| ('signed' only). */
  neg = new Float64Array(0);
  min = Infinity;
  max = -Infinity;
  count = 0;
  nonFinite = 0;
  batches = 0;
  anchor: HistogramAnchor | null = null;
  private scratch = new Float64Array(0);

  constructor(kind: HistogramKind, resolution = 16384) {
    checkOption(Number.isInteger(resolution) && resolution >= 16 && resolution <= 1 << 22, 'resolution', 'an integer in [16, 4194304]', resolution);
    this.kind = kind;
    this.resolution = resolution;
  }

  get width(): number {
    return this.log2Width === null ? 0 : 2 ** this.log2Width;
  }

  get absMax(): number {
    return Math.max(Math.abs(this.min), Math.abs(this.max));
  }

  get stateBytes(): number {
    return this.pos.byteLength + this.neg.byteLength;
  }

  /** Re-bins to hold amax (coarser width, more bins): exact. */
  private grow(amax: number, minExponent: number | null): void {
    const e = Math.max(widthExponent(amax, this.resolution), minExponent ?? E_MIN, this.log2Width ?? E_MIN);
    const bins = Math.floor(amax / 2 ** e) + 1;
    const shift = this.log2Width === null ? 0 : e - this.log2Width;
    if (shift === 0 && bins <= this.pos.length) return;
    const length = Math.max(bins, shift === 0 ? this.pos.length : 0);
    this.pos = coarsen(this.pos, shift, length);
    if (this.kind === 'signed') this.neg = coarsen(this.neg, shift, length);
    this.log2Width = e;
  }

  observe(view: BatchView, strict: boolean): void {
    const { data } = view;
    if (data.length === 0) return;
    const r = rangeOf(data);
    checkFinite(strict, r.nonFinite, data.length);
    this.nonFinite += r.nonFinite;
    if (r.finite === 0) return;
    const absMax = Math.max(Math.abs(r.min), Math.abs(r.max));
    if (this.anchor === null) {
      // The smallest |v| is known from the range when all values share a sign; with mixed signs
      // it is taken as 0 (the start of onnxruntime's abs grid, which is min |v| of that batch).
      const absMin = r.min >= 0 ? r.min : r.max < 0 ? -r.max : 0;
      this.anchor = { min: r.min, max: r.max, absMin, absMax };
    }
    this.min = Math.min(this.min, r.min);
    this.max = Math.max(this.max, r.max);
    this.grow(this.absMax, null);
    const bins = this.pos.length;
    const hi = bins * this.width;
    if (this.kind === 'abs') {
      histogramInto(data, 0, hi, this.pos, 'abs');
    } else if (r.min >= 0) {
      histogramInto(data, 0, hi, this.pos, 'signed');
    } else if (r.max < 0) {
      histogramInto(data, 0, hi, this.neg, 'abs');
    } else {
      // Mixed signs: non-negative values exactly from a signed pass at lo = 0 (negatives all
      // land in bin 0), magnitudes from an abs pass, and the negatives' count from a 2-bin pass
      // around 0 (v + 2^-126 < 2^-126 exactly when v < 0).
      if (this.scratch.length < 2 * bins) this.scratch = new Float64Array(2 * bins);
      const p = this.scratch.subarray(0, bins).fill(0);
      const a = this.scratch.subarray(bins, 2 * bins).fill(0);
      histogramInto(data, 0, hi, p, 'signed');
      histogramInto(data, 0, hi, a, 'abs');
      const sign = new Float64Array(2);
      const tiny = 2 ** E_MIN;
      histogramInto(data, -tiny, tiny, sign, 'signed');
      const negatives = sign[0]!;
      this.pos[0]! += p[0]! - negatives;
      this.neg[0]! += a[0]! - (p[0]! - negatives);
      for (let j = 1; j < bins; j++) {
        this.pos[j]! += p[j]!;
        this.neg[j]! += a[j]! - p[j]!;
      }
    }
    this.count += r.finite;
    this.batches++;
  }

  merge(other: StreamingHistogram): void {
    checkOption(other instanceof StreamingHistogram && other.kind === this.kind && other.resolution === this.resolution,
      'other', `a histogram of kind ${this.kind} and resolution ${this.resolution}`, other);
    this.nonFinite += other.nonFinite;
    if (other.count === 0) return;
    this.anchor ??= other.anchor;
    this.min = Math.min(this.min, other.min);
    this.max = Math.max(this.max, other.max);
    this.grow(this.absMax, other.log2Width);
    const shift = this.log2Width! - other.log2Width!;
    const add = (into: Float64Array, from: Float64Array) => {
      for (let j = 0; j < from.length; j++) if (from[j]) into[Math.floor(j / 2 ** shift)]! += from[j]!;
    };
    add(this.pos, other.pos);
    if (this.kind === 'signed') add(this.neg, other.neg);
    this.count += other.count;
    this.batches += other.batches;
  }

  /**
   * Counts on the line as one array over [-K*w, K*w) ('signed', 2K bins, negatives first) or
   * [0, K*w) ('abs' view of either kind), with the origin of bin 0.
   */
  line(view: HistogramKind): { counts: Float64Array; origin: number; width: number } {
    const K = this.pos.length;
    const w = this.width;
    if (view === 'abs') {
      const counts = Float64Array.from(this.pos);
      if (this.kind === 'signed') for (let j = 0; j < K; j++) counts[j]! += this.neg[j]!;
      return { counts, origin: 0, width: w };
    }
    if (this.kind !== 'signed') throw new Error('an abs histogram has no signed view');
    const counts = new Float64Array(2 * K);
    for (let j = 0; j < K; j++) {
      counts[K - 1 - j] = this.neg[j]!;
      counts[K + j] = this.pos[j]!;
    }
    return { counts, origin: -K * w, width: w };
  }

  toJSON(): HistogramJSON {
    return {
      version: STATE_VERSION, kind: this.kind, resolution: this.resolution, log2Width: this.log2Width,
      pos: sparse(this.pos), neg: sparse(this.neg), min: numToJSON(this.min), max: numToJSON(this.max),
      count: this.count, nonFinite: this.nonFinite, batches: this.batches, anchor: this.anchor,
    };
  }

  static fromJSON(json: HistogramJSON): StreamingHistogram {
    checkOption(typeof json === 'object' && json !== null && json.version === STATE_VERSION, 'json.histogram', `a histogram state of version ${STATE_VERSION}`, json);
    const h = new StreamingHistogram(json.kind, json.resolution);
    h.log2Width = json.log2Width;
    h.min = numFromJSON(json.min, Infinity);
    h.max = numFromJSON(json.max, -Infinity);
    h.count = json.count;
    h.nonFinite = json.nonFinite;
    h.batches = json.batches;
    h.anchor = json.anchor;
    if (h.log2Width !== null) {
      const bins = Math.floor(h.absMax / 2 ** h.log2Width) + 1;
      h.pos = new Float64Array(bins);
      if (h.kind === 'signed') h.neg = new Float64Array(bins);
      for (let i = 0; i < json.pos.length; i += 2) h.pos[json.pos[i]!] = json.pos[i + 1]!;
      for (let i = 0; i < json.neg.length; i += 2) h.neg[json.neg[i]!] = json.neg[i + 1]!;
    }
    return h;
  }
}

/**
 * Mass of a histogram (bins of `width` from `origin`, uniform inside each bin) in each of `n`
 * bins of width `W` from `o`. Mass outside [o, o + n*W) is dropped, or with `clamp` added to the
 * first / last bin: callers whose target grid covers every observed value clamp, since mass
 * outside it only comes from spreading a bin that holds an extreme value (min at its left edge,
 * max inside it) over the whole bin.
 */
export function resample(counts: Float64Array, origin: number, width: number, o: number, W: number, n: number, clamp = false): Float64Array {
  const cum = new Float64Array(counts.length + 1);
  for (let j = 0; j < counts.length; j++) cum[j + 1] = cum[j]! + counts[j]!;
  const F = (x: number): number => {
    const t = (x - origin) / width;
    if (t <= 0) return 0;
    if (t >= counts.length) return cum[counts.length]!;
    const j = Math.floor(t);
    return cum[j]! + (t - j) * counts[j]!;
  };
  const out = new Float64Array(n);
  let prev = F(o);
  for (let i = 0; i < n; i++) {
    const next = F(o + (i + 1) * W);
    out[i] = Math.max(0, next - prev);
    prev = next;
  }
  if (clamp && n > 0) {
    out[0]! += F(o);
    out[n - 1]! += Math.max(0, cum[counts.length]! - prev);
  }
  return out;
}
