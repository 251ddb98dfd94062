/**
 * Packing codes narrower than a byte. The stream is little-endian and LSB first: code i occupies
 * bits [i * bits, (i + 1) * bits) of the byte string, which for 4-bit codes is ONNX's order
 * (element 2i in the low nibble), for 2-bit codes element 4i in bits 0-1, and for 1-bit codes
 * element 8i in bit 0. Other widths (3, 5, 6, 7) may straddle a byte boundary. Unused high bits
 * of the last byte are zero. bitsandbytes' 4-bit order (element 2i in the HIGH nibble) is a
 * separate, named layout.
 */
import type { NibbleOrder } from './types';

/** Bytes that `count` codes of `bits` bits take. */
export function packedLength(count: number, bits: number): number {
  return Math.ceil((count * bits) / 8);
}

/** Packs the low `bits` bits of each code (1 <= bits <= 8) into an LSB-first stream. */
export function packBits(codes: Uint8Array, bits: number, count = codes.length): Uint8Array {
  const out = new Uint8Array(packedLength(count, bits));
  const mask = (1 << bits) - 1;
  for (let i = 0; i < count; i++) {
    const bit = i * bits;
    const byte = bit >>> 3;
    const shift = bit & 7;
    const v = (codes[i]! & mask) << shift;
    out[byte]! |= v & 0xff;
    if (shift + bits > 8) out[byte + 1]! |= v >>> 8;
  }
  return out;
}

/** Unpacks `count` codes of `bits` bits from an LSB-first stream, one per byte. */
export function unpackBits(packed: Uint8Array, bits: number, count: number): Uint8Array {
  const out = new Uint8Array(count);
  const mask = (1 << bits) - 1;
  for (let i = 0; i < count; i++) {
    const bit = i * bits;
    const byte = bit >>> 3;
    const shift = bit & 7;
    const word = packed[byte]! | (shift + bits > 8 ? packed[byte + 1]! << 8 : 0);
    out[i] = (word >>> shift) & mask;
  }
  return out;
}

/** Packs 4-bit codes two per byte in `order` ('onnx': element 2i low; 'bitsandbytes': high). */
export function packNibbles(codes: Uint8Array, order: NibbleOrder = 'onnx', count = codes.length): Uint8Array {
  const out = new Uint8Array(packedLength(count, 4));
  const first = order === 'onnx' ? 0 : 4;
  for (let i = 0; i < count; i++) out[i >> 1]! |= (codes[i]! & 15) << (i & 1 ? 4 - first : first);
  return out;
}

/** Unpacks `count` 4-bit codes packed in `order`. */
export function unpackNibbles(packed: Uint8Array, count: number, order: NibbleOrder = 'onnx'): Uint8Array {
  const out = new Uint8Array(count);
  const first = order === 'onnx' ? 0 : 4;
  for (let i = 0; i < count; i++) out[i] = (packed[i >> 1]! >> (i & 1 ? 4 - first : first)) & 15;
  return out;
}

/**
 * Re-packs 4-bit codes from one order to the other (swaps the nibbles of every byte). A trailing
 * odd element moves to the other nibble too, as each layout puts it in its own first slot.
 */
export function convertNibbleOrder(packed: Uint8Array, count: number, from: NibbleOrder, to: NibbleOrder): Uint8Array {
  return from === to ? packed.slice() : packNibbles(unpackNibbles(packed, count, from), to, count);
}
