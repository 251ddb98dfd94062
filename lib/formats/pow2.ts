/**
 * Power-of-two (log2) quantization: each value becomes +-scale * 2^e or 0, stored as a sign bit
 * and an exponent field (Miyashita et al. 2016, "Convolutional Neural Networks using Logarithmic
 * Data Representation"; there is no de-facto reference implementation, so the rule is ours and
 * stated exactly here).
 *
 * With `bits` = b (2..8) a code is `sign << (b - 1) | k`, k in [0, K] with K = 2^(b-1) - 1:
 * k = 0 is zero, k >= 1 is magnitude scale * 2^(k - K). So 4 bits give +-scale * {1, 1/2, ...,
 * 1/64} and 0. Encoding, with m = |x| / scale rounded to float32 (ONNX's division):
 * - e = round(log2 m) to the nearest integer, in the log domain: m rounds up from 2^j to 2^(j+1)
 *   when m > 2^j * sqrt(2). No float32 m lies on that irrational point, so there are no ties, and
 *   e is computed exactly from m's binary exponent, not with Math.log2;
 * - e > 0 saturates to 0 (the largest level, +-scale);
 * - e < 1 - K (below the smallest level, i.e. m < 2^(1-K) / sqrt(2)) flushes to zero, as does
 *   m = 0; a zero code never has its sign bit set;
 * - NaN and +-Inf are rejected (ERR_QUANTA_NON_FINITE).
 * The default scale is the absmax (per tensor, per `axis`, or per block along `axis`), so the
 * largest value is exact; an all-zero slice gets scale 1. A given scale follows ONNX's layout
 * rules (one, one per index of `axis`, or blocked).
 * Codes are packed as an LSB-first bit stream (bitpack.ts): ONNX order for 2 and 4 bits.
 */
import { QuantaError } from '../errors';
import type { LayoutOptions, LayoutPlan } from '../ops/layout';
import { planLayout } from '../ops/layout';
import { readScales } from '../ops/scalars';
import type { Float32Tensor } from '../tensor';
import { float32Tensor, normalizeAxis, sizeOf } from '../tensor';
import { packBits, packedLength, unpackBits } from './bitpack';
import { checkInteger, forEachScaled, viewFiniteFloat32 } from './checks';
import type { Pow2Tensor } from './types';

const f32 = Math.fround;

export interface QuantizePow2Options extends LayoutOptions {
  /** Code width, sign included: 2 to 8; default 4 (sign + 3-bit exponent field). */
  bits?: number;
  /** Scale(s) as for quantizeLinear; default the absmax of each slice. */
  scale?: unknown;
}

/** round(log2 m) for a finite m > 0, exactly (see the module comment). */
export function roundLog2(m: number): number {
  let e = Math.floor(Math.log2(m));
  // Math.log2 may be off by one ulp next to powers of two: settle e so that 2^e <= m < 2^(e+1).
  if (2 ** e > m) e--;
  else if (2 ** (e + 1) <= m) e++;
  return m / 2 ** e > Math.SQRT2 ? e + 1 : e;
}

/** The scale plan: a given scale's layout, or the absmax of each slice the options ask for. */
function resolveScales(data: Float32Array, dims: number[], options: QuantizePow2Options): { scale: Float32Array; plan: LayoutPlan } {
  if (options.scale !== undefined) {
    const s = readScales(options.scale);
    return { scale: s.data, plan: planLayout(dims, s.data.length, options, s.dims) };
  }
  const count = scaleCount(dims, options);
  const plan = planLayout(dims, count, options);
  const absmax = new Float32Array(count);
  forEachScaled(plan, (i, s) => {
    absmax[s] = Math.max(absmax[s]!, Math.abs(data[i]!));
  });
  for (let s = 0; s < count; s++) if (absmax[s] === 0) absmax[s] = 1;
  return { scale: absmax, plan };
}

/** How many scales a computed-scale layout needs: 1 per tensor, dims[axis], or per block. */
export function scaleCount(dims: readonly number[], options: LayoutOptions): number {
  if (options.axis === undefined && !options.blockSize) return 1;
  if (dims.length === 0) return 1; // planLayout reports a scalar with an axis
  const a = normalizeAxis(options.axis ?? -1, dims.length);
  const len = dims[a]!;
  const rest = dims.reduce((p, d, i) => (i === a ? p : p * d), 1);
  if (!options.blockSize) return len;
  if (!Number.isInteger(options.blockSize) || options.blockSize <= 0) return 1; // planLayout reports it
  return rest * Math.ceil(len / options.blockSize);
}

/** Power-of-two quantization (rule above). */
export function quantizePow2(x: unknown, options: QuantizePow2Options = {}): Pow2Tensor {
  const bits = checkInteger(options.bits, 'bits', 2, 8, 4);
  const { data, dims } = viewFiniteFloat32(x, 'x', 'pow2 codes have no NaN or infinity');
  // Computed scales group along the last axis unless told otherwise; a given scale keeps ONNX's
  // default axis (1).
  const layout = options.scale === undefined && options.blockSize && options.axis === undefined ? { ...options, axis: -1 } : options;
  const { scale, plan } = resolveScales(data, dims, layout);
  const top = 2 ** (bits - 1) - 1;
  const signBit = 1 << (bits - 1);
  const codes = new Uint8Array(data.length);
  forEachScaled(plan, (i, s) => {
    const v = data[i]!;
    const m = f32(Math.abs(v) / scale[s]!);
    if (m === 0) return;
    const k = Math.min(roundLog2(m), 0) + top;
    if (k < 1) return;
    codes[i] = (v < 0 ? signBit : 0) | k;
  });
  return { dtype: 'pow2', dims, data: packBits(codes, bits), scale, axis: plan.axis, blockSize: plan.blockSize, bits };
}

/** Decodes pow2 codes: +-scale * 2^(k - K) in float32, 0 for k = 0. */
export function dequantizePow2(q: Pow2Tensor): Float32Tensor {
  if (q?.dtype !== 'pow2') throw new QuantaError('ERR_QUANTA_INVALID_DTYPE', `q.dtype must be "pow2", received ${String(q?.dtype)}`);
  const bits = checkInteger(q.bits, 'q.bits', 2, 8, 4);
  const n = sizeOf(q.dims, 'q');
  if (!(q.data instanceof Uint8Array) || q.data.length !== packedLength(n, bits)) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `q.data must be a Uint8Array of ${packedLength(n, bits)} bytes for ${n} ${bits}-bit codes`);
  }
  const scales = readScales(q.scale, 'q.scale');
  const plan = planLayout(q.dims, scales.data.length, { axis: q.axis ?? undefined, blockSize: q.blockSize ?? undefined });
  const codes = unpackBits(q.data, bits, n);
  const top = 2 ** (bits - 1) - 1;
  const signBit = 1 << (bits - 1);
  const out = new Float32Array(n);
  forEachScaled(plan, (i, s) => {
    const c = codes[i]!;
    const k = c & (signBit - 1);
    const magnitude = k === 0 ? 0 : scales.data[s]! * 2 ** (k - top);
    out[i] = c & signBit ? -magnitude : magnitude;
  });
  return float32Tensor(out, [...q.dims]);
}
