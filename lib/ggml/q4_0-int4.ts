/**
 * Q4_0 blocks <-> quanta int4 group tensors (groups of 32 along the last axis, ONNX nibble
 * order: element 2i in the low nibble). A Q4_0 nibble u stands for u - 8 in [-8, 7] times d,
 * so it becomes int4 code u - 8 with zero point 0 and scale d widened from fp16 to float32:
 * (code - 0) * scale is then the same float32 product as ggml's (u - 8) * d.
 */
import { invalid } from '../errors';
import type { QuantizedTensor } from '../tensor';
import type { GgmlTensor } from './blocks';
import { GGML_BLOCK_VALUES, GGML_Q4_0_BLOCK_BYTES, readGgmlTensor, viewOf } from './blocks';
import { readFp16 } from './fp16';
import { checkGroupTensor, ggmlScheme } from './group-tensor';
import type { ToGgmlOptions } from './scales';
import { fp16Scale } from './scales';

const HALF = GGML_BLOCK_VALUES / 2;

/**
 * Q4_0 blocks as an int4 QuantizedTensor with the same dims; lossless. Block b's 16 bytes hold
 * values j (low nibbles) and j + 16 (high nibbles); they are re-paired as 2i / 2i + 1, and
 * u - 8 is u XOR 8 in four-bit two's complement. The scale keeps d's sign: ggml's d = max / -8
 * is negative whenever a block's largest-magnitude value is positive, and 0 or -0 for an
 * all-zero block. ONNX DequantizeLinear reads such scales as they are, but quanta's own
 * dequantizeLinear accepts only scales > 0 and so rejects most of these tensors: read them with
 * dequantizeQ4_0 on the blocks instead.
 */
export function q4_0ToInt4(blocks: unknown): QuantizedTensor {
  const t = readGgmlTensor(blocks, 'q4_0', 'blocks');
  const groups = t.data.length / GGML_Q4_0_BLOCK_BYTES;
  const data = new Uint8Array(groups * HALF);
  const scale = new Float32Array(groups);
  const view = viewOf(t.data);
  for (let b = 0; b < groups; b++) {
    const src = b * GGML_Q4_0_BLOCK_BYTES;
    scale[b] = readFp16(view, src);
    for (let m = 0; m < HALF / 2; m++) {
      const even = t.data[src + 2 + 2 * m]!;
      const odd = t.data[src + 3 + 2 * m]!;
      data[b * HALF + m] = ((even & 0x0f) | ((odd & 0x0f) << 4)) ^ 0x88;
      data[b * HALF + HALF / 2 + m] = ((even >> 4) | (odd & 0xf0)) ^ 0x88;
    }
  }
  return {
    dtype: 'int4',
    dims: [...t.dims],
    data,
    scale,
    zeroPoint: new Int32Array(groups),
    axis: t.dims.length - 1,
    blockSize: GGML_BLOCK_VALUES,
    scheme: ggmlScheme(-8, 7),
  };
}

/**
 * An int4 QuantizedTensor in groups of 32 along its last axis with zero point 0, as Q4_0 blocks
 * (the inverse of q4_0ToInt4). Codes carry over exactly (code + 8 is the nibble); scales must be
 * exact fp16 values, otherwise this throws ERR_QUANTA_INVALID_SCALE, or with
 * { roundScales: true } rounds them to the nearest fp16, the one place information is lost.
 * Other layouts (per tensor, per channel, other group sizes, a partial last group, nonzero zero
 * points) have no Q4_0 form and are rejected.
 */
export function int4ToQ4_0(q: QuantizedTensor, options: ToGgmlOptions = {}): GgmlTensor {
  const count = checkGroupTensor(q, 'int4', 'q');
  const groups = count / GGML_BLOCK_VALUES;
  if (!(q.data instanceof Uint8Array) || q.data.length !== count / 2) {
    throw invalid('ERR_QUANTA_INVALID_SHAPE', 'q.data', `a Uint8Array of ${count / 2} packed int4 bytes`, q.data);
  }
  const out = new Uint8Array(groups * GGML_Q4_0_BLOCK_BYTES);
  const view = viewOf(out);
  for (let b = 0; b < groups; b++) {
    const dst = b * GGML_Q4_0_BLOCK_BYTES;
    view.setUint16(dst, fp16Scale(q.scale[b]!, b, 'q.scale', options), true);
    for (let m = 0; m < HALF / 2; m++) {
      const first = q.data[b * HALF + m]! ^ 0x88;
      const second = q.data[b * HALF + HALF / 2 + m]! ^ 0x88;
      out[dst + 2 + 2 * m] = (first & 0x0f) | ((second & 0x0f) << 4);
      out[dst + 3 + 2 * m] = (first >> 4) | (second & 0xf0);
    }
  }
  return { type: 'q4_0', dims: [...q.dims], data: out };
}
