/**
 * onnxruntime MatMulNBits: the MLAS quantizer on hand-checked cases, layout round trips, and
 * lossless Q4_0 <-> MatMulNBits conversion. No onnxruntime vectors: python onnxruntime is not
 * installed here, so the quantizer's expected bytes below are worked out by hand from MLAS's
 * q4_dq.cpp (each case says how).
 */
import { describe, expect, it } from 'vitest';

import {
  dequantizeMatMulNBits, matMulNBitsToQ4_0, q4_0ToMatMulNBits, quantizeMatMulNBits, quantizeQ4_0,
} from '../../lib/ggml/index.js';
import type { MatMulNBitsWeight } from '../../lib/ggml/index.js';
import { fp16BitsToFp32, fp32ToFp16Bits } from '../../lib/ggml/fp16.js';
import { bitsNaNFolded, loadFixture } from './fixture.js';

const fixture = loadFixture();
const hex = (a: Uint8Array) => Buffer.from(a).toString('hex');
const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return 'no error';
};

/** A [K, N] float32 tensor from columns. */
function fromColumns(columns: number[][]): { type: string; data: Float32Array; dims: number[] } {
  const K = columns[0]!.length;
  const N = columns.length;
  const data = new Float32Array(K * N);
  columns.forEach((col, n) => col.forEach((v, k) => (data[k * N + n] = v)));
  return { type: 'float32', data, dims: [K, N] };
}

const ramp = Array.from({ length: 16 }, (_, k) => (k - 8) * 0.5); // -4 .. 3.5
const rampBytes = '1032547698badcfe'; // codes 0..15, first of each pair low

describe('quantizeMatMulNBits (MLAS BlockwiseQuantizer, columnwise)', () => {
  it('symmetric: scale = (end of larger magnitude, min on a tie) / -8, zero point 8, no zero_points', () => {
    // Column 0: min -4, max 3.5 -> |3.5| > |-4| is false -> -4 / -8 = 0.5; codes roundf(v / 0.5 + 8) = k.
    // Column 1: |2| = |-2| -> min wins -> scale 0.25 (ggml would keep the first, +2, and d = -0.25);
    // 2 * 4 + 8 = 16 clamps to 15, -2 -> 0, zeros -> 8.
    const col1 = new Array(16).fill(0);
    col1[0] = 2;
    col1[1] = -2;
    const w = quantizeMatMulNBits(fromColumns([ramp, col1]), { blockSize: 16, symmetric: true });
    expect(w).toMatchObject({ K: 16, N: 2, bits: 4, blockSize: 16 });
    expect(w.zeroPoints).toBeUndefined();
    expect(w.B.dims).toEqual([2, 1, 8]);
    expect(Array.from(w.scales.data)).toEqual([0.5, 0.25]);
    expect(hex(w.B.data)).toBe(`${rampBytes}0f88888888888888`);
    expect(Array.from(dequantizeMatMulNBits(w).data.filter((_, i) => i % 2 === 1).slice(0, 3))).toEqual([1.75, -2, 0]);
  });

  it('asymmetric: [min(min, 0), max(max, 0)] / 15, zp = roundf(-min / scale), codes roundf(v / scale + zp)', () => {
    // Column 0: values k - 5: scale 15 / 15 = 1, zp 5, codes k.
    // Column 1: min -1.25, max 6.25: scale 7.5 / 15 = 0.5, zp roundf(2.5) = 3 (half away from zero);
    // -1.25 -> roundf(-2.5 + 3) = 1, 6.25 -> 15.5 -> 16 -> 15, 0 -> 3.
    const col1 = new Array(16).fill(0);
    col1[0] = -1.25;
    col1[1] = 6.25;
    const w = quantizeMatMulNBits(fromColumns([ramp.map((_, k) => k - 5), col1]), { blockSize: 16 });
    expect(Array.from(w.scales.data)).toEqual([1, 0.5]);
    expect(w.zeroPoints).toMatchObject({ type: 'uint8', dims: [2, 1] });
    expect(Array.from(w.zeroPoints!.data)).toEqual([0x85, 0x83]); // one block: the high nibble stays 8
    expect(hex(w.B.data)).toBe(`${rampBytes}f1${'33'.repeat(7)}`);
    const y = dequantizeMatMulNBits(w, { weightLayout: 'NK' });
    expect(y.dims).toEqual([2, 16]);
    expect(Array.from(y.data.slice(16, 19))).toEqual([-1, 6, 0]);
  });

  it('an all-zero block: symmetric scale -0 and codes 8; asymmetric scale 0 and zp 0', () => {
    const zeros = fromColumns([new Array(16).fill(0)]);
    const s = quantizeMatMulNBits(zeros, { blockSize: 16, symmetric: true });
    expect(Object.is(s.scales.data[0], -0)).toBe(true);
    expect(hex(s.B.data)).toBe('88'.repeat(8));
    const a = quantizeMatMulNBits(zeros, { blockSize: 16 });
    expect(Array.from(a.scales.data)).toEqual([0]);
    expect(Array.from(a.zeroPoints!.data)).toEqual([0x80]);
    expect(hex(a.B.data)).toBe('00'.repeat(8));
  });

  it('pads K to whole blocks; for odd K the last byte keeps MLAS stale high nibble', () => {
    // K = 17, blockSize 16: block 1 holds one value, 1: min = max = 1 -> scale -1/8, code roundf(-8 + 8) = 0.
    // The last pair (k = 16) is not the first pair of its two-block thread block, so its high
    // nibble repeats the code of k = 15 (15): byte 8 = 0xf0.
    const w = quantizeMatMulNBits(fromColumns([[...ramp, 1]]), { blockSize: 16, symmetric: true });
    expect(w.B.dims).toEqual([1, 2, 8]);
    expect(Array.from(w.scales.data)).toEqual([0.5, -0.125]);
    expect(hex(w.B.data)).toBe(`${rampBytes}f000000000000000`);
    // K = 33: k = 32 starts a thread block (32 % 32 = 0), where MLAS's pair buffer starts at 0.
    const w33 = quantizeMatMulNBits(fromColumns([[...ramp, ...ramp, 1]]), { blockSize: 16, symmetric: true });
    expect(hex(w33.B.data.subarray(16))).toBe('00'.repeat(8));
    expect(Array.from(dequantizeMatMulNBits(w33).data)).toEqual([...ramp, ...ramp, 1]);
  });

  it('packs three k-blocks of zero points as [z0 | z1 << 4, z2 | 8 << 4]', () => {
    const col = [...ramp.map((_, k) => k - 5), ...ramp.map((_, k) => k - 1), ...ramp.map((_, k) => k - 15)];
    const w = quantizeMatMulNBits(fromColumns([col]), { blockSize: 16 });
    expect(Array.from(w.scales.data)).toEqual([1, 1, 1]);
    expect(Array.from(w.zeroPoints!.data)).toEqual([5 | (1 << 4), 15 | (8 << 4)]);
    expect(Array.from(dequantizeMatMulNBits(w).data)).toEqual(col);
  });

  it('takes [N, K] weights with weightLayout NK and gives the same tensors', () => {
    const x = fixture.cases[1]!.x.subarray(0, 6 * 64);
    const nk = { type: 'float32', data: x, dims: [6, 64] };
    const kn = new Float32Array(64 * 6);
    for (let n = 0; n < 6; n++) for (let k = 0; k < 64; k++) kn[k * 6 + n] = x[n * 64 + k]!;
    for (const symmetric of [false, true]) {
      const a = quantizeMatMulNBits(nk, { blockSize: 32, symmetric, weightLayout: 'NK' });
      const b = quantizeMatMulNBits({ type: 'float32', data: kn, dims: [64, 6] }, { blockSize: 32, symmetric });
      expect(hex(a.B.data)).toBe(hex(b.B.data));
      expect(Array.from(a.scales.data)).toEqual(Array.from(b.scales.data));
    }
  });

  it('stays within half a step of the input, asymmetric, on every block size', () => {
    const x = fixture.cases[2]!.x.subarray(0, 96);
    for (const blockSize of [16, 32, 64, 128, 256]) {
      const w = quantizeMatMulNBits({ type: 'float32', data: x, dims: [96, 1] }, { blockSize });
      const y = dequantizeMatMulNBits(w).data;
      for (let k = 0; k < 96; k++) {
        expect(Math.abs(y[k]! - x[k]!)).toBeLessThanOrEqual(w.scales.data[Math.floor(k / blockSize)]! * 0.5 * (1 + 1e-5));
      }
    }
  });

  it('matches ggml Q4_0 symmetric codes where no |max| tie and no fp16 rounding intervene', () => {
    // Same rule, d = max / -8; MLAS keeps the float32 scale, ggml stores it as fp16.
    for (const c of fixture.cases.filter((c) => ['uniform', 'weights'].includes(c.name))) {
      const K = 32;
      const N = c.count / K;
      const mlas = quantizeMatMulNBits({ type: 'float32', data: c.x, dims: [N, K] }, { blockSize: 32, symmetric: true, weightLayout: 'NK' });
      const ggml = q4_0ToMatMulNBits({ type: 'q4_0', dims: [N, K], data: c.q4_0 });
      expect(hex(mlas.B.data)).toBe(hex(ggml.B.data));
      expect(Array.from(mlas.scales.data, (s) => fp16BitsToFp32(fp32ToFp16Bits(s)))).toEqual(Array.from(ggml.scales.data));
    }
  });

  it('rejects bad input with stable codes', () => {
    const w = new Float32Array(64);
    expect(code(() => quantizeMatMulNBits(w))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(code(() => quantizeMatMulNBits({ type: 'float32', data: w, dims: [32, 2] }, { blockSize: 48 }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(code(() => quantizeMatMulNBits({ type: 'float32', data: w, dims: [32, 2] }, { blockSize: 512 }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(code(() => quantizeMatMulNBits({ type: 'float32', data: w, dims: [32, 2] }, { weightLayout: 'KxN' as 'KN' }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(code(() => quantizeMatMulNBits({ type: 'float32', data: new Float32Array(0), dims: [0, 2] }))).toBe('ERR_QUANTA_EMPTY_TENSOR');
    expect(code(() => quantizeMatMulNBits({ type: 'float64', data: new Float64Array(64), dims: [32, 2] }))).toBe('ERR_QUANTA_INVALID_DTYPE');
    w[7] = NaN;
    expect(code(() => quantizeMatMulNBits({ type: 'float32', data: w, dims: [32, 2] }))).toBe('ERR_QUANTA_NON_FINITE');
  });
});

describe('Q4_0 <-> MatMulNBits', () => {
  for (const c of fixture.cases) {
    it(`is lossless both ways: ${c.name}`, () => {
      const K = c.count % 64 === 0 ? 64 : 32;
      const N = c.count / K;
      const w = q4_0ToMatMulNBits({ type: 'q4_0', dims: [N, K], data: c.q4_0 });
      expect(w).toMatchObject({ K, N, bits: 4, blockSize: 32 });
      expect(w.zeroPoints).toBeUndefined();
      expect(w.B.dims).toEqual([N, K / 32, 16]);
      expect(w.scales.dims).toEqual([N, K / 32]);
      expect(bitsNaNFolded(dequantizeMatMulNBits(w, { weightLayout: 'NK' }).data)).toEqual(bitsNaNFolded(c.dequantizedQ4_0));
      const back = matMulNBitsToQ4_0(w);
      expect(back.dims).toEqual([N, K]);
      expect(hex(back.data)).toBe(hex(c.q4_0));
    });
  }

  it('re-pairs nibbles: ggml (j, j + 16) becomes MatMulNBits (2j, 2j + 1)', () => {
    const block = new Uint8Array(18);
    block.set([0x00, 0x3c]);
    for (let j = 0; j < 16; j++) block[2 + j] = j | ((15 - j) << 4);
    const w = q4_0ToMatMulNBits(block);
    // Values 0..15 have nibbles 0..15, values 16..31 have nibbles 15..0.
    expect(hex(w.B.data)).toBe(`${rampBytes}efcdab8967452301`);
    expect(Array.from(dequantizeMatMulNBits(w).data.slice(14, 18))).toEqual([6, 7, 7, 6]);
  });

  it('accepts explicit zero points of 8 and refuses what Q4_0 cannot hold', () => {
    const base = q4_0ToMatMulNBits({ type: 'q4_0', dims: [4, 64], data: fixture.cases[0]!.q4_0 });
    const eights: MatMulNBitsWeight = { ...base, zeroPoints: { type: 'uint8', data: new Uint8Array(4).fill(0x88), dims: [4, 1] } };
    expect(hex(matMulNBitsToQ4_0(eights).data)).toBe(hex(fixture.cases[0]!.q4_0));
    const seven = { ...eights, zeroPoints: { ...eights.zeroPoints!, data: Uint8Array.from([0x88, 0x87, 0x88, 0x88]) } };
    expect(code(() => matMulNBitsToQ4_0(seven))).toBe('ERR_QUANTA_INVALID_ZERO_POINT');
    const asym = quantizeMatMulNBits({ type: 'float32', data: fixture.cases[0]!.x, dims: [64, 4] }, { blockSize: 64 });
    expect(code(() => matMulNBitsToQ4_0(asym))).toBe('ERR_QUANTA_INVALID_SHAPE');
    const odd = quantizeMatMulNBits({ type: 'float32', data: fixture.cases[0]!.x.subarray(0, 40), dims: [40, 1] }, { blockSize: 32, symmetric: true });
    expect(code(() => matMulNBitsToQ4_0(odd))).toBe('ERR_QUANTA_INVALID_SHAPE');
    const sym = quantizeMatMulNBits({ type: 'float32', data: fixture.cases[0]!.x, dims: [64, 4] }, { blockSize: 32, symmetric: true });
    expect(code(() => matMulNBitsToQ4_0(sym))).toBe('ERR_QUANTA_INVALID_SCALE');
    const rounded = matMulNBitsToQ4_0(sym, { roundScales: true });
    expect(rounded.dims).toEqual([4, 64]);
    expect(code(() => matMulNBitsToQ4_0({ ...base, B: { ...base.B, data: base.B.data.subarray(1) } }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(code(() => matMulNBitsToQ4_0({ ...base, bits: 8 as 4 }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(code(() => dequantizeMatMulNBits({ ...base, blockSize: 24 }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
  });
});
