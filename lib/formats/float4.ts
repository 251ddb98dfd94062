/**
 * FLOAT4E2M1 (ONNX opset 23; OCP MX E2M1), following ONNX's float4 conversion table
 * (docs/docsgen/source/technical/float4.md and onnx.numpy_helper's float32 -> float4e2m1):
 * values {0, 0.5, 1, 1.5, 2, 3, 4, 6} with a sign bit; round to nearest even; always saturating,
 * |x| > 6 and +-Inf to +-6; NaN to +6 (code 0x7: the format has no NaN); -0 stays -0 (0x8).
 * Codes are packed two per byte in ONNX order: element 2i in the low nibble; an odd tail leaves
 * the high nibble 0.
 */
import type { LayoutOptions } from '../ops/layout';
import { planLayout } from '../ops/layout';
import { readScales } from '../ops/scalars';
import type { Float32Tensor } from '../tensor';
import { float32Tensor, sizeOf, viewFloat32 } from '../tensor';
import { QuantaError, invalid } from '../errors';
import { packNibbles, packedLength, unpackNibbles } from './bitpack';
import { dequantizeMinifloat, quantizeMinifloat } from './float8';
import { FLOAT4E2M1, encodeValue, signBits } from './minifloat';
import type { Float4Tensor } from './types';

/** ONNX Cast float32 -> float4e2m1, packed two per byte (ONNX order). */
export function castToFloat4e2m1(x: unknown): Uint8Array {
  const { data } = viewFloat32(x, 'x');
  const bits = signBits(data);
  const codes = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) codes[i] = encodeValue(FLOAT4E2M1, data[i]!, bits[i]! >>> 31 === 1, true);
  return packNibbles(codes);
}

/** ONNX Cast float4e2m1 -> float32 (exact) for `count` codes packed in ONNX order. */
export function float4e2m1ToFloat32(packed: Uint8Array, count: number): Float32Array {
  checkPacked(packed, count, 'packed');
  const codes = unpackNibbles(packed, count);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = FLOAT4E2M1.values[codes[i]!]!;
  return out;
}

/** ONNX QuantizeLinear to float4e2m1 (opset 23): y = cast(x / scale), zero point 0. */
export function quantizeFloat4e2m1(x: unknown, scale: unknown, options: LayoutOptions = {}): Float4Tensor {
  const input = viewFloat32(x, 'x');
  const scales = readScales(scale);
  const plan = planLayout(input.dims, scales.data.length, options, scales.dims);
  const codes = quantizeMinifloat(FLOAT4E2M1, input.data, scales.data, plan, true);
  return { dtype: 'float4e2m1', dims: input.dims, data: packNibbles(codes), scale: scales.data, axis: plan.axis, blockSize: plan.blockSize };
}

/** ONNX DequantizeLinear from float4e2m1: x = float(y) * scale in float32. */
export function dequantizeFloat4e2m1(q: Float4Tensor): Float32Tensor {
  if (q?.dtype !== 'float4e2m1') throw invalid('ERR_QUANTA_INVALID_DTYPE', 'q.dtype', 'float4e2m1', q?.dtype);
  const n = sizeOf(q.dims, 'q');
  checkPacked(q.data, n, 'q.data');
  const scales = readScales(q.scale, 'q.scale');
  const plan = planLayout(q.dims, scales.data.length, { axis: q.axis ?? undefined, blockSize: q.blockSize ?? undefined });
  return float32Tensor(dequantizeMinifloat(FLOAT4E2M1, unpackNibbles(q.data, n), scales.data, plan), [...q.dims]);
}

function checkPacked(packed: unknown, count: number, name: string): void {
  if (!(packed instanceof Uint8Array)) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, 'a Uint8Array', packed);
  if (!Number.isSafeInteger(count) || count < 0) throw invalid('ERR_QUANTA_INVALID_ARGUMENT', 'count', 'a non-negative integer', count);
  if (packed.length !== packedLength(count, 4)) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `${name} must have ${packedLength(count, 4)} bytes for ${count} 4-bit codes, received ${packed.length}`);
  }
}
