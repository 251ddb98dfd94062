/**
 * Q8_0 blocks <-> quanta int8 group tensors (groups of 32 along the last axis, zero point 0).
 * A Q8_0 code q stands for q * d, so it stays int8 code q with scale d widened from fp16 to
 * float32: (code - 0) * scale is then the same float32 product as ggml's q * d.
 */
import { invalid } from '../errors';
import type { QuantizedTensor } from '../tensor';
import type { GgmlTensor } from './blocks';
import { GGML_BLOCK_VALUES, GGML_Q8_0_BLOCK_BYTES, readGgmlTensor, viewOf } from './blocks';
import { readFp16 } from './fp16';
import { checkGroupTensor, ggmlScheme } from './group-tensor';
import type { ToGgmlOptions } from './scales';
import { fp16Scale } from './scales';

/**
 * Q8_0 blocks as an int8 QuantizedTensor with the same dims; lossless. ggml's own codes lie in
 * [-127, 127], but any int8 in a block carries over, so the scheme records [-128, 127]. Scales
 * are d = amax / 127 >= 0: an all-zero block has scale 0, and a block past fp16's range has
 * +Inf. quanta's dequantizeLinear accepts only finite scales > 0 and rejects such tensors; read
 * them with dequantizeQ8_0 on the blocks instead.
 */
export function q8_0ToInt8(blocks: unknown): QuantizedTensor {
  const t = readGgmlTensor(blocks, 'q8_0', 'blocks');
  const groups = t.data.length / GGML_Q8_0_BLOCK_BYTES;
  const data = new Int8Array(groups * GGML_BLOCK_VALUES);
  const scale = new Float32Array(groups);
  const view = viewOf(t.data);
  const codes = new Int8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  for (let b = 0; b < groups; b++) {
    const src = b * GGML_Q8_0_BLOCK_BYTES;
    scale[b] = readFp16(view, src);
    data.set(codes.subarray(src + 2, src + 2 + GGML_BLOCK_VALUES), b * GGML_BLOCK_VALUES);
  }
  return {
    dtype: 'int8',
    dims: [...t.dims],
    data,
    scale,
    zeroPoint: new Int32Array(groups),
    axis: t.dims.length - 1,
    blockSize: GGML_BLOCK_VALUES,
    scheme: ggmlScheme(-128, 127),
  };
}

/**
 * An int8 QuantizedTensor in groups of 32 along its last axis with zero point 0, as Q8_0 blocks
 * (the inverse of q8_0ToInt8). Codes carry over exactly, -128 included (ggml never writes it but
 * reads it); scales must be exact fp16 values, otherwise this throws ERR_QUANTA_INVALID_SCALE,
 * or with { roundScales: true } rounds them to the nearest fp16, the one place information is
 * lost. Other layouts have no Q8_0 form and are rejected.
 */
export function int8ToQ8_0(q: QuantizedTensor, options: ToGgmlOptions = {}): GgmlTensor {
  const count = checkGroupTensor(q, 'int8', 'q');
  if (!(q.data instanceof Int8Array) || q.data.length !== count) {
    throw invalid('ERR_QUANTA_INVALID_SHAPE', 'q.data', `an Int8Array of ${count} codes`, q.data);
  }
  const groups = count / GGML_BLOCK_VALUES;
  const out = new Uint8Array(groups * GGML_Q8_0_BLOCK_BYTES);
  const view = viewOf(out);
  const codes = new Int8Array(out.buffer);
  for (let b = 0; b < groups; b++) {
    const dst = b * GGML_Q8_0_BLOCK_BYTES;
    view.setUint16(dst, fp16Scale(q.scale[b]!, b, 'q.scale', options), true);
    codes.set(q.data.subarray(b * GGML_BLOCK_VALUES, (b + 1) * GGML_BLOCK_VALUES), dst + 2);
  }
  return { type: 'q8_0', dims: [...q.dims], data: out };
}
