/**
 * Sub-byte packing in ONNX order: for 4-bit types element 2i is the low nibble of byte i and
 * element 2i+1 the high nibble; 2-bit types put element 4i in bits 0-1, 4i+1 in bits 2-3 and so
 * on. An odd tail leaves the unused high bits zero. Codes are two's complement for signed types.
 */
import type { IntQuantDType } from './dtypes';
import { INT_BITS, isSigned, packedByteLength } from './dtypes';

/** Packs one code per byte (Int8Array / Uint8Array) into `dtype`'s sub-byte layout. */
export function packCodes(dtype: IntQuantDType, codes: Int8Array | Uint8Array, count = codes.length): Uint8Array {
  const bits = INT_BITS[dtype];
  if (bits === 8) throw new Error('packCodes is for sub-byte types');
  const out = new Uint8Array(packedByteLength(dtype, count));
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  for (let i = 0; i < count; i++) {
    out[(i / perByte) | 0]! |= (codes[i]! & mask) << ((i % perByte) * bits);
  }
  return out;
}

/** Unpacks `count` codes of `dtype` to one per byte, sign-extending signed types. */
export function unpackCodes(dtype: IntQuantDType, packed: Uint8Array, count: number): Int8Array | Uint8Array {
  const bits = INT_BITS[dtype];
  const perByte = 8 / bits;
  const mask = (1 << bits) - 1;
  const signed = isSigned(dtype);
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  const shiftBack = 32 - bits;
  for (let i = 0; i < count; i++) {
    const v = (packed[(i / perByte) | 0]! >> ((i % perByte) * bits)) & mask;
    out[i] = signed ? (v << shiftBack) >> shiftBack : v;
  }
  return out;
}
