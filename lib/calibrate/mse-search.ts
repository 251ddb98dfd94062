/**
 * Clip-range search minimizing the expected squared quantization error over a histogram: each
 * bin's mass sits at its centre, is quantized with the scheme's parameters for the candidate
 * range and dequantized; the candidate with the smallest sum of count * error^2 wins (the first
 * one on ties).
 */
import { computeQuantParams, roundHalfEven } from '../params';
import type { CalibrationScheme } from './types';

/** Sum of counts * (dequant(quant(centre)) - centre)^2 over bins for the range [lo, hi]. */
export function histogramQuantError(counts: Float64Array, origin: number, width: number, lo: number, hi: number, scheme: CalibrationScheme): number {
  const p = computeQuantParams(lo, hi, scheme);
  const inv = 1 / p.scale;
  let err = 0;
  for (let j = 0; j < counts.length; j++) {
    const c = counts[j]!;
    if (c === 0) continue;
    const x = origin + (j + 0.5) * width;
    const q = Math.min(p.qmax, Math.max(p.qmin, roundHalfEven(x * inv) + p.zeroPoint));
    const d = (q - p.zeroPoint) * p.scale - x;
    err += c * d * d;
  }
  return err;
}

/**
 * Candidates amax = A * i / half for i = startBin .. half over a signed histogram of 2 * half bins
 * spanning [-A, A]; the range for amax c is [max(min, -c), min(max, c)]. Returns the best range.
 */
export function mseSearch(counts: Float64Array, A: number, min: number, max: number, startBin: number, scheme: CalibrationScheme): [number, number] {
  const half = counts.length / 2;
  const width = (2 * A) / counts.length;
  const fast = IntegerMoments.of(counts);
  let best: [number, number] = [min, max];
  let bestErr = Infinity;
  for (let i = Math.min(startBin, half); i <= half; i++) {
    const c = (A * i) / half;
    const lo = Math.max(min, -c);
    const hi = Math.min(max, c);
    if (lo > hi) continue; // the candidate clips away every observed value
    const err = fast !== null ? fast.error(-A, width, lo, hi, scheme) : histogramQuantError(counts, -A, width, lo, hi, scheme);
    if (err < bestErr) {
      bestErr = err;
      best = [lo, hi];
    }
  }
  return best;
}

/**
 * histogramQuantError in O(codes) per range: bins are walked one code interval at a time (the
 * code of a bin is monotone in its index, and the interval ends are found with the same
 * expression histogramQuantError uses), each interval [a, b) adding
 * width^2 * sum c (u - (j - a))^2 = width^2 (u^2 T0 - 2 u T1 + T2), u = (value - centre_a) / width,
 * from prefix sums of c, c j, c j^2. Only for non-negative integer counts whose moments stay below
 * 2^53: then every prefix sum and T0, T1, T2 are exact integers, so the result differs from the
 * bin-by-bin sum by rounding alone (~1e-15 relative).
 */
class IntegerMoments {
  private constructor(private readonly counts: Float64Array, private readonly s0: Float64Array, private readonly s1: Float64Array, private readonly s2: Float64Array) {}

  static of(counts: Float64Array): IntegerMoments | null {
    const n = counts.length;
    let total = 0;
    for (let j = 0; j < n; j++) {
      const c = counts[j]!;
      if (!(c >= 0) || !Number.isInteger(c)) return null;
      total += c;
    }
    if (!(4 * total * n * n < 2 ** 53)) return null;
    const s0 = new Float64Array(n + 1);
    const s1 = new Float64Array(n + 1);
    const s2 = new Float64Array(n + 1);
    for (let j = 0; j < n; j++) {
      const c = counts[j]!;
      s0[j + 1] = s0[j]! + c;
      s1[j + 1] = s1[j]! + c * j;
      s2[j + 1] = s2[j]! + c * j * j;
    }
    return new IntegerMoments(counts, s0, s1, s2);
  }

  error(origin: number, width: number, lo: number, hi: number, scheme: CalibrationScheme): number {
    const { counts, s0, s1, s2 } = this;
    const n = counts.length;
    // the first and last non-empty bins: empty bins add nothing, so intervals may include them
    let first = 0;
    while (first < n && counts[first] === 0) first++;
    let end = n;
    while (end > first && counts[end - 1] === 0) end--;
    if (first >= end) return 0;
    const p = computeQuantParams(lo, hi, scheme);
    const inv = 1 / p.scale;
    const { qmin, qmax, zeroPoint, scale } = p;
    const code = (j: number): number => {
      const y = (origin + (j + 0.5) * width) * inv;
      let r = Math.round(y);
      if (r - y === 0.5 && r % 2 !== 0) r -= 1; // roundHalfEven
      r += zeroPoint;
      return r < qmin ? qmin : r > qmax ? qmax : r;
    };
    const boundaryScale = scale / width;
    const boundaryShift = (-origin) / width - 0.5;
    let err = 0;
    let a = first;
    let k = code(a);
    while (a < end) {
      let b: number;
      let next = qmax + 1;
      if (k >= qmax) b = end;
      else {
        // the first bin whose code passes k, from the affine map, then checked with code(): the
        // code of bin b (found > k) is the next interval's code
        const est = Math.ceil((k - zeroPoint + 0.5) * boundaryScale + boundaryShift);
        b = est < a + 1 || !Number.isFinite(est) ? a + 1 : est > end ? end : est;
        while (b > a + 1 && code(b - 1) > k) b--;
        while (b < end) {
          next = code(b);
          if (next > k) break;
          b++;
        }
      }
      const t0 = s0[b]! - s0[a]!;
      const d1 = s1[b]! - s1[a]!;
      const t1 = d1 - a * t0;
      const t2 = s2[b]! - s2[a]! - 2 * a * d1 + a * a * t0;
      const u = ((k - zeroPoint) * scale - (origin + (a + 0.5) * width)) / width;
      err += (u * u * t0 - 2 * u * t1 + t2) * width * width;
      a = b;
      k = next;
    }
    return err;
  }
}
