/**
 * OCP FP8 (float8e4m3fn, float8e5m2), with ONNX semantics:
 * - castToFloat8 / float8ToFloat32: ONNX Cast (opset 19+) with its `saturate` attribute, whose
 *   tables say: round to nearest even; saturate (the default) maps [x] > max and +-Inf to +-max
 *   (448 for E4M3FN, 57344 for E5M2); without saturation they become NaN (E4M3FN) or +-Inf
 *   (E5M2). NaN keeps its sign: 0x7F / 0xFF for both formats (as onnx.helper and PyTorch's c10
 *   write it; any NaN code decodes to NaN). -0 stays -0 (0x80).
 * - quantizeFloat8 / dequantizeFloat8: ONNX QuantizeLinear / DequantizeLinear (opset 19, 21)
 *   with a float8 output: y = cast(x / scale) (float32 division), x' = float(y) * scale, per
 *   tensor, per axis or blocked exactly as for the integer types. A float8 zero point must be 0.
 */
import { QuantaError, invalid } from '../errors';
import type { LayoutOptions, LayoutPlan } from '../ops/layout';
import { planLayout } from '../ops/layout';
import { readScales } from '../ops/scalars';
import type { Float32Tensor } from '../tensor';
import { float32Tensor, viewFloat32, viewTensor } from '../tensor';
import { checkBoolean, checkFloat8DType, forEachScaled } from './checks';
import type { MinifloatSpec } from './minifloat';
import { FLOAT8E4M3FN, FLOAT8E5M2, encodeValue, signBits } from './minifloat';
import type { Float8DType, Float8Tensor } from './types';

export interface Float8CastOptions {
  /** ONNX Cast's `saturate`; default true. */
  saturate?: boolean;
}

export interface QuantizeFloat8Options extends LayoutOptions, Float8CastOptions {
  /** Output type; default float8e4m3fn. */
  dtype?: Float8DType;
  /** ONNX's y_zero_point; for float8 only 0 is meaningful and accepted. */
  zeroPoint?: number;
}

export function float8Spec(dtype: Float8DType): MinifloatSpec {
  return dtype === 'float8e4m3fn' ? FLOAT8E4M3FN : FLOAT8E5M2;
}

/** ONNX Cast float32 -> float8: one code per byte. */
export function castToFloat8(x: unknown, dtype: Float8DType, options: Float8CastOptions = {}): Uint8Array {
  const spec = float8Spec(checkFloat8DType(dtype));
  const saturate = checkBoolean(options.saturate, 'saturate', true);
  const { data } = viewFloat32(x, 'x');
  const bits = signBits(data);
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = encodeValue(spec, data[i]!, bits[i]! >>> 31 === 1, saturate);
  return out;
}

/** ONNX Cast float8 -> float32: exact; NaN codes give NaN, E5M2's 0x7C / 0xFC give +-Inf. */
export function float8ToFloat32(codes: Uint8Array, dtype: Float8DType): Float32Array {
  const { values } = float8Spec(checkFloat8DType(dtype));
  if (!(codes instanceof Uint8Array)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'codes', 'a Uint8Array of float8 codes', codes);
  const out = new Float32Array(codes.length);
  for (let i = 0; i < codes.length; i++) out[i] = values[codes[i]!]!;
  return out;
}

/** ONNX QuantizeLinear to float8: y = cast(x / scale, saturate), zero point 0. */
export function quantizeFloat8(x: unknown, scale: unknown, options: QuantizeFloat8Options = {}): Float8Tensor {
  const dtype = checkFloat8DType(options.dtype ?? 'float8e4m3fn');
  const saturate = checkBoolean(options.saturate, 'saturate', true);
  if (options.zeroPoint !== undefined && options.zeroPoint !== 0) {
    throw new QuantaError('ERR_QUANTA_INVALID_ZERO_POINT', `zeroPoint must be 0 for ${dtype}, received ${String(options.zeroPoint)}`);
  }
  const input = viewFloat32(x, 'x');
  const scales = readScales(scale);
  const plan = planLayout(input.dims, scales.data.length, options, scales.dims);
  const codes = quantizeMinifloat(float8Spec(dtype), input.data, scales.data, plan, saturate);
  return { dtype, dims: input.dims, data: codes, scale: scales.data, axis: plan.axis, blockSize: plan.blockSize, saturate };
}

/** ONNX DequantizeLinear from float8: x = float(y) * scale in float32. */
export function dequantizeFloat8(q: Float8Tensor): Float32Tensor {
  const dtype = checkFloat8DType(q?.dtype, 'q.dtype');
  if (!(q.data instanceof Uint8Array)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'q.data', 'a Uint8Array of float8 codes', q.data);
  const t = viewTensor({ type: 'uint8', data: q.data, dims: q.dims }, 'q');
  const scales = readScales(q.scale, 'q.scale');
  const plan = planLayout(t.dims, scales.data.length, { axis: q.axis ?? undefined, blockSize: q.blockSize ?? undefined });
  return float32Tensor(dequantizeMinifloat(float8Spec(dtype), q.data, scales.data, plan), t.dims);
}

/** cast(x / scale) for every element under `plan`; shared with float4e2m1. */
export function quantizeMinifloat(
  spec: MinifloatSpec,
  data: Float32Array,
  scales: Float32Array,
  plan: LayoutPlan,
  saturate: boolean,
): Uint8Array {
  const bits = signBits(data);
  const out = new Uint8Array(data.length);
  const f32 = Math.fround;
  forEachScaled(plan, (i, s) => {
    // A float32 division, as ONNX's reference computes x / y_scale; the sign comes from x's
    // bits so that -NaN and -0 keep theirs.
    const v = f32(data[i]! / scales[s]!);
    out[i] = encodeValue(spec, v, bits[i]! >>> 31 === 1, saturate);
  });
  return out;
}

/** float(code) * scale in float32 for every element under `plan`; codes one per byte. */
export function dequantizeMinifloat(
  spec: MinifloatSpec,
  codes: Uint8Array,
  scales: Float32Array,
  plan: LayoutPlan,
): Float32Array {
  const out = new Float32Array(codes.length);
  const { values } = spec;
  forEachScaled(plan, (i, s) => {
    out[i] = values[codes[i]!]! * scales[s]!;
  });
  return out;
}
