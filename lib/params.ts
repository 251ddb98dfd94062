/**
 * Scale and zero point from a real range, with the two reference formulas as named profiles:
 *
 * - 'onnxruntime' (onnxruntime.quantization.quant_utils.compute_scale_zp): the range is widened
 *   to include 0; symmetric ranges are [-absmax, absmax]; scale = (rmax - rmin) / (qmax - qmin)
 *   computed in float64 from the float32 difference, then stored as float32; a scale below
 *   float32's smallest normal becomes 1 with zero point 0; symmetric zero point is
 *   round((qmin + qmax) / 2); otherwise round(qmin - rmin / scale). Ranges come from its
 *   tables: symmetric int8 [-127, 127] (scale = absmax / 127) and uint8 [0, 254] (zero point 127),
 *   other types full range; reduce_range int8 [-64, 64], uint8 [0, 127], int4 [-4, 3], uint4 [0, 7].
 * - 'pytorch' (torch.ao.quantization.observer._calculate_qparams): everything in float32;
 *   symmetric scale = max(-min_neg, max_pos) / ((qmax - qmin) / 2), i.e. absmax / 127.5 for int8;
 *   scale = max(scale, float32 eps); symmetric zero point 0 (signed) or 128 (uint8 full range,
 *   (qmin + qmax) // 2 for custom ranges); affine zero point = clamp(qmin - round(min_neg / scale)).
 *   reduce_range takes one bit: int8 [-64, 63], uint8 [0, 127].
 *
 * round() is half to even in both (numpy.round, torch.round).
 */
import type { IntQuantDType } from './dtypes';
import { INT_RANGES, isSigned } from './dtypes';
import { QuantaError, invalid } from './errors';

export type ParamsProfile = 'onnxruntime' | 'pytorch';

export interface ParamsOptions {
  dtype: IntQuantDType;
  symmetric?: boolean;
  /** Restricts signed symmetric codes to [-(2^(b-1) - 1), 2^(b-1) - 1], e.g. [-127, 127]. */
  narrowRange?: boolean;
  /** One bit less of range (for int8 kernels without VNNI): see the profiles above. */
  reduceRange?: boolean;
  profile?: ParamsProfile;
}

export interface QuantParams {
  scale: number;
  zeroPoint: number;
  qmin: number;
  qmax: number;
}

const f32 = Math.fround;
const FLOAT32_TINY = 1.1754943508222875e-38;
const FLOAT32_EPS = 1.1920928955078125e-7;

/** Round half to even on doubles (numpy.round / torch.round / nearbyint). */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

// onnxruntime quant_utils tables: ONNX_INT_TYPE_REDUCED_RANGE and ONNX_INT_TYPE_SYMMETRIC_RANGE
// (types missing from a table keep their full range).
const ORT_REDUCED_RANGE: Partial<Record<IntQuantDType, [number, number]>> = { uint8: [0, 127], int8: [-64, 64], uint4: [0, 7], int4: [-4, 3] };
const ORT_SYMMETRIC_RANGE: Partial<Record<IntQuantDType, [number, number]>> = { uint8: [0, 254], int8: [-127, 127] };

/** The clamp range a profile uses for `dtype` with the given options. */
export function quantRange(options: ParamsOptions): [number, number] {
  const { dtype, symmetric = false, narrowRange = false, reduceRange = false } = options;
  const profile = options.profile ?? 'onnxruntime';
  let [qmin, qmax] = INT_RANGES[dtype];
  if (profile === 'onnxruntime') {
    // get_qmin_qmax_for_qType: reduce_range first, then the symmetric table, else the full range.
    const table = reduceRange ? ORT_REDUCED_RANGE : symmetric ? ORT_SYMMETRIC_RANGE : {};
    const range = table[dtype];
    if (reduceRange && range === undefined) {
      throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'reduceRange', `false for ${dtype} in the onnxruntime profile (its tool defines no reduced ${dtype} range)`, true);
    }
    if (range !== undefined) [qmin, qmax] = range;
  } else if (reduceRange) {
    // PyTorch calculate_qmin_qmax: one bit less, [-64, 63] for qint8 and [0, 127] for quint8.
    qmin = qmin / 2;
    qmax = (qmax + 1) / 2 - 1;
  }
  if (narrowRange && isSigned(dtype)) qmin = -qmax;
  return [qmin, qmax];
}

function checkRange(rmin: number, rmax: number): void {
  if (!Number.isFinite(rmin) || !Number.isFinite(rmax)) {
    throw new QuantaError('ERR_QUANTA_NON_FINITE', `range must be finite, received [${rmin}, ${rmax}]`);
  }
  if (rmin > rmax) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'range', 'min <= max', `[${rmin}, ${rmax}]`);
}

/** Scale and zero point for the real range [rmin, rmax] (float32 values). */
export function computeQuantParams(rmin: number, rmax: number, options: ParamsOptions): QuantParams {
  checkRange(rmin, rmax);
  const [qmin, qmax] = quantRange(options);
  const symmetric = options.symmetric ?? false;
  const profile = options.profile ?? 'onnxruntime';
  rmin = f32(Math.min(f32(rmin), 0));
  rmax = f32(Math.max(f32(rmax), 0));
  if (profile === 'onnxruntime') {
    if (symmetric) {
      const absmax = Math.max(Math.abs(rmin), Math.abs(rmax));
      rmin = -absmax;
      rmax = absmax;
    }
    const scale64 = f32(rmax - rmin) / (qmax - qmin);
    if (scale64 < FLOAT32_TINY) return { scale: 1, zeroPoint: 0, qmin, qmax };
    // `+ 0` turns numpy's rounding of -0.5 (-0) into the integer 0 it stores.
    const zeroPoint = (symmetric ? roundHalfEven((qmin + qmax) / 2) : roundHalfEven(qmin - rmin / scale64)) + 0;
    return { scale: f32(scale64), zeroPoint, qmin, qmax };
  }
  // PyTorch: float32 arithmetic throughout.
  if (symmetric) {
    const maxPos = Math.max(-rmin, rmax);
    const scale = Math.max(f32(maxPos / f32((qmax - qmin) / 2)), FLOAT32_EPS);
    let zeroPoint = 0;
    if (!isSigned(options.dtype)) {
      const [fullMin, fullMax] = INT_RANGES[options.dtype];
      zeroPoint = qmin === fullMin && qmax === fullMax ? 2 ** (Math.log2(fullMax + 1) - 1) : Math.floor((qmin + qmax) / 2);
    }
    return { scale, zeroPoint, qmin, qmax };
  }
  const scale = Math.max(f32(f32(rmax - rmin) / (qmax - qmin)), FLOAT32_EPS);
  const zeroPoint = Math.min(qmax, Math.max(qmin, qmin - roundHalfEven(f32(rmin / scale)))) + 0;
  return { scale, zeroPoint, qmin, qmax };
}
