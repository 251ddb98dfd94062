import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { convertNibbleOrder, dequantizeFormat, packBits, packNibbles, quantizeFloat8, quantizeNf4, unpackBits, unpackNibbles } from '../../lib/formats/index.js';

describe('bit packing', () => {
  it('round-trips every width from 1 to 8 bits', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 70 }), (bits, values) => {
        const codes = Uint8Array.from(values.map((v) => v & ((1 << bits) - 1)));
        const packed = packBits(codes, bits);
        expect(packed.length).toBe(Math.ceil((codes.length * bits) / 8));
        expect(Array.from(unpackBits(packed, bits, codes.length))).toEqual(Array.from(codes));
      }),
    );
  });

  it('uses ONNX order for nibbles and bitsandbytes order on request', () => {
    const codes = Uint8Array.from([1, 2, 3]);
    expect(Array.from(packNibbles(codes))).toEqual([0x21, 0x03]);
    expect(Array.from(packBits(codes, 4))).toEqual([0x21, 0x03]);
    expect(Array.from(packNibbles(codes, 'bitsandbytes'))).toEqual([0x12, 0x30]);
    expect(Array.from(unpackNibbles(Uint8Array.from([0x12, 0x30]), 3, 'bitsandbytes'))).toEqual([1, 2, 3]);
    expect(Array.from(convertNibbleOrder(Uint8Array.from([0x21, 0x03]), 3, 'onnx', 'bitsandbytes'))).toEqual([0x12, 0x30]);
  });

  it('dequantizeFormat dispatches on dtype', () => {
    const x = new Float32Array([0.5, -1, 2]);
    expect(Array.from(dequantizeFormat(quantizeFloat8(x, 1)).data)).toEqual([0.5, -1, 2]);
    expect(dequantizeFormat(quantizeNf4(x)).data[2]).toBe(2);
    expect(() => dequantizeFormat({ dtype: 'int8' } as never)).toThrowError(expect.objectContaining({ code: 'ERR_QUANTA_INVALID_DTYPE' }));
  });
});
