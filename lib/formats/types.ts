/**
 * Result types of the non-integer formats. Each carries what is needed to read its codes back:
 * dtype, the input's dims, the codes (packed where sub-byte) and the scales with their layout,
 * in the shape QuantizedTensor (lib/tensor.ts) uses for the integer types.
 */

/** The ONNX float dtypes quanta quantizes to. */
export type Float8DType = 'float8e4m3fn' | 'float8e5m2';
export type FormatDType = Float8DType | 'float4e2m1' | 'nf4' | 'pow2' | 'binary';

/** How 4-bit codes share a byte: ONNX puts element 2i in the low nibble, bitsandbytes in the high one. */
export type NibbleOrder = 'onnx' | 'bitsandbytes';

/** Fields every format result has. */
interface FormatTensorBase {
  dims: number[];
  /** Codes, packed as the format's doc says. */
  data: Uint8Array;
  /**
   * Float32 scales laid out as ONNX expects them: one (per tensor), one per index of `axis`, or
   * with `blockSize` the input's shape with dims[axis] = ceil(dims[axis] / blockSize).
   */
  scale: Float32Array;
  axis: number | null;
  blockSize: number | null;
}

/** OCP FP8 codes, one per byte: y = fp8(x / scale) (ONNX QuantizeLinear, zero point 0). */
export interface Float8Tensor extends FormatTensorBase {
  dtype: Float8DType;
  /** Whether out-of-range values were clamped to +-max (ONNX `saturate`). */
  saturate: boolean;
}

/** FLOAT4E2M1 codes, two per byte in ONNX order (element 2i in the low nibble). */
export interface Float4Tensor extends FormatTensorBase {
  dtype: 'float4e2m1';
}

/**
 * bitsandbytes NF4: blocks of `blockSize` consecutive elements of the flattened tensor, each
 * with its absmax as the scale (so `axis` is null). Packed two per byte in `order`.
 */
export interface Nf4Tensor extends FormatTensorBase {
  dtype: 'nf4';
  axis: null;
  blockSize: number;
  order: NibbleOrder;
}

/** Power-of-two codes: sign bit and exponent field, `bits` wide, packed LSB first. */
export interface Pow2Tensor extends FormatTensorBase {
  dtype: 'pow2';
  bits: number;
}

/** XNOR-Net binary codes: one bit per value (1 for x >= 0), element 8i in bit 0 of byte i. */
export interface BinaryTensor extends FormatTensorBase {
  dtype: 'binary';
}

export type FormatTensor = Float8Tensor | Float4Tensor | Nf4Tensor | Pow2Tensor | BinaryTensor;
