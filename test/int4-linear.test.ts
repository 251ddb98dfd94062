// The int4 weight-only linear layer from JS: both activation paths against a float64 product of
// x and the dequantized weights (bounds per output, relative RMS error measured), the same bits
// on every kernel path, the three packing sources agreeing byte for byte, and the errors at the
// boundary.
import { describe, expect, it } from 'vitest';

import {
  compressScales, decompressScales, dequantizeMatMulNBits, int4KernelIsa, int4Linear, int4LinearSync, int4ToQ4_0, packInt4FromMatMulNBits,
  packInt4FromQ4_0, packInt4Weights, q4_0ToInt4, q4_0ToMatMulNBits, quantize, quantizeMatMulNBits, quantizeQ4_0, setNumThreads,
} from '../lib/index.js';
import type { QuantizedTensor } from '../lib/index.js';
import { addon } from '../lib/native.js';
import { codeOf, lcg, paths } from './support';

function rng(seed: number): () => number {
  const next = lcg(seed);
  return () => next() / 4294967296;
}

function normal(count: number, next: () => number): Float32Array {
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
  return out;
}

/** Element e of a packed 4-bit tensor (ONNX order), sign-extended for int4. */
function code(q: QuantizedTensor, e: number): number {
  const v = (q.data[e >> 1]! >> ((e & 1) * 4)) & 0x0f;
  return q.dtype === 'int4' ? (v ^ 8) - 8 : v;
}

/** Dequantized [N, K] weights of an [N, K] tensor grouped along axis 1 (the last group may be partial), in float64. */
function dequantize64(q: QuantizedTensor): Float64Array {
  const [n, k] = q.dims as [number, number];
  const g = q.blockSize!;
  const w = new Float64Array(n * k);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < k; c++) {
      const s = r * Math.ceil(k / g) + Math.floor(c / g);
      w[r * k + c] = (code(q, r * k + c) - q.zeroPoint[s]!) * q.scale[s]!;
    }
  }
  return w;
}

/** The same weights as an ONNX MatMul B: dims [K, N] grouped along axis 0 (nibbles, scales and zero points transposed). */
function transposedToKN(q: QuantizedTensor): QuantizedTensor {
  const [n, k] = q.dims as [number, number];
  const groups = Math.ceil(k / q.blockSize!);
  const t = new Uint8Array(Math.ceil((n * k) / 2));
  for (let r = 0; r < n; r++) for (let c = 0; c < k; c++) t[(c * n + r) >> 1] |= code(q, r * k + c) << (((c * n + r) & 1) * 4);
  const scale = new Float32Array(n * groups);
  const zeroPoint = new Int32Array(n * groups);
  for (let r = 0; r < n; r++) {
    for (let g = 0; g < groups; g++) {
      scale[g * n + r] = q.scale[r * groups + g]!;
      zeroPoint[g * n + r] = q.zeroPoint[r * groups + g]!;
    }
  }
  return { ...q, dims: [k, n], data: t, scale, zeroPoint, axis: 0 };
}

describe('int4Linear', () => {
  it('returns a Promise with int4LinearSync\'s bits, computed off the JS thread', async () => {
    const next = rng(77);
    const [n, k] = [40, 128];
    const q = quantize({ type: 'float32', data: normal(n * k, next), dims: [n, k] }, { dtype: 'int4', axis: 1, groupSize: 32, symmetric: true });
    const packed = packInt4Weights(q);
    const x = { type: 'float32', data: normal(3 * k, next), dims: [3, k] };
    for (const activations of ['float32', 'int8'] as const) {
      const p = int4Linear(x, packed, { activations });
      expect(p).toBeInstanceOf(Promise);
      expect((await p).data).toEqual(int4LinearSync(x, packed, { activations }).data);
    }
  });

  it('reports its kernel path', () => {
    for (const isa of paths) expect(typeof int4KernelIsa(isa)).toBe('string');
  });

  it('stays within the stated bounds of a float64 reference, with the same bits on every path', () => {
    const next = rng(1);
    const measured: string[] = [];
    // The last case has a partial last group (K = 1000 = 7 x 128 + 104).
    for (const [group, symmetric, dtype, k] of [[32, true, 'int4', 1024], [64, false, 'uint4', 1024], [128, false, 'int4', 1024], [128, true, 'uint4', 1000]] as const) {
      const n = 96;
      const m = 64;
      const q = quantize({ type: 'float32', data: normal(n * k, next), dims: [n, k] }, { dtype, axis: 1, groupSize: group, symmetric });
      const w = dequantize64(q);
      const x = normal(m * k, next);
      const bias = normal(n, next);
      const packed = packInt4Weights(q);
      const groups = Math.ceil(k / group);
      for (const activations of ['float32', 'int8'] as const) {
        const first = int4LinearSync({ type: 'float32', data: x, dims: [m, k] }, packed, { activations, bias, isa: paths[0] });
        expect(first.dims).toEqual([m, n]);
        for (const isa of paths.slice(1)) {
          const y = int4LinearSync({ type: 'float32', data: x, dims: [m, k] }, packed, { activations, bias, isa });
          expect(Buffer.from(y.data.buffer).equals(Buffer.from(first.data.buffer)), `${isa} ${activations}`).toBe(true);
        }
        let err2 = 0;
        let ref2 = 0;
        for (let r = 0; r < m; r++) {
          // Half the activation step per element of each group (int8 only).
          const halfStep = new Float64Array(groups);
          if (activations === 'int8') {
            for (let g = 0; g < groups; g++) {
              let amax = 0;
              for (let i = g * group; i < Math.min(k, (g + 1) * group); i++) amax = Math.max(amax, Math.abs(x[r * k + i]!));
              halfStep[g] = Math.fround(amax / 127) / 2;
            }
          }
          for (let c = 0; c < n; c++) {
            let y64 = bias[c]!;
            let absSum = Math.abs(bias[c]!);
            let quantBound = 0;
            for (let i = 0; i < k; i++) {
              const p = x[r * k + i]! * w[c * k + i]!;
              y64 += p;
              absSum += Math.abs(p) + halfStep[Math.floor(i / group)]! * Math.abs(w[c * k + i]!);
              quantBound += halfStep[Math.floor(i / group)]! * Math.abs(w[c * k + i]!);
            }
            const bound = quantBound + (group + groups + 2) * 2 ** -23 * absSum;
            const e = Math.abs(first.data[r * n + c]! - y64);
            if (!(e <= bound)) expect.fail(`${activations} G=${group} y[${r}, ${c}]: error ${e} > bound ${bound}`);
            err2 += e * e;
            ref2 += y64 * y64;
          }
        }
        const rel = Math.sqrt(err2 / ref2);
        measured.push(`${activations} ${dtype} G=${group} K=${k}: relative RMS error ${rel.toExponential(2)}`);
        expect(rel).toBeLessThan(activations === 'float32' ? 1e-6 : 3e-2);
      }
    }
    console.log(measured.join('\n'));
  });

  it('gives the same bits on 1, 2 and 3 threads', () => {
    const next = rng(2);
    const q = quantize({ type: 'float32', data: normal(200 * 256, next), dims: [200, 256] }, { dtype: 'int4', axis: 1, groupSize: 64 });
    const packed = packInt4Weights(q);
    const x = { type: 'float32', data: normal(9 * 256, next), dims: [3, 3, 256] };
    for (const activations of ['float32', 'int8'] as const) {
      setNumThreads(1);
      const one = int4LinearSync(x, packed, { activations });
      expect(one.dims).toEqual([3, 3, 200]);
      for (const t of [2, 3]) {
        setNumThreads(t);
        expect(Buffer.from(int4LinearSync(x, packed, { activations }).data.buffer).equals(Buffer.from(one.data.buffer))).toBe(true);
      }
    }
    setNumThreads(0);
  });

  it('packs Q4_0 blocks, their int4 group tensor and their MatMulNBits tensors to the same bytes', () => {
    const next = rng(3);
    const n = 37;
    const k = 160;
    const blocks = quantizeQ4_0({ type: 'float32', data: normal(n * k, next), dims: [n, k] });
    const fromQ4 = packInt4FromQ4_0(blocks, n, k);
    const fromRaw = packInt4FromQ4_0(blocks.data, n, k);
    const fromInt4 = packInt4Weights(q4_0ToInt4(blocks));
    const mnb = q4_0ToMatMulNBits(blocks);
    const fromMnb = packInt4FromMatMulNBits(mnb.B, mnb.scales, undefined, { k, n, blockSize: 32 });
    const bytes = fromQ4.packedBytes();
    expect(fromQ4.hasZeroPoints).toBe(false);
    expect(fromRaw.packedBytes()).toEqual(bytes);
    expect(fromInt4.packedBytes()).toEqual(bytes);
    expect(fromMnb.packedBytes()).toEqual(bytes);
    // And the int4 tensor round-trips through Q4_0 unchanged.
    expect(packInt4FromQ4_0(int4ToQ4_0(q4_0ToInt4(blocks)), n, k).packedBytes()).toEqual(bytes);
  });

  it('takes MatMulNBits scales as a float16 tensor (fp16 models), widened exactly', () => {
    const next = rng(9);
    const n = 19;
    const k = 96;
    const blocks = quantizeQ4_0({ type: 'float32', data: normal(n * k, next), dims: [n, k] });
    const mnb = q4_0ToMatMulNBits(blocks);
    // Each Q4_0 block starts with its scale d as little-endian fp16 bits.
    const raw = new DataView(blocks.data.buffer, blocks.data.byteOffset, blocks.data.byteLength);
    const fp16 = Uint16Array.from({ length: (n * k) / 32 }, (_, b) => raw.getUint16(b * 18, true));
    const fromHalf = packInt4FromMatMulNBits(mnb.B, { type: 'float16', data: fp16 }, null, { k, n, blockSize: 32 });
    expect(fromHalf.packedBytes()).toEqual(packInt4FromQ4_0(blocks, n, k).packedBytes());
    // Known widenings: 1.0, the fp16 nearest 0.1, the smallest subnormal, -65504.
    const known = packInt4FromMatMulNBits(new Uint8Array(64), { type: 'float16', data: new Uint16Array([0x3c00, 0x2e66, 0x0001, 0xfbff]) }, null, { k: 32, n: 4, blockSize: 32 });
    const probe = new Float32Array(32).fill(1);
    // Every code 0 (minus the zero point 8): each output is -8 * 32 * scale.
    expect(Array.from(int4LinearSync({ type: 'float32', data: probe, dims: [1, 32] }, known).data)).toEqual([1, 0.0999755859375, 2 ** -24, -65504].map((s) => Math.fround(-256 * s)));
    // A bare Uint16Array is not taken for fp16 (it says nothing about its type).
    expect(codeOf(() => packInt4FromMatMulNBits(mnb.B, fp16 as unknown as Float32Array, null, { k, n, blockSize: 32 }))).toBe('ERR_QUANTA_INVALID_DTYPE');
    expect(codeOf(() => packInt4FromMatMulNBits(mnb.B, { type: 'float16', data: new Int16Array(fp16.length) } as unknown as Float32Array, null, { k, n, blockSize: 32 }))).toBe('ERR_QUANTA_INVALID_DTYPE');
  });

  it('packs a uint4 tensor with zero points, its [K, N] transpose and its MatMulNBits form to the same bytes', () => {
    const next = rng(4);
    const n = 21;
    const k = 256;
    const group = 64;
    const groups = k / group;
    const q = quantize({ type: 'float32', data: normal(n * k, next), dims: [n, k] }, { dtype: 'uint4', axis: 1, groupSize: group });
    const packed = packInt4Weights(q);
    expect(packed.hasZeroPoints).toBe(true);
    // [K, N], grouped along axis 0.
    expect(packInt4Weights(transposedToKN(q)).packedBytes()).toEqual(packed.packedBytes());
    // MatMulNBits: the same bytes as B, zero points two per byte (block 2i in the low nibble).
    const zp = new Uint8Array(n * Math.ceil(groups / 2));
    for (let r = 0; r < n; r++) for (let g = 0; g < groups; g++) zp[r * 2 + (g >> 1)] |= q.zeroPoint[r * groups + g]! << ((g & 1) * 4);
    const fromMnb = packInt4FromMatMulNBits({ data: q.data as Uint8Array }, { data: q.scale }, { data: zp }, { k, n, blockSize: group });
    expect(fromMnb.packedBytes()).toEqual(packed.packedBytes());
  });

  it('packs a partial last group (K % G != 0) from [N, K], [K, N] and MatMulNBits alike, padding ignored', () => {
    const next = rng(12);
    const n = 21;
    const k = 75; // 3 groups of 32, the last holding 11 values; N * K odd: the data ends mid-byte
    const group = 32;
    const groups = 3;
    const q = quantize({ type: 'float32', data: normal(n * k, next), dims: [n, k] }, { dtype: 'uint4', axis: 1, groupSize: group });
    expect(q.scale.length).toBe(n * groups);
    const packed = packInt4Weights(q);
    expect(packed.k).toBe(k);
    expect(packInt4Weights(transposedToKN(q)).packedBytes()).toEqual(packed.packedBytes());
    // MatMulNBits B [N, 3, 16]: rows padded to whole blocks, the padding's nibbles random.
    const B = Uint8Array.from({ length: n * groups * (group / 2) }, () => Math.floor(next() * 256));
    for (let r = 0; r < n; r++) {
      for (let c = 0; c < k; c++) {
        const d = r * groups * group + c;
        B[d >> 1] = (B[d >> 1]! & ~(0x0f << ((d & 1) * 4))) | (code(q, r * k + c) << ((d & 1) * 4));
      }
    }
    const zp = new Uint8Array(n * 2);
    for (let r = 0; r < n; r++) for (let g = 0; g < groups; g++) zp[r * 2 + (g >> 1)] |= q.zeroPoint[r * groups + g]! << ((g & 1) * 4);
    expect(packInt4FromMatMulNBits(B, q.scale, zp, { k, n, blockSize: group }).packedBytes()).toEqual(packed.packedBytes());
    // The outputs: those of the float64 product over the K real values (float32 path, bound as above).
    const w = dequantize64(q);
    const x = normal(3 * k, next);
    const y = int4LinearSync({ type: 'float32', data: x, dims: [3, k] }, packed);
    for (let r = 0; r < 3; r++) {
      for (let c = 0; c < n; c++) {
        let y64 = 0;
        let absSum = 0;
        for (let i = 0; i < k; i++) {
          y64 += x[r * k + i]! * w[c * k + i]!;
          absSum += Math.abs(x[r * k + i]! * w[c * k + i]!);
        }
        expect(Math.abs(y.data[r * n + c]! - y64)).toBeLessThanOrEqual((group + groups + 2) * 2 ** -23 * absSum);
      }
    }
  });

  it('runs what quantizeMatMulNBits makes of a K that is not a multiple of the block (its MLAS padding quirk included)', () => {
    const next = rng(13);
    for (const [k, blockSize, symmetric] of [[99, 32, false], [200, 128, true], [45, 64, false]] as const) {
      const n = 24;
      const mnb = quantizeMatMulNBits({ type: 'float32', data: normal(k * n, next), dims: [k, n] }, { blockSize, symmetric });
      const packed = packInt4FromMatMulNBits(mnb.B, mnb.scales, mnb.zeroPoints ?? null, { k, n, blockSize });
      const w = dequantizeMatMulNBits(mnb).data; // [K, N]
      const x = normal(2 * k, next);
      const groups = Math.ceil(k / blockSize);
      for (const activations of ['float32', 'int8'] as const) {
        const y = int4LinearSync({ type: 'float32', data: x, dims: [2, k] }, packed, { activations });
        for (let r = 0; r < 2; r++) {
          for (let c = 0; c < n; c++) {
            let y64 = 0;
            let absSum = 0;
            let quantBound = 0;
            for (let i = 0; i < k; i++) {
              const g = Math.floor(i / blockSize);
              let amax = 0;
              if (activations === 'int8') for (let j = g * blockSize; j < Math.min(k, (g + 1) * blockSize); j++) amax = Math.max(amax, Math.abs(x[r * k + j]!));
              const halfStep = Math.fround(amax / 127) / 2;
              y64 += x[r * k + i]! * w[i * n + c]!;
              absSum += Math.abs(x[r * k + i]! * w[i * n + c]!) + halfStep * Math.abs(w[i * n + c]!);
              quantBound += halfStep * Math.abs(w[i * n + c]!);
            }
            const bound = quantBound + (blockSize + groups + 2) * 2 ** -23 * absSum;
            expect(Math.abs(y.data[r * n + c]! - y64), `K=${k} G=${blockSize} ${activations} y[${r}, ${c}]`).toBeLessThanOrEqual(bound);
          }
        }
      }
    }
  });

  it('accepts double-quantized scales, expanded to float32 at pack time', () => {
    const next = rng(5);
    const q = quantize({ type: 'float32', data: normal(64 * 128, next), dims: [64, 128] }, { dtype: 'int4', axis: 1, groupSize: 32, symmetric: true });
    const dq = compressScales(q);
    const packed = packInt4Weights(dq);
    const x = normal(128, next);
    const a = int4LinearSync(x, packed);
    expect(a.dims).toEqual([64]);
    // The same as packing the tensor whose scales are the rebuilt ones.
    expect(packInt4Weights(decompressScales(dq)).packedBytes()).toEqual(packed.packedBytes());
  });

  it('writes into a caller-provided output', () => {
    const next = rng(6);
    const q = quantize({ type: 'float32', data: normal(16 * 64, next), dims: [16, 64] }, { dtype: 'int4', axis: 1, groupSize: 32 });
    const packed = packInt4Weights(q);
    const out = new Float32Array(2 * 16);
    const y = int4LinearSync({ type: 'float32', data: normal(128, next), dims: [2, 64] }, packed, { out, activations: 'int8' });
    expect(y.data).toBe(out);
  });

  it('takes an empty batch', () => {
    const next = rng(9);
    const packed = packInt4Weights(quantize({ type: 'float32', data: normal(16 * 64, next), dims: [16, 64] }, { dtype: 'int4', axis: 1, groupSize: 64 }));
    for (const activations of ['float32', 'int8'] as const) {
      const y = int4LinearSync({ type: 'float32', data: new Float32Array(0), dims: [2, 0, 64] }, packed, { activations });
      expect(y.dims).toEqual([2, 0, 16]);
      expect(y.data.length).toBe(0);
    }
  });

  it('rejects bad input with stable codes', () => {
    const next = rng(7);
    const q = quantize({ type: 'float32', data: normal(8 * 96, next), dims: [8, 96] }, { dtype: 'int4', axis: 1, groupSize: 32 });
    const packed = packInt4Weights(q);
    // Unsupported group sizes; wrong dtype; wrong axis.
    const g16 = quantize({ type: 'float32', data: normal(8 * 96, next), dims: [8, 96] }, { dtype: 'int4', axis: 1, groupSize: 16 });
    expect(codeOf(() => packInt4Weights(g16))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    const int8 = quantize({ type: 'float32', data: normal(8 * 96, next), dims: [8, 96] }, { dtype: 'int8', axis: 1, groupSize: 32 });
    expect(codeOf(() => packInt4Weights(int8))).toBe('ERR_QUANTA_INVALID_DTYPE');
    const perChannel = quantize({ type: 'float32', data: normal(8 * 96, next), dims: [8, 96] }, { dtype: 'int4', axis: 0 });
    expect(codeOf(() => packInt4Weights(perChannel))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => packInt4Weights({ ...q, scale: q.scale.map((s, i) => (i === 3 ? Number.NaN : s)) }))).toBe('ERR_QUANTA_INVALID_SCALE');
    expect(codeOf(() => packInt4Weights({ ...q, zeroPoint: q.zeroPoint.map((z, i) => (i === 1 ? 9 : z)) }))).toBe('ERR_QUANTA_INVALID_ZERO_POINT');
    expect(codeOf(() => packInt4Weights({ ...q, data: q.data.subarray(1) }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    // Q4_0 / MatMulNBits shapes.
    const blocks = quantizeQ4_0({ type: 'float32', data: normal(4 * 64, next), dims: [4, 64] });
    expect(codeOf(() => packInt4FromQ4_0(blocks, 4, 32))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => packInt4FromQ4_0(blocks.data.subarray(18), 4, 64))).toBe('ERR_QUANTA_INVALID_SHAPE');
    // B must hold whole blocks: K = 80 with blocks of 64 is 2 blocks (64 bytes a row), not 40 bytes.
    expect(codeOf(() => packInt4FromMatMulNBits(new Uint8Array(4 * 40), new Float32Array(4 * 2), null, { k: 80, n: 4, blockSize: 64 }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => packInt4FromMatMulNBits(new Uint8Array(4 * 32), new Float32Array(3), null, { k: 64, n: 4, blockSize: 64 }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => packInt4FromMatMulNBits(new Uint8Array(4 * 32), new Float32Array(4), null, { k: 64, n: 4, blockSize: 16 }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    // int4Linear arguments.
    expect(codeOf(() => int4LinearSync(new Float32Array(95), packed))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => int4LinearSync(new Float64Array(96), packed))).toBe('ERR_QUANTA_INVALID_DTYPE');
    expect(codeOf(() => int4LinearSync(new Float32Array(96), {} as never))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    const nan = new Float32Array(96);
    nan[5] = Number.NaN;
    expect(codeOf(() => int4LinearSync(nan, packed, { activations: 'int8' }))).toBe('ERR_QUANTA_NON_FINITE');
    expect(Number.isNaN(int4LinearSync(nan, packed).data[0])).toBe(true);  // float32 activations: IEEE propagation
    expect(codeOf(() => int4LinearSync(new Float32Array(96), packed, { activations: 'int4' as never }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => int4LinearSync(new Float32Array(96), packed, { bias: new Float32Array(7) }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => int4LinearSync(new Float32Array(96), packed, { out: new Float32Array(9) }))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => int4LinearSync(new Float32Array(96), packed, { isa: 'sse9' as never }))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
  });

  it('re-checks lengths in C++ when the TypeScript layer is bypassed', () => {
    const native = addon();
    const next = rng(8);
    const q = quantize({ type: 'float32', data: normal(8 * 64, next), dims: [8, 64] }, { dtype: 'int4', axis: 1, groupSize: 32 });
    const packed = packInt4Weights(q);
    const handle = (packed as unknown as Record<symbol, unknown>)[Object.getOwnPropertySymbols(packed)[0]!];
    const codeOf = (f: () => unknown): string | undefined => {
      try {
        f();
      } catch (e) {
        return (e as { code?: string }).code;
      }
      return undefined;
    };
    expect(codeOf(() => native.int4Linear(handle, new Float32Array(63), 1, false, null, new Float32Array(8)))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => native.int4Linear(handle, new Float32Array(64), 1, true, null, new Float32Array(7)))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => native.int4Linear(handle, new Float32Array(64), 1, true, new Float32Array(3), new Float32Array(8)))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => native.int4Linear({}, new Float32Array(64), 1, true, null, new Float32Array(8)))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
    expect(codeOf(() => native.int4PackWeights(new Uint8Array(10), 8, new Float32Array(4), null, 2, 64, 32))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => native.int4PackWeights(new Uint8Array(64), 8, new Float32Array(3), null, 2, 64, 32))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => native.int4PackWeights(new Uint8Array(64), 8, new Float32Array(4), new Uint8Array(2), 2, 64, 32))).toBe('ERR_QUANTA_INVALID_SHAPE');
    expect(codeOf(() => native.int4PackWeights(new Uint8Array(64), 8, new Float32Array(4), null, 2, 64, 0))).toBe('ERR_QUANTA_INVALID_ARGUMENT');
  });
});
