/** One entry point that reads back any format result by its dtype. */
import { invalid } from '../errors';
import type { Float32Tensor } from '../tensor';
import { dequantizeBinary } from './binary';
import { dequantizeFloat4e2m1 } from './float4';
import { dequantizeFloat8 } from './float8';
import { dequantizeNf4 } from './nf4';
import { dequantizePow2 } from './pow2';
import type { FormatTensor } from './types';

/** Dequantizes a result of quantizeFloat8, quantizeFloat4e2m1, quantizeNf4, quantizePow2 or quantizeBinary. */
export function dequantizeFormat(q: FormatTensor): Float32Tensor {
  switch (q?.dtype) {
    case 'float8e4m3fn':
    case 'float8e5m2':
      return dequantizeFloat8(q);
    case 'float4e2m1':
      return dequantizeFloat4e2m1(q);
    case 'nf4':
      return dequantizeNf4(q);
    case 'pow2':
      return dequantizePow2(q);
    case 'binary':
      return dequantizeBinary(q);
    default:
      throw invalid('ERR_QUANTA_INVALID_DTYPE', 'q.dtype', 'one of float8e4m3fn, float8e5m2, float4e2m1, nf4, pow2, binary', (q as { dtype?: unknown } | undefined)?.dtype);
  }
}
