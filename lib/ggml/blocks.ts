/**
 * ggml block tensors: the raw bytes of ggml's block_q8_0 / block_q4_0 arrays
 * (ggml/src/ggml-common.h), with the logical shape of the float tensor they encode.
 */
import { QuantaError, describe, invalid } from '../errors';
import { sizeOf } from '../tensor';

/** Values per block for both formats (QK8_0 = QK4_0 = 32). */
export const GGML_BLOCK_VALUES = 32;
/** Bytes per block_q8_0: fp16 d, then 32 int8 codes. */
export const GGML_Q8_0_BLOCK_BYTES = 34;
/** Bytes per block_q4_0: fp16 d, then 16 bytes; byte j holds value j (low nibble) and j+16 (high). */
export const GGML_Q4_0_BLOCK_BYTES = 18;

export type GgmlBlockType = 'q8_0' | 'q4_0';

/**
 * A ggml-quantized tensor. `dims` is the float tensor's shape in ONNX / NumPy order (last axis
 * contiguous; ggml calls it ne[0]); blocks of 32 run along it, so it must be a multiple of 32.
 * `data` is what llama.cpp writes into a GGUF tensor of this type, byte for byte
 * (little-endian fp16 scales, as on every platform ggml ships for).
 */
export interface GgmlTensor {
  type: GgmlBlockType;
  dims: number[];
  data: Uint8Array;
}

export function blockBytes(type: GgmlBlockType): number {
  return type === 'q8_0' ? GGML_Q8_0_BLOCK_BYTES : GGML_Q4_0_BLOCK_BYTES;
}

/** Checks that the last dimension can be cut into whole blocks (ggml asserts the same). */
export function checkBlockDims(dims: readonly number[], name: string): void {
  const row = dims.length === 0 ? 1 : dims[dims.length - 1]!;
  if (row === 0 || row % GGML_BLOCK_VALUES !== 0) {
    throw invalid('ERR_QUANTA_INVALID_SHAPE', `${name}.dims[${dims.length - 1}]`, 'a positive multiple of 32 (ggml blocks hold 32 values; pad rows with zeros first)', row);
  }
}

/**
 * A GgmlTensor of `type` (or a bare Uint8Array of whole blocks, read as a 1-D tensor), with its
 * byte length checked against its dims; blocks are used in place, never copied.
 */
export function readGgmlTensor(x: unknown, type: GgmlBlockType, name: string): GgmlTensor {
  const bytes = blockBytes(type);
  if (x instanceof Uint8Array) {
    if (x.length === 0) throw new QuantaError('ERR_QUANTA_EMPTY_TENSOR', `${name} must not be empty`);
    if (x.length % bytes !== 0) {
      throw invalid('ERR_QUANTA_INVALID_SHAPE', `${name}.length`, `a multiple of ${bytes} (whole ${type} blocks)`, x.length);
    }
    return { type, dims: [(x.length / bytes) * GGML_BLOCK_VALUES], data: x };
  }
  const t = x as GgmlTensor;
  if (typeof t !== 'object' || t === null || !(t.data instanceof Uint8Array) || !Array.isArray(t.dims)) {
    throw invalid('ERR_QUANTA_INVALID_ARGUMENT', name, `a ${type} GgmlTensor { type, dims, data: Uint8Array } or a Uint8Array of blocks`, x);
  }
  if (t.type !== type) throw invalid('ERR_QUANTA_INVALID_DTYPE', `${name}.type`, `'${type}'`, t.type);
  const count = sizeOf(t.dims, name);
  if (count === 0) throw new QuantaError('ERR_QUANTA_EMPTY_TENSOR', `${name} must not be empty, received dims [${t.dims.join(', ')}]`);
  checkBlockDims(t.dims, name);
  const wanted = (count / GGML_BLOCK_VALUES) * bytes;
  if (t.data.length !== wanted) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `${name}.data must have ${wanted} bytes for dims [${t.dims.join(', ')}], received ${describe(t.data)}`);
  }
  return { type, dims: [...t.dims], data: t.data };
}

export function viewOf(data: Uint8Array): DataView {
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}
