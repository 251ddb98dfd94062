/** Q4_0 / Q8_0 blocks <-> quanta int4 / int8 group tensors: lossless both ways, checked bit for bit. */
import { describe, expect, it } from 'vitest';

import { int4ToQ4_0, int8ToQ8_0, q4_0ToInt4, q8_0ToInt8 } from '../../lib/ggml/index.js';
import { dequantizeLinear, quantize, unpackCodes } from '../../lib/index.js';
import type { QuantizedTensor } from '../../lib/index.js';
import { bitsNaNFolded, loadFixture } from './fixture.js';

const fixture = loadFixture();

/** (code - zero point) * scale per group of 32, in float32: what ONNX DequantizeLinear computes. */
function dequantizeGroups(q: QuantizedTensor): Float32Array {
  const n = q.dims.reduce((a, b) => a * b, 1);
  const codes = q.dtype === 'int4' ? unpackCodes('int4', q.data as Uint8Array, n) : q.data;
  return Float32Array.from(codes, (c, i) => (c - q.zeroPoint[i >> 5]!) * q.scale[i >> 5]!);
}

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'no error';
};

describe('Q4_0 <-> int4 group tensors', () => {
  for (const c of fixture.cases) {
    it(`keeps every value and every byte: ${c.name}`, () => {
      const q = q4_0ToInt4(c.q4_0);
      expect(q).toMatchObject({ dtype: 'int4', dims: [c.count], axis: 0, blockSize: 32 });
      expect(q.scheme).toEqual({ symmetric: true, profile: 'onnx', qmin: -8, qmax: 7, reduceRange: false });
      expect(Array.from(q.zeroPoint).every((z) => z === 0)).toBe(true);
      expect(bitsNaNFolded(dequantizeGroups(q))).toEqual(bitsNaNFolded(c.dequantizedQ4_0));
      expect(Buffer.from(int4ToQ4_0(q).data).equals(Buffer.from(c.q4_0))).toBe(true);
    });
  }

  it('puts element 2i in the low nibble (ONNX order) with code = nibble - 8', () => {
    const block = new Uint8Array(18);
    block.set([0x00, 0x3c]); // d = 1
    for (let j = 0; j < 16; j++) block[2 + j] = j | ((15 - j) << 4); // value j: nibble j, value j+16: nibble 15-j
    const q = q4_0ToInt4(block);
    const codes = Array.from(unpackCodes('int4', q.data as Uint8Array, 32));
    expect(codes).toEqual([...Array.from({ length: 16 }, (_, j) => j - 8), ...Array.from({ length: 16 }, (_, j) => 7 - j)]);
    expect(q.data[0]).toBe(((0 - 8) & 15) | (((1 - 8) & 15) << 4));
  });

  it('turns a quanta int4 group tensor into Q4_0 when its scales are fp16, or when told to round them', () => {
    const x = { type: 'float32', data: fixture.cases[2]!.x, dims: [4, 32] };
    const q = quantize(x, { dtype: 'int4', symmetric: true, axis: 1, groupSize: 32 });
    expect(code(() => int4ToQ4_0(q))).toBe('ERR_QUANTA_INVALID_SCALE');
    const blocks = int4ToQ4_0(q, { roundScales: true });
    expect(blocks.dims).toEqual([4, 32]);
    const back = q4_0ToInt4(blocks);
    expect(Array.from(back.data)).toEqual(Array.from(q.data));
    for (let g = 0; g < 4; g++) expect(Math.abs(back.scale[g]! - q.scale[g]!) / q.scale[g]!).toBeLessThanOrEqual(2 ** -11);
  });

  it('rejects tensors with no Q4_0 form', () => {
    const q = q4_0ToInt4(fixture.cases[0]!.q4_0);
    expect(code(() => int4ToQ4_0({ ...q, zeroPoint: Int32Array.from(q.zeroPoint, (_, i) => (i === 3 ? 1 : 0)) }))).toBe('ERR_QUANTA_INVALID_ZERO_POINT');
    expect(code(() => int4ToQ4_0({ ...q, blockSize: 64, scale: q.scale.subarray(0, 4), zeroPoint: q.zeroPoint.subarray(0, 4) }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(code(() => int4ToQ4_0({ ...q, axis: null }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(code(() => int4ToQ4_0({ ...q, dtype: 'uint4' }))).toBe('ERR_QUANTA_INVALID_DTYPE');
    expect(code(() => int4ToQ4_0({ ...q, scale: q.scale.subarray(1) }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(code(() => int4ToQ4_0({ ...q, data: q.data.subarray(1) }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(code(() => int4ToQ4_0({ ...q, scale: q.scale.map((s, i) => (i === 0 ? NaN : s)) }))).toBe('ERR_QUANTA_INVALID_SCALE');
  });
});

describe('Q8_0 <-> int8 group tensors', () => {
  for (const c of fixture.cases) {
    it(`keeps every value and every byte: ${c.name}`, () => {
      const q = q8_0ToInt8(c.q8_0);
      expect(q).toMatchObject({ dtype: 'int8', dims: [c.count], axis: 0, blockSize: 32 });
      expect(q.data).toBeInstanceOf(Int8Array);
      expect(bitsNaNFolded(dequantizeGroups(q))).toEqual(bitsNaNFolded(c.dequantizedQ8_0));
      expect(Buffer.from(int8ToQ8_0(q).data).equals(Buffer.from(c.q8_0))).toBe(true);
    });
  }

  it('reads back through ONNX DequantizeLinear (blocked, opset 21) exactly where scales are > 0', () => {
    const c = fixture.cases[0]!;
    const q = q8_0ToInt8({ type: 'q8_0', dims: [2, 128], data: c.q8_0 });
    const y = dequantizeLinear(q);
    expect(y.dims).toEqual([2, 128]);
    expect(bitsNaNFolded(y.data)).toEqual(bitsNaNFolded(c.dequantizedQ8_0));
  });

  it('carries -128 (which ggml reads but never writes) and rejects non-fp16 scales unless told to round', () => {
    const q = q8_0ToInt8(fixture.cases[0]!.q8_0.subarray(0, 34));
    q.data[5] = -128;
    expect(new Int8Array(int8ToQ8_0(q).data.buffer)[2 + 5]).toBe(-128);
    q.scale[0] = 0.1;
    expect(code(() => int8ToQ8_0(q))).toBe('ERR_QUANTA_INVALID_SCALE');
    expect(new Uint16Array(int8ToQ8_0(q, { roundScales: true }).data.slice(0, 2).buffer)[0]).toBe(0x2e66);
    expect(code(() => int8ToQ8_0({ ...q, data: new Uint8Array(32) as unknown as Int8Array }))).toBe('ERR_QUANTA_INVALID_SHAPE');
  });
});
