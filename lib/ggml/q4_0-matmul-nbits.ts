/**
 * Q4_0 blocks <-> onnxruntime MatMulNBits (bits 4, blockSize 32). A ggml weight of shape [N, K]
 * (rows are output features, blocks run along K) is already MatMulNBits' orientation; only the
 * nibble order differs: ggml byte j holds values j and j + 16 of a block, MatMulNBits byte j
 * holds values 2j and 2j + 1. Q4_0's nibble u stands for (u - 8) * d, which is MatMulNBits with
 * zero point 8, its default, so no zero_points tensor is needed.
 */
import { QuantaError } from '../errors';
import type { GgmlTensor } from './blocks';
import { GGML_BLOCK_VALUES, GGML_Q4_0_BLOCK_BYTES, readGgmlTensor, viewOf } from './blocks';
import { readFp16 } from './fp16';
import type { MatMulNBitsWeight } from './matmul-nbits';
import { checkMatMulNBits, zeroPointOf } from './matmul-nbits';
import type { ToGgmlOptions } from './scales';
import { fp16Scale } from './scales';

const HALF = GGML_BLOCK_VALUES / 2;

/**
 * Q4_0 blocks of a [..., K] tensor as MatMulNBits with N = the product of the leading dims and
 * blockSize 32; lossless: scales are d widened to float32 (and fit an fp16 A exactly too), zero
 * points are the default 8, and MLAS's (nibble - 8) * scale equals ggml's (u - 8) * d bit for bit.
 */
export function q4_0ToMatMulNBits(blocks: unknown): MatMulNBitsWeight {
  const t = readGgmlTensor(blocks, 'q4_0', 'blocks');
  const K = t.dims[t.dims.length - 1]!;
  const kBlocks = K / GGML_BLOCK_VALUES;
  const groups = t.data.length / GGML_Q4_0_BLOCK_BYTES;
  const N = groups / kBlocks;
  const B = new Uint8Array(groups * HALF);
  const scales = new Float32Array(groups);
  const view = viewOf(t.data);
  for (let b = 0; b < groups; b++) {
    const src = b * GGML_Q4_0_BLOCK_BYTES;
    scales[b] = readFp16(view, src);
    for (let m = 0; m < HALF / 2; m++) {
      const even = t.data[src + 2 + 2 * m]!;
      const odd = t.data[src + 3 + 2 * m]!;
      B[b * HALF + m] = (even & 0x0f) | ((odd & 0x0f) << 4);
      B[b * HALF + HALF / 2 + m] = (even >> 4) | (odd & 0xf0);
    }
  }
  return {
    K, N, bits: 4, blockSize: GGML_BLOCK_VALUES,
    B: { type: 'uint8', data: B, dims: [N, kBlocks, HALF] },
    scales: { type: 'float32', data: scales, dims: [N, kBlocks] },
  };
}

/**
 * A MatMulNBits weight as Q4_0 blocks of shape [N, K] (the inverse of q4_0ToMatMulNBits). Needs
 * blockSize 32, K a multiple of 32 (Q4_0 has no partial blocks) and every zero point 8 (Q4_0 has
 * none to store). Codes carry over exactly; scales must be exact fp16 values, otherwise this
 * throws ERR_QUANTA_INVALID_SCALE, or with { roundScales: true } rounds them to the nearest fp16,
 * the one place information is lost.
 */
export function matMulNBitsToQ4_0(w: MatMulNBitsWeight, options: ToGgmlOptions = {}): GgmlTensor {
  const kBlocks = checkMatMulNBits(w, 'w');
  if (w.blockSize !== GGML_BLOCK_VALUES || w.K % GGML_BLOCK_VALUES !== 0) {
    throw new QuantaError('ERR_QUANTA_INVALID_SHAPE', `w must have blockSize 32 and K a multiple of 32 to be Q4_0, received blockSize ${w.blockSize} and K ${w.K}`);
  }
  for (let n = 0; n < w.N; n++) {
    for (let kb = 0; kb < kBlocks; kb++) {
      const zp = zeroPointOf(w.zeroPoints?.data, n, kb, kBlocks);
      if (zp !== 8) throw new QuantaError('ERR_QUANTA_INVALID_ZERO_POINT', `w.zeroPoints for column ${n}, block ${kb} must be 8 to be Q4_0 (symmetric), received ${zp}`);
    }
  }
  const groups = w.N * kBlocks;
  const out = new Uint8Array(groups * GGML_Q4_0_BLOCK_BYTES);
  const view = viewOf(out);
  for (let b = 0; b < groups; b++) {
    const dst = b * GGML_Q4_0_BLOCK_BYTES;
    view.setUint16(dst, fp16Scale(w.scales.data[b]!, b, 'w.scales.data', options), true);
    for (let m = 0; m < HALF / 2; m++) {
      const first = w.B.data[b * HALF + m]!;
      const second = w.B.data[b * HALF + HALF / 2 + m]!;
      out[dst + 2 + 2 * m] = (first & 0x0f) | ((second & 0x0f) << 4);
      out[dst + 3 + 2 * m] = (first >> 4) | (second & 0xf0);
    }
  }
  return { type: 'q4_0', dims: [w.N, w.K], data: out };
}
