/**
 * Weight clipping for low bits: per channel or per group, the clip range [r * min, r * max] whose
 * quantization error is smallest, searched over a 1-D grid of ratios r as AWQ's auto_clip does.
 *
 * Candidates: r_k = 1 - maxShrink * k / grid for k = 0 .. grid - 1 (float64; defaults grid 100,
 * maxShrink 0.5, i.e. 1.000, 0.995, ..., 0.505). AWQ's own set (n_grid 20, max_shrink 0.5) is
 * grid 10. The candidate range is [fround(r * min), fround(r * max)] of the slot's min and max, so
 * k = 0 is min-max and the search is never worse than it.
 *
 * The error of a candidate is the float64 sum, in increasing flat-index order, of
 * (dequantizeLinear(quantizeLinear(x)) - x)^2 over the slot, with the parameters
 * computeQuantParams gives for the candidate range, using the kernels' float32 arithmetic
 * (scalar.h: v = x / scale, clamped to [qmin - zp, qmax - zp], rounded half to even; back as
 * float32((q - zp) * scale)). The smallest sum wins; ties go to the widest range (smallest k).
 */
import type { IntQuantDType } from '../dtypes';
import { INT_BITS, INT_RANGES, isIntQuantDType, isSigned } from '../dtypes';
import { QuantaError, invalid } from '../errors';
import { quantizeLinear } from '../ops/quantize-linear';
import type { ParamsProfile } from '../params';
import { computeQuantParams, quantRange, roundHalfEven } from '../params';
import type { IsaName } from '../probe';
import type { Float32Input, QuantizedTensor } from '../tensor';
import { normalizeAxis, splitAt, viewFloat32 } from '../tensor';

export interface ClipSearchOptions {
  dtype?: IntQuantDType;
  symmetric?: boolean;
  narrowRange?: boolean;
  reduceRange?: boolean;
  profile?: ParamsProfile;
  /**
   * A clamp range inside the dtype's, e.g. [-4, 3] for 3-bit codes stored as int4; replaces the
   * profile's range (not with narrowRange / reduceRange).
   */
  range?: readonly [number, number];
  /** Per channel along this axis (or, with groupSize, the axis groups run along; default last). */
  axis?: number;
  /** Groups of this many consecutive values along `axis` (8 to 1024); the last may be partial. */
  groupSize?: number;
  /** Number of candidate ratios (default 100). */
  grid?: number;
  /** The narrowest candidate is 1 - maxShrink * (grid - 1) / grid (default 0.5, in [0, 1)). */
  maxShrink?: number;
  metric?: 'mse';
}

export interface ClipSearchResult {
  dtype: IntQuantDType;
  /** The chosen clip range per slot (per tensor: one; per channel; per group in blocked order). */
  min: Float32Array;
  max: Float32Array;
  /** The chosen ratio r per slot. */
  ratio: Float64Array;
  /** Mean squared error per slot with the chosen range, and with min-max (r = 1). */
  mse: Float64Array;
  minMaxMse: Float64Array;
  /** Parameters for quantizeLinear: flat scales in its blocked layout for groups. */
  scale: Float32Array;
  /** The scale's dims for ONNX: per channel [dims[axis]], blocked dims[axis] = ceil(dims[axis] / blockSize). */
  scaleDims: number[];
  zeroPoint: Int32Array;
  qmin: number;
  qmax: number;
  axis: number | null;
  blockSize: number | null;
}

const f32 = Math.fround;
const FLOAT32_TINY = 1.1754943508222875e-38;
const FLOAT32_EPS = 1.1920928955078125e-7;
// (t + 1.5 * 2^52) - 1.5 * 2^52 rounds half to even for |t| < 2^51 (t is clamped to the code range).
const ROUND_MAGIC = 6755399441055744;

/** The candidate ratios, widest first. */
export function clipRatios(grid = 100, maxShrink = 0.5): Float64Array {
  const r = new Float64Array(grid);
  for (let k = 0; k < grid; k++) r[k] = 1 - (maxShrink * k) / grid;
  return r;
}

/** Everything the per-candidate parameter formula needs, fixed for one call. */
interface Formula {
  qmin: number;
  qmax: number;
  symmetric: boolean;
  pytorch: boolean;
  /** Zero point of symmetric schemes (it does not depend on the range). */
  symmetricZeroPoint: number;
}

function formulaOf(options: ClipSearchOptions, dtype: IntQuantDType, qmin: number, qmax: number): Formula {
  const symmetric = options.symmetric ?? false;
  const pytorch = options.profile === 'pytorch';
  let symmetricZeroPoint = 0;
  if (pytorch && !isSigned(dtype)) {
    const [fullMin, fullMax] = INT_RANGES[dtype];
    symmetricZeroPoint = qmin === fullMin && qmax === fullMax ? 2 ** (INT_BITS[dtype] - 1) : Math.floor((qmin + qmax) / 2);
  } else if (!pytorch) {
    symmetricZeroPoint = roundHalfEven((qmin + qmax) / 2) + 0;
  }
  return { qmin, qmax, symmetric, pytorch, symmetricZeroPoint };
}

// The formula's result, written here instead of allocated once per candidate.
let outScale = 0;
let outZeroPoint = 0;

/**
 * computeQuantParams's arithmetic for [rmin, rmax] with a given clamp range (which it cannot take):
 * the test checks it against computeQuantParams on every dtype, profile and option.
 */
function paramsInto(rmin: number, rmax: number, p: Formula): void {
  const { qmin, qmax } = p;
  rmin = f32(Math.min(f32(rmin), 0));
  rmax = f32(Math.max(f32(rmax), 0));
  if (!p.pytorch) {
    if (p.symmetric) {
      const absmax = Math.max(Math.abs(rmin), Math.abs(rmax));
      rmin = -absmax;
      rmax = absmax;
    }
    const scale64 = f32(rmax - rmin) / (qmax - qmin);
    if (scale64 < FLOAT32_TINY) {
      outScale = 1;
      outZeroPoint = 0;
      return;
    }
    outScale = f32(scale64);
    outZeroPoint = p.symmetric ? p.symmetricZeroPoint : roundHalfEven(qmin - rmin / scale64) + 0;
    return;
  }
  if (p.symmetric) {
    outScale = Math.max(f32(Math.max(-rmin, rmax) / f32((qmax - qmin) / 2)), FLOAT32_EPS);
    outZeroPoint = p.symmetricZeroPoint;
    return;
  }
  outScale = Math.max(f32(f32(rmax - rmin) / (qmax - qmin)), FLOAT32_EPS);
  outZeroPoint = Math.min(qmax, Math.max(qmin, qmin - roundHalfEven(f32(rmin / outScale)))) + 0;
}

/** Sum of squared errors over x[off + j], j < n (stops once it exceeds `bound`: that candidate has lost). */
function sumSquaredError(x: Float32Array, off: number, n: number, scale: number, lo: number, hi: number, bound: number): number {
  let err = 0;
  const end = off + n;
  for (let j = off; j < end; j++) {
    const v = x[j]!;
    let t = f32(v / scale);
    t = t < lo ? lo : t > hi ? hi : t;
    const d = f32(((t + ROUND_MAGIC) - ROUND_MAGIC) * scale) - v;
    err += d * d;
    if (err > bound) return err;
  }
  return err;
}

// The search's state and answer for one slot.
let slotMin = 0;
let slotMax = 0;
let bestK = 0;
let bestSum = 0;
let firstSum = 0;
let prevScale = NaN;
let prevZeroPoint = NaN;

function tryCandidate(x: Float32Array, off: number, n: number, k: number, r: number, p: Formula): void {
  paramsInto(f32(r * slotMin), f32(r * slotMax), p);
  // Neighbours often share parameters, hence the sum: the tie rule already decided between them.
  if (outScale === prevScale && outZeroPoint === prevZeroPoint) return;
  prevScale = outScale;
  prevZeroPoint = outZeroPoint;
  const sum = sumSquaredError(x, off, n, outScale, p.qmin - outZeroPoint, p.qmax - outZeroPoint, bestSum);
  if (sum < bestSum || (sum === bestSum && k < bestK)) {
    bestSum = sum;
    bestK = k;
  }
}

/**
 * Searches the candidates for the n values at x[off ..]. Every candidate is scored, but in an
 * order that finds a good one early (min-max, every step-th, then outwards from the best of
 * those), so that most of the others stop as soon as their partial sum exceeds it.
 */
function searchSlot(x: Float32Array, off: number, n: number, ratios: Float64Array, step: number, p: Formula): void {
  let min = Infinity;
  let max = -Infinity;
  const end = off + n;
  for (let j = off; j < end; j++) {
    const v = x[j]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (n === 0) min = max = 0;
  slotMin = min;
  slotMax = max;
  const grid = ratios.length;
  bestK = 0;
  bestSum = Infinity;
  prevScale = NaN;
  prevZeroPoint = NaN;
  tryCandidate(x, off, n, 0, ratios[0]!, p);
  firstSum = bestSum;
  for (let k = step; k < grid; k += step) tryCandidate(x, off, n, k, ratios[k]!, p);
  const centre = bestK;
  for (let d = 1; d < grid; d++) {
    const below = centre - d;
    const above = centre + d;
    if (below < 0 && above >= grid) break;
    if (below > 0 && below % step !== 0) tryCandidate(x, off, n, below, ratios[below]!, p);
    if (above < grid && above % step !== 0) tryCandidate(x, off, n, above, ratios[above]!, p);
  }
}

function checkOptions(options: ClipSearchOptions): { dtype: IntQuantDType; qmin: number; qmax: number; grid: number; maxShrink: number } {
  const dtype = options.dtype ?? 'int8';
  if (!isIntQuantDType(dtype)) throw invalid('ERR_QUANTA_INVALID_DTYPE', 'dtype', 'one of int8, uint8, int4, uint4, int2, uint2', dtype);
  const profile = options.profile ?? 'onnxruntime';
  if (profile !== 'onnxruntime' && profile !== 'pytorch') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'profile', "'onnxruntime' or 'pytorch'", profile);
  if (options.metric !== undefined && options.metric !== 'mse') throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'metric', "'mse'", options.metric);
  const grid = options.grid ?? 100;
  if (!Number.isInteger(grid) || grid < 1 || grid > 10000) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'grid', 'an integer in [1, 10000]', grid);
  const maxShrink = options.maxShrink ?? 0.5;
  if (typeof maxShrink !== 'number' || !(maxShrink >= 0 && maxShrink < 1)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'maxShrink', 'a number in [0, 1)', maxShrink);
  if (options.range === undefined) {
    const [qmin, qmax] = quantRange({ dtype, symmetric: options.symmetric, narrowRange: options.narrowRange, reduceRange: options.reduceRange, profile });
    return { dtype, qmin, qmax, grid, maxShrink };
  }
  if (options.narrowRange || options.reduceRange) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'range', 'left out with narrowRange or reduceRange (it replaces them)', `[${options.range}]`);
  }
  const [lo, hi] = INT_RANGES[dtype];
  const [qmin, qmax] = Array.isArray(options.range) && options.range.length === 2 ? options.range : [NaN, NaN];
  if (!Number.isInteger(qmin) || !Number.isInteger(qmax) || qmin! < lo || qmax! > hi || qmin! >= qmax!) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'range', `integers with ${lo} <= qmin < qmax <= ${hi}`, options.range);
  }
  return { dtype, qmin: qmin!, qmax: qmax!, grid, maxShrink };
}

/**
 * The clip range per tensor, per channel (`axis`) or per group (`groupSize` along `axis`) that
 * minimizes the quantization MSE, with the matching parameters for quantizeLinear.
 */
export function searchClipRange(x: Float32Input, options: ClipSearchOptions = {}): ClipSearchResult {
  const { data, dims } = viewFloat32(x, 'x');
  const { dtype, qmin, qmax, grid, maxShrink } = checkOptions(options);
  const groupSize = options.groupSize;
  if (groupSize !== undefined && (!Number.isInteger(groupSize) || groupSize < 8 || groupSize > 1024)) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'groupSize', 'an integer in [8, 1024]', groupSize);
  }
  const perTensor = options.axis === undefined && groupSize === undefined;
  const axis = perTensor ? 0 : normalizeAxis(options.axis ?? dims.length - 1, dims.length);
  const [outer, axisLength, inner] = perTensor ? [1, data.length, 1] : splitAt(dims, axis);
  if (groupSize !== undefined && groupSize > axisLength) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'groupSize', `at most dims[${axis}] = ${axisLength}`, groupSize);
  }
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v - v !== 0) throw new QuantaError('ERR_QUANTA_NON_FINITE', `x[${i}] is ${v}: searchClipRange() measures the error over finite values only`);
  }
  const blocks = groupSize !== undefined ? Math.ceil(axisLength / groupSize) : axisLength;
  const count = perTensor ? 1 : groupSize !== undefined ? outer * blocks * inner : axisLength;
  const ratios = clipRatios(grid, maxShrink);
  const formula = formulaOf(options, dtype, qmin, qmax);
  const step = Math.max(1, Math.round(Math.sqrt(grid)));
  const standard = options.range === undefined;
  const result: ClipSearchResult = {
    dtype, min: new Float32Array(count), max: new Float32Array(count), ratio: new Float64Array(count),
    mse: new Float64Array(count), minMaxMse: new Float64Array(count), scale: new Float32Array(count),
    scaleDims: perTensor ? [1] : groupSize !== undefined ? dims.map((d, i) => (i === axis ? blocks : d)) : [axisLength],
    zeroPoint: new Int32Array(count), qmin, qmax, axis: perTensor ? null : axis, blockSize: groupSize ?? null,
  };
  // Slots whose values are not contiguous are gathered here, in increasing flat-index order.
  const slotLength = perTensor ? data.length : groupSize !== undefined ? groupSize : outer * inner;
  const contiguous = perTensor || (groupSize !== undefined ? inner === 1 : outer === 1);
  const scratch = contiguous ? null : new Float32Array(slotLength);
  const record = (slot: number, n: number) => {
    const r = ratios[bestK]!;
    const lo = f32(r * slotMin);
    const hi = f32(r * slotMax);
    paramsInto(lo, hi, formula);
    if (standard) {
      const p = computeQuantParams(lo, hi, { dtype, symmetric: options.symmetric, narrowRange: options.narrowRange, reduceRange: options.reduceRange, profile: options.profile });
      if (p.scale !== outScale || p.zeroPoint !== outZeroPoint) throw new Error(`quanta internal error: clip search parameters differ from computeQuantParams for [${lo}, ${hi}]`);
    }
    result.min[slot] = lo;
    result.max[slot] = hi;
    result.ratio[slot] = r;
    result.mse[slot] = n === 0 ? 0 : bestSum / n;
    result.minMaxMse[slot] = n === 0 ? 0 : firstSum / n;
    result.scale[slot] = outScale;
    result.zeroPoint[slot] = outZeroPoint;
  };
  if (perTensor) {
    searchSlot(data, 0, data.length, ratios, step, formula);
    record(0, data.length);
  } else if (groupSize === undefined) {
    for (let a = 0; a < axisLength; a++) {
      if (scratch === null) {
        searchSlot(data, a * inner, inner, ratios, step, formula);
      } else {
        let m = 0;
        for (let o = 0; o < outer; o++) {
          const base = (o * axisLength + a) * inner;
          for (let i = 0; i < inner; i++) scratch[m++] = data[base + i]!;
        }
        searchSlot(scratch, 0, m, ratios, step, formula);
      }
      record(a, outer * inner);
    }
  } else {
    for (let o = 0; o < outer; o++) {
      for (let b = 0; b < blocks; b++) {
        const a0 = b * groupSize;
        const n = Math.min(groupSize, axisLength - a0);
        for (let i = 0; i < inner; i++) {
          if (scratch === null) {
            searchSlot(data, o * axisLength + a0, n, ratios, step, formula);
          } else {
            for (let j = 0; j < n; j++) scratch[j] = data[(o * axisLength + a0 + j) * inner + i]!;
            searchSlot(scratch, 0, n, ratios, step, formula);
          }
          record((o * blocks + b) * inner + i, n);
        }
      }
    }
  }
  return result;
}

export interface QuantizeClippedOptions extends ClipSearchOptions {
  isa?: IsaName;
}

/** searchClipRange, then quantizeLinear with the parameters it found. */
export function quantizeClipped(x: Float32Input, options: QuantizeClippedOptions = {}): QuantizedTensor {
  const r = searchClipRange(x, options);
  return quantizeLinear(x, r.scale, r.zeroPoint, {
    dtype: r.dtype,
    axis: r.axis ?? undefined,
    blockSize: r.blockSize ?? undefined,
    range: [r.qmin, r.qmax],
    isa: options.isa,
    scheme: { symmetric: options.symmetric ?? false, profile: options.profile ?? 'onnxruntime', qmin: r.qmin, qmax: r.qmax, reduceRange: options.reduceRange ?? false },
  });
}
