/**
 * Requantizing int32 accumulators to int8 / uint8, two ways:
 * - float multiplier (onnxruntime MlasRequantizeOutput): y = saturate(round_half_even(
 *   float(acc) * multiplier) + zero_point);
 * - fixed-point multiplier and shift (gemmlowp / TFLite MultiplyByQuantizedMultiplier), with
 *   quantizeMultiplier() to derive them from a real multiplier as TFLite's QuantizeMultiplier does.
 * Per tensor (one multiplier) or per channel along the last axis of [rows, channels] (or any axis).
 */
import type { IntQuantDType } from '../dtypes';
import { INT_RANGES } from '../dtypes';
import { QuantaError, invalid } from '../errors';
import { callNative } from '../native';
import type { IsaName } from '../probe';
import { assertIsaName } from '../probe';
import type { ScaleInput, TensorLike, ZeroPointInput } from '../tensor';
import { viewTensor } from '../tensor';
import { planLayout } from './layout';
import { readScales, readZeroPoints } from './scalars';

export interface RequantizeOptions {
  /** int8 or uint8. */
  dtype: 'int8' | 'uint8';
  /** Axis of per-channel multipliers (default: the last axis). */
  axis?: number;
  range?: readonly [number, number];
  isa?: IsaName;
}

function readAccumulators(acc: unknown): { data: Int32Array; dims: number[] } {
  const t = viewTensor(acc, 'acc');
  if (!(t.data instanceof Int32Array)) throw invalid('ERR_QUANTA_INVALID_DTYPE', 'acc', 'int32 (an Int32Array)', t.data);
  return { data: t.data, dims: t.dims };
}

function clampRange(dtype: 'int8' | 'uint8', range: readonly [number, number] | undefined): [number, number] {
  const [lo, hi] = INT_RANGES[dtype];
  if (range === undefined) return [lo, hi];
  if (!Number.isInteger(range[0]) || !Number.isInteger(range[1]) || range[0] < lo || range[1] > hi || range[0] > range[1]) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'range', `integers within [${lo}, ${hi}]`, `[${range[0]}, ${range[1]}]`);
  }
  return [range[0], range[1]];
}

function checkDtype(dtype: unknown): asserts dtype is 'int8' | 'uint8' {
  if (dtype !== 'int8' && dtype !== 'uint8') throw invalid('ERR_QUANTA_INVALID_DTYPE', 'dtype', "'int8' or 'uint8'", dtype);
}

/** Float-multiplier requantization; returns codes of `options.dtype`. */
export function requantize(
  acc: Int32Array | TensorLike<Int32Array>,
  multiplier: ScaleInput,
  zeroPoint: ZeroPointInput,
  options: RequantizeOptions,
): Int8Array | Uint8Array {
  checkDtype(options.dtype);
  const a = readAccumulators(acc);
  const m = readScales(multiplier, 'multiplier');
  const axis = options.axis ?? -1;
  const plan = planLayout(a.dims, m.data.length, { axis });
  const zp = readZeroPoints(zeroPoint, plan.scaleCount, options.dtype as IntQuantDType);
  const [qmin, qmax] = clampRange(options.dtype, options.range);
  if (options.isa !== undefined) assertIsaName(options.isa);
  const y = options.dtype === 'int8' ? new Int8Array(a.data.length) : new Uint8Array(a.data.length);
  callNative((native) =>
    native.requantize(a.data, m.data, zp, y, plan.outer, plan.axisLength, plan.inner, plan.layout, 0, qmin, qmax, options.isa),
  );
  return y;
}

export interface FixedPointMultiplier {
  /** Q31 multiplier in [2^30, 2^31), or 0. */
  multiplier: number;
  /** Power of two: positive shifts left. */
  shift: number;
}

/**
 * TFLite QuantizeMultiplier: real = multiplier * 2^(shift - 31) with a Q31 multiplier, using
 * frexp and round-half-away (std::round); multipliers that round up to 2^31 renormalize.
 */
export function quantizeMultiplier(real: number): FixedPointMultiplier {
  if (!Number.isFinite(real) || real < 0) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'multiplier', 'a finite number >= 0', real);
  if (real === 0) return { multiplier: 0, shift: 0 };
  let shift = Math.floor(Math.log2(real)) + 1;
  let fraction = real / 2 ** shift; // in [0.5, 1)
  if (fraction >= 1) {
    fraction /= 2;
    shift += 1;
  } else if (fraction < 0.5) {
    fraction *= 2;
    shift -= 1;
  }
  let q = Math.sign(fraction) * Math.round(Math.abs(fraction) * 2 ** 31);
  if (q === 2 ** 31) {
    q /= 2;
    shift += 1;
  }
  if (shift < -31) return { multiplier: 0, shift: 0 };
  if (shift > 30) throw new QuantaError('ERR_QUANTA_INVALID_ARGUMENT', `multiplier ${real} is too large for a Q31 multiplier with shift <= 30`);
  return { multiplier: q, shift };
}

/** Fixed-point requantization with one (multiplier, shift) or one per index of `axis`. */
export function requantizeFixedPoint(
  acc: Int32Array | TensorLike<Int32Array>,
  multipliers: FixedPointMultiplier | readonly FixedPointMultiplier[],
  zeroPoint: ZeroPointInput,
  options: RequantizeOptions,
): Int8Array | Uint8Array {
  checkDtype(options.dtype);
  const a = readAccumulators(acc);
  const list = Array.isArray(multipliers) ? multipliers : [multipliers as FixedPointMultiplier];
  if (list.length === 0) throw new QuantaError('ERR_QUANTA_INVALID_SCALE', 'multipliers must not be empty');
  const mult = new Int32Array(list.length);
  const shift = new Int32Array(list.length);
  list.forEach((m, i) => {
    if (!Number.isInteger(m.multiplier) || m.multiplier < 0 || m.multiplier >= 2 ** 31) {
      throw invalid('ERR_QUANTA_INVALID_SCALE', `multipliers[${i}].multiplier`, 'an integer in [0, 2^31)', m.multiplier);
    }
    if (!Number.isInteger(m.shift) || m.shift < -31 || m.shift > 30) {
      throw invalid('ERR_QUANTA_INVALID_SCALE', `multipliers[${i}].shift`, 'an integer in [-31, 30]', m.shift);
    }
    mult[i] = m.multiplier;
    shift[i] = m.shift;
  });
  const plan = planLayout(a.dims, list.length, { axis: options.axis ?? -1 });
  const zp = readZeroPoints(zeroPoint, plan.scaleCount, options.dtype as IntQuantDType);
  const [qmin, qmax] = clampRange(options.dtype, options.range);
  if (options.isa !== undefined) assertIsaName(options.isa);
  const y = options.dtype === 'int8' ? new Int8Array(a.data.length) : new Uint8Array(a.data.length);
  callNative((native) =>
    native.requantizeFixed(a.data, mult, shift, zp, y, plan.outer, plan.axisLength, plan.inner, qmin, qmax, options.isa),
  );
  return y;
}
