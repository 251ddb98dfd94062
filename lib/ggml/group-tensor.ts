/** Checks that a QuantizedTensor has exactly the structure of ggml blocks. */
import type { IntQuantDType } from '../dtypes';
import { QuantaError, invalid } from '../errors';
import type { QuantizedTensor, QuantScheme } from '../tensor';
import { sizeOf } from '../tensor';
import { GGML_BLOCK_VALUES, checkBlockDims } from './blocks';

/** The scheme recorded on tensors made from ggml blocks: given parameters, symmetric. */
export function ggmlScheme(qmin: number, qmax: number): QuantScheme {
  return { symmetric: true, profile: 'onnx', qmin, qmax, reduceRange: false };
}

/**
 * A QuantizedTensor of `dtype` quantized in groups of 32 along its last axis with every zero
 * point 0 (ggml blocks have no zero point and no partial block); returns its element count.
 */
export function checkGroupTensor(q: QuantizedTensor, dtype: IntQuantDType, name: string): number {
  if (typeof q !== 'object' || q === null || !Array.isArray(q.dims)) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, 'a QuantizedTensor', q);
  }
  if (q.dtype !== dtype) throw invalid('ERR_QUANTA_INVALID_DTYPE', `${name}.dtype`, `'${dtype}'`, q.dtype);
  const count = sizeOf(q.dims, name);
  if (count === 0) throw new QuantaError('ERR_QUANTA_EMPTY_TENSOR', `${name} must not be empty`);
  const last = q.dims.length - 1;
  if (q.blockSize !== GGML_BLOCK_VALUES || (q.axis !== last && q.axis !== -1)) {
    throw new QuantaError(
      'ERR_QUANTA_INVALID_ARGUMENT',
      `${name} must be quantized in groups of 32 along its last axis (axis ${last}, blockSize 32), received axis ${q.axis} and blockSize ${q.blockSize}`,
    );
  }
  checkBlockDims(q.dims, name);
  const groups = count / GGML_BLOCK_VALUES;
  if (!(q.scale instanceof Float32Array) || q.scale.length !== groups) {
    throw invalid('ERR_QUANTA_INVALID_SHAPE', `${name}.scale`, `a Float32Array of ${groups} scales`, q.scale);
  }
  if (!(q.zeroPoint instanceof Int32Array) || q.zeroPoint.length !== groups) {
    throw invalid('ERR_QUANTA_INVALID_SHAPE', `${name}.zeroPoint`, `an Int32Array of ${groups} zero points`, q.zeroPoint);
  }
  const nonzero = q.zeroPoint.findIndex((z) => z !== 0);
  if (nonzero >= 0) {
    throw invalid('ERR_QUANTA_INVALID_ZERO_POINT', `${name}.zeroPoint[${nonzero}]`, '0 (ggml blocks are symmetric)', q.zeroPoint[nonzero]);
  }
  return count;
}
