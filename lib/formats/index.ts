// The non-integer formats: OCP FP8 and FP4 (ONNX semantics), bitsandbytes NF4, power-of-two
// and XNOR-Net binary. Re-exported from lib/index.ts.
export type {
  Float8DType, FormatDType, NibbleOrder, FormatTensor,
  Float8Tensor, Float4Tensor, Nf4Tensor, Pow2Tensor, BinaryTensor,
} from './types';

export { castToFloat8, float8ToFloat32, quantizeFloat8, dequantizeFloat8 } from './float8';
export type { Float8CastOptions, QuantizeFloat8Options } from './float8';
export { castToFloat4e2m1, float4e2m1ToFloat32, quantizeFloat4e2m1, dequantizeFloat4e2m1 } from './float4';
export { NF4_TABLE, quantizeNf4, dequantizeNf4 } from './nf4';
export type { QuantizeNf4Options } from './nf4';
export { quantizePow2, dequantizePow2 } from './pow2';
export type { QuantizePow2Options } from './pow2';
export { quantizeBinary, dequantizeBinary } from './binary';
export type { QuantizeBinaryOptions } from './binary';
export { packBits, unpackBits, packNibbles, unpackNibbles, convertNibbleOrder } from './bitpack';
export { dequantizeFormat } from './dequantize';
