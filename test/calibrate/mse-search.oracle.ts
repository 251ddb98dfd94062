/**
 * Clip-range search minimizing the expected squared quantization error over a histogram: each
 * bin's mass sits at its centre, is quantized with the scheme's parameters for the candidate
 * range and dequantized; the candidate with the smallest sum of count * error^2 wins (the first
 * one on ties).
 */
import { computeQuantParams, roundHalfEven } from '../../lib/params';
import type { CalibrationScheme } from '../../lib/calibrate/types';

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
  let best: [number, number] = [min, max];
  let bestErr = Infinity;
  for (let i = Math.min(startBin, half); i <= half; i++) {
    const c = (A * i) / half;
    const lo = Math.max(min, -c);
    const hi = Math.min(max, c);
    if (lo > hi) continue; // the candidate clips away every observed value
    const err = histogramQuantError(counts, -A, width, lo, hi, scheme);
    if (err < bestErr) {
      bestErr = err;
      best = [lo, hi];
    }
  }
  return best;
}
