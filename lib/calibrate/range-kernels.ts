/**
 * The two streaming kernels calibration is built on, with their exact semantics. Every observer
 * goes through these functions; the native kernels behind them (ref, AVX2, AVX-512, NEON) give
 * identical results on every path and for every thread count.
 *
 * The `...Reference` functions are plain TypeScript and are the specification the native kernels
 * (native/kernels/ref/range_ref.cc and its optimized twins) follow; tests use them as the oracle.
 * The exported `rangeOf` / `rangePerChannelInto` / `histogramInto` run natively.
 */
import { QuantaError } from '../errors';
import { callNative } from '../native';

export interface RangeStats {
  /**
   * Min and max over the finite values; +Infinity / -Infinity when there are none. A zero is
   * reported as +0: which of -0 and +0 a min or max lands on depends on the order of the values
   * (and on the SIMD lane), it carries no range information, and JSON states cannot keep it, so
   * a merged state would differ from a single pass over the same data.
   */
  min: number;
  max: number;
  /** Count of finite values seen. */
  finite: number;
  /** Count of NaN and +-Inf values, skipped. */
  nonFinite: number;
}

/** Min / max of the finite values of x (NaN and +-Inf are counted and skipped). */
export function rangeOfReference(x: Float32Array): RangeStats {
  let min = Infinity;
  let max = -Infinity;
  let nonFinite = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v - v !== 0) {
      nonFinite++;
      continue;
    }
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { min: min + 0, max: max + 0, finite: x.length - nonFinite, nonFinite };
}

/** -0 becomes +0 in place (see RangeStats). */
function positiveZeros(mins: Float64Array, maxs: Float64Array, count: number): void {
  for (let a = 0; a < count; a++) {
    mins[a] = mins[a]! + 0;
    maxs[a] = maxs[a]! + 0;
  }
}

/**
 * Per-channel min / max over x viewed as [outer, axis, inner]: channel a covers every
 * (o, a, i). mins / maxs (length `axis`) are updated in place (so batches accumulate); returns
 * the count of non-finite values skipped.
 */
export function rangePerChannelIntoReference(
  x: Float32Array, outer: number, axis: number, inner: number, mins: Float64Array, maxs: Float64Array,
): number {
  let nonFinite = 0;
  for (let o = 0; o < outer; o++) {
    for (let a = 0; a < axis; a++) {
      const base = (o * axis + a) * inner;
      let lo = mins[a]!;
      let hi = maxs[a]!;
      for (let i = 0; i < inner; i++) {
        const v = x[base + i]!;
        if (v - v !== 0) {
          nonFinite++;
          continue;
        }
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      mins[a] = lo;
      maxs[a] = hi;
    }
  }
  positiveZeros(mins, maxs, axis);
  return nonFinite;
}

export type HistogramMode = 'signed' | 'abs';

/**
 * Adds the finite values of x (|x| in 'abs' mode) to `counts` (one Float64Array entry per bin,
 * exact integers) over the range [lo, hi] split into counts.length equal bins. The bin of a value
 * is computed in float32 exactly as:
 *   t = fround(fround(v - lo32) * inv32)   with lo32 = fround(lo), inv32 = fround(bins / (hi - lo))
 *   bin = t < 0 ? 0 : min(bins - 1, trunc(t))
 * so values below lo land in bin 0 and values at or above hi in the last bin (callers grow the
 * range first so that does not happen except at hi itself). hi > lo is required, with
 * bins / (hi - lo) finite in float32 (callers widen degenerate ranges).
 * Returns the count of non-finite values skipped.
 */
export function histogramIntoReference(
  x: Float32Array, lo: number, hi: number, counts: Float64Array, mode: HistogramMode,
): number {
  const bins = counts.length;
  const f = Math.fround;
  const lo32 = f(lo);
  const inv32 = f(bins / (hi - lo));
  if (!(inv32 > 0) || !Number.isFinite(inv32) || !Number.isFinite(lo32)) {
    throw new RangeError(`histogram range [${lo}, ${hi}] with ${bins} bins has no finite float32 bin width`);
  }
  let nonFinite = 0;
  for (let i = 0; i < x.length; i++) {
    let v = x[i]!;
    if (v - v !== 0) {
      nonFinite++;
      continue;
    }
    if (mode === 'abs') v = Math.abs(v);
    const t = f(f(v - lo32) * inv32);
    const bin = t < 0 ? 0 : Math.min(bins - 1, Math.trunc(t));
    counts[bin]! += 1;
  }
  return nonFinite;
}

/** Float32 bin parameters of histogramInto, checked as the specification does. */
function binParameters(lo: number, hi: number, bins: number): { lo32: number; inv32: number } {
  const lo32 = Math.fround(lo);
  const inv32 = Math.fround(bins / (hi - lo));
  if (!(inv32 > 0) || !Number.isFinite(inv32) || !Number.isFinite(lo32)) {
    throw new RangeError(`histogram range [${lo}, ${hi}] with ${bins} bins has no finite float32 bin width`);
  }
  return { lo32, inv32 };
}

/** The native kernels take at most this many bins (2^24: bins - 1 stays exact in float32). */
const NATIVE_MAX_BINS = 1 << 24;

/** Min / max of the finite values of x (NaN and +-Inf are counted and skipped). */
export function rangeOf(x: Float32Array): RangeStats {
  const [min, max, nonFinite] = callNative((native) => native.rangeF32(x));
  return { min: min + 0, max: max + 0, finite: x.length - nonFinite, nonFinite };
}

/**
 * Per-channel min / max over x viewed as [outer, axis, inner]: channel a covers every
 * (o, a, i). mins / maxs (length `axis`) are updated in place (so batches accumulate); returns
 * the count of non-finite values skipped.
 */
export function rangePerChannelInto(
  x: Float32Array, outer: number, axis: number, inner: number, mins: Float64Array, maxs: Float64Array,
): number {
  if (outer * axis * inner !== x.length || mins.length < axis || maxs.length < axis) {
    throw new QuantaError(
      'ERR_QUANTA_INVALID_SHAPE',
      `x of ${x.length} values is not [${outer}, ${axis}, ${inner}], or mins/maxs have fewer than ${axis} entries`,
    );
  }
  const nonFinite = callNative((native) => native.rangePerChannelF32(x, outer, axis, inner, mins, maxs));
  positiveZeros(mins, maxs, axis);
  return nonFinite;
}

/**
 * Adds the finite values of x (|x| in 'abs' mode) to `counts` (one Float64Array entry per bin,
 * exact integers) over the range [lo, hi] split into counts.length equal bins, with the bin of a
 * value computed in float32 exactly as histogramIntoReference specifies. Returns the count of
 * non-finite values skipped.
 */
export function histogramInto(x: Float32Array, lo: number, hi: number, counts: Float64Array, mode: HistogramMode): number {
  const bins = counts.length;
  const { lo32, inv32 } = binParameters(lo, hi, bins);
  if (bins > NATIVE_MAX_BINS) return histogramIntoReference(x, lo, hi, counts, mode);
  return callNative((native) => native.histogramF32(x, lo32, inv32, counts, mode === 'abs'));
}
