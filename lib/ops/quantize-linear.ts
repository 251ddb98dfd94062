/**
 * ONNX QuantizeLinear, DequantizeLinear and DynamicQuantizeLinear, bit for bit:
 *   y = saturate(round_half_even(x / scale) + zero_point)        (a true division)
 *   x = (y - zero_point) * scale
 * Saturation follows ONNX: +-Inf go to the ends of the range. NaN, which ONNX leaves undefined
 * for integer outputs, quantizes to the lowest code of the range, as onnxruntime's QuantizeLinear
 * and PyTorch's fake quantization do.
 */
import type { IntQuantDType } from '../dtypes';
import { INT_BITS, INT_RANGES, isIntQuantDType, isSigned } from '../dtypes';
import { QuantaError, invalid } from '../errors';
import { outputArray } from '../buffers';
import { callNative } from '../native';
import { packCodes, unpackCodes } from '../pack';
import { roundHalfEven } from '../params';
import type { IsaName } from '../probe';
import { assertIsaName } from '../probe';
import type { Float32Input, Float32Tensor, IntInput, QuantScheme, QuantizedTensor, ScaleInput, ZeroPointInput } from '../tensor';
import { float32Tensor, viewFloat32, viewTensor } from '../tensor';
import type { LayoutOptions, LayoutPlan } from './layout';
import { planLayout } from './layout';
import { dtypeOfZeroPoint, readScales, readZeroPoints } from './scalars';

export interface QuantizeLinearOptions extends LayoutOptions {
  /** Output type when the zero point does not imply one; ONNX's default is uint8. */
  dtype?: IntQuantDType;
  /** Clamp to a sub-range of the dtype (narrow or reduced ranges); default the full range. */
  range?: readonly [number, number];
  /** Run on this path instead of the active one (tests, benchmarks). */
  isa?: IsaName;
  /** Scheme to record on the result (set by quantize()). */
  scheme?: QuantScheme;
  /**
   * Where to write the codes of int8 / uint8 outputs (an Int8Array / Uint8Array of x's length),
   * so repeated calls allocate nothing. Ignored for sub-byte types, whose codes are packed.
   */
  out?: Int8Array | Uint8Array;
}

function checkIsa(isa: unknown): IsaName | undefined {
  if (isa === undefined) return undefined;
  assertIsaName(isa);
  return isa;
}

function checkRange(dtype: IntQuantDType, range: readonly [number, number] | undefined, zeroPoint: Int32Array): [number, number] {
  const [lo, hi] = INT_RANGES[dtype];
  if (range === undefined) return [lo, hi];
  const [qmin, qmax] = range;
  if (!Number.isInteger(qmin) || !Number.isInteger(qmax) || qmin < lo || qmax > hi || qmin > qmax) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'range', `integers with ${lo} <= qmin <= qmax <= ${hi}`, `[${qmin}, ${qmax}]`);
  }
  for (const z of zeroPoint) {
    if (z < qmin || z > qmax) {
      throw new QuantaError('ERR_QUANTA_INVALID_ZERO_POINT', `zeroPoint ${z} lies outside range [${qmin}, ${qmax}]`);
    }
  }
  return [qmin, qmax];
}

/** Quantizes float32 `x` with given scale(s) and zero point(s) (ONNX QuantizeLinear). */
export function quantizeLinear(
  x: Float32Input,
  scale: ScaleInput,
  zeroPoint?: ZeroPointInput,
  options: QuantizeLinearOptions = {},
): QuantizedTensor {
  const input = viewFloat32(x, 'x');
  const scales = readScales(scale);
  const implied = dtypeOfZeroPoint(zeroPoint);
  if (options.dtype !== undefined && !isIntQuantDType(options.dtype)) {
    throw invalid('ERR_QUANTA_INVALID_DTYPE', 'dtype', 'one of int8, uint8, int4, uint4, int2, uint2', options.dtype);
  }
  if (implied !== undefined && options.dtype !== undefined && implied !== options.dtype) {
    throw new QuantaError('ERR_QUANTA_INVALID_DTYPE', `zeroPoint is ${implied} but dtype is ${options.dtype}`);
  }
  const dtype = implied ?? options.dtype ?? 'uint8';
  const plan = planLayout(input.dims, scales.data.length, options, scales.dims);
  const zp = readZeroPoints(zeroPoint, plan.scaleCount, dtype);
  const [qmin, qmax] = checkRange(dtype, options.range, zp);
  const isa = checkIsa(options.isa);

  const n = input.data.length;
  const wholeBytes = INT_BITS[dtype] === 8;
  const out = wholeBytes ? options.out : undefined;
  const codes = isSigned(dtype) ? outputArray(Int8Array, n, out) : outputArray(Uint8Array, n, out);
  callNative((native) =>
    native.quantizeLinear(input.data, scales.data, zp, codes, plan.outer, plan.axisLength, plan.inner, plan.layout, plan.block, qmin, qmax, isa),
  );
  return {
    dtype,
    dims: input.dims,
    data: wholeBytes ? codes : packCodes(dtype, codes),
    scale: scales.data,
    zeroPoint: zp,
    axis: plan.axis,
    blockSize: plan.blockSize,
    scheme: options.scheme ?? { symmetric: zp.every((z) => z === 0), profile: 'onnx', qmin, qmax, reduceRange: false },
  };
}

export interface DequantizeLinearOptions extends LayoutOptions {
  isa?: IsaName;
  /** Where to write the result (a Float32Array of the element count). */
  out?: Float32Array;
}

function isQuantizedTensor(x: unknown): x is QuantizedTensor {
  const q = x as QuantizedTensor;
  return typeof q === 'object' && q !== null && isIntQuantDType(q.dtype) && q.scale instanceof Float32Array && q.zeroPoint instanceof Int32Array && Array.isArray(q.dims);
}

/** Codes of any integer dtype, one per byte, from a QuantizedTensor or an int tensor. */
function readCodes(x: unknown): { dtype: IntQuantDType; codes: Int8Array | Uint8Array; dims: number[] } {
  if (isQuantizedTensor(x)) {
    const n = x.dims.reduce((a, b) => a * b, 1);
    const codes = INT_BITS[x.dtype] === 8 ? x.data : unpackCodes(x.dtype, x.data as Uint8Array, n);
    return { dtype: x.dtype, codes, dims: x.dims };
  }
  const t = viewTensor(x, 'x');
  if (t.type === 'int4' || t.type === 'uint4') {
    const n = t.dims.reduce((a, b) => a * b, 1);
    return { dtype: t.type, codes: unpackCodes(t.type, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), n), dims: t.dims };
  }
  if (t.data instanceof Int8Array) return { dtype: 'int8', codes: t.data, dims: t.dims };
  if (t.data instanceof Uint8Array) return { dtype: 'uint8', codes: t.data, dims: t.dims };
  throw invalid('ERR_QUANTA_INVALID_DTYPE', 'x', 'an int8/uint8/int4/uint4 tensor or a QuantizedTensor', t.data);
}

/**
 * Dequantizes (ONNX DequantizeLinear). Pass a QuantizedTensor alone, or codes with scale and
 * zero point (and axis / blockSize) as ONNX does.
 */
export function dequantizeLinear(
  x: QuantizedTensor | IntInput,
  scale?: ScaleInput,
  zeroPoint?: ZeroPointInput,
  options: DequantizeLinearOptions = {},
): Float32Tensor {
  const { dtype, codes, dims } = readCodes(x);
  let scales: { data: Float32Array; dims: number[] | undefined };
  let zp: Int32Array;
  let plan: LayoutPlan;
  if (isQuantizedTensor(x) && scale === undefined) {
    scales = readScales(x.scale, 'x.scale', true);
    plan = planLayout(dims, scales.data.length, { axis: x.axis ?? undefined, blockSize: x.blockSize ?? undefined });
    zp = readZeroPoints(x.zeroPoint, plan.scaleCount, dtype, 'x.zeroPoint');
  } else {
    scales = readScales(scale, 'scale', true);
    plan = planLayout(dims, scales.data.length, options, scales.dims);
    zp = readZeroPoints(zeroPoint, plan.scaleCount, dtype);
  }
  const isa = checkIsa(options.isa);
  const y = outputArray(Float32Array, codes.length, options.out);
  // Sub-byte codes were unpacked to bytes of the matching signedness.
  callNative((native) =>
    native.dequantizeLinear(codes, scales.data, zp, y, plan.outer, plan.axisLength, plan.inner, plan.layout, plan.block, isa),
  );
  return float32Tensor(y, dims);
}

export interface DynamicQuantizeResult {
  y: QuantizedTensor;
  scale: number;
  zeroPoint: number;
}

/**
 * ONNX DynamicQuantizeLinear (uint8) exactly as onnxruntime computes it, in float32: the range is
 * [min(0, min x), max(0, max x)] with NaN skipped; scale = max == min ? 1 : (max - min) / 255;
 * zero point = round_half_even(clamp(0 - min / scale, 0, 255)); then QuantizeLinear. So an
 * all-zero (or empty) input gives scale 1, zero point 0, codes 0. Ranges whose scale underflows
 * to 0 or overflows to +Inf follow the same arithmetic (see degenerateDynamicQuantize). Infinite
 * inputs are rejected: no finite scale exists for them.
 */
export function dynamicQuantizeLinear(x: Float32Input, options: { isa?: IsaName } = {}): DynamicQuantizeResult {
  const input = viewFloat32(x, 'x');
  let min = 0;
  let max = 0;
  for (let i = 0; i < input.data.length; i++) {
    const v = input.data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (!Number.isFinite(min) || !Number.isFinite(max)) {
    throw new QuantaError('ERR_QUANTA_NON_FINITE', 'x contains an infinity: DynamicQuantizeLinear has no finite scale for it');
  }
  const f32 = Math.fround;
  const scale = max === min ? 1 : f32(f32(max - min) / 255);
  // Clamped before rounding as onnxruntime does; a NaN (0 / 0 when the scale underflows)
  // becomes 255 there through std::min(255, NaN) == 255. `+ 0` turns -0 into 0.
  const initial = f32(0 - f32(min / scale));
  const zeroPoint = Number.isNaN(initial) ? 255 : roundHalfEven(Math.max(0, Math.min(255, initial))) + 0;
  if (scale > 0 && Number.isFinite(scale)) {
    const y = quantizeLinear(x, scale, new Uint8Array([zeroPoint]), options);
    return { y, scale, zeroPoint };
  }
  return degenerateDynamicQuantize(input, scale, zeroPoint);
}

/**
 * DynamicQuantizeLinear when the scale underflowed to 0 or overflowed to +Inf (ranges near
 * float32's limits), with the kernels' rules applied to x / scale in float32: +-Inf saturate,
 * NaN (0 / 0) is the lowest code.
 */
function degenerateDynamicQuantize(input: { data: Float32Array; dims: number[] }, scale: number, zeroPoint: number): DynamicQuantizeResult {
  const codes = new Uint8Array(input.data.length);
  input.data.forEach((v, i) => {
    const q = Math.fround(v / scale);
    codes[i] = Number.isNaN(q) ? 0 : Math.max(0, Math.min(255, roundHalfEven(q) + zeroPoint));
  });
  const y: QuantizedTensor = {
    dtype: 'uint8', dims: input.dims, data: codes, scale: new Float32Array([scale]), zeroPoint: new Int32Array([zeroPoint]),
    axis: null, blockSize: null, scheme: { symmetric: false, profile: 'onnx', qmin: 0, qmax: 255, reduceRange: false },
  };
  return { y, scale, zeroPoint };
}
