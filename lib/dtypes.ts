/** Integer quantized dtypes (ONNX names), their ranges and storage. */

export const INT_QUANT_DTYPES = ['int8', 'uint8', 'int4', 'uint4', 'int2', 'uint2'] as const;
export type IntQuantDType = (typeof INT_QUANT_DTYPES)[number];

/** The full range of each dtype: what ONNX QuantizeLinear saturates to. */
export const INT_RANGES: Record<IntQuantDType, readonly [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int4: [-8, 7],
  uint4: [0, 15],
  int2: [-2, 1],
  uint2: [0, 3],
};

export const INT_BITS: Record<IntQuantDType, number> = { int8: 8, uint8: 8, int4: 4, uint4: 4, int2: 2, uint2: 2 };

export function isIntQuantDType(value: unknown): value is IntQuantDType {
  return typeof value === 'string' && (INT_QUANT_DTYPES as readonly string[]).includes(value);
}

export function isSigned(dtype: IntQuantDType): boolean {
  return dtype.startsWith('int');
}

/** Bytes that `count` codes of `dtype` occupy, packed (sub-byte types fill bytes from bit 0). */
export function packedByteLength(dtype: IntQuantDType, count: number): number {
  return Math.ceil((count * INT_BITS[dtype]) / 8);
}
