/** ggml Q8_0: 32 values per block, an fp16 scale d = amax / 127 and 32 int8 codes. */
import type { Float32Tensor } from '../tensor';
import { float32Tensor } from '../tensor';
import type { GgmlTensor } from './blocks';
import { GGML_BLOCK_VALUES, GGML_Q8_0_BLOCK_BYTES, readGgmlTensor, viewOf } from './blocks';
import { castToInt8, roundHalfAway } from './float32';
import { readFp16, writeFp16 } from './fp16';
import { readBlockInput } from './input';

/**
 * Quantizes float32 `x` to Q8_0 blocks, byte for byte as llama.cpp's quantize_row_q8_0_ref
 * (ggml/src/ggml-quants.c): d = amax / 127 in float32; id = 1/d (0 when d is 0); each code is
 * roundf(x * id), halfway cases away from zero; d is rounded to fp16 only when stored, so the
 * codes come from the float32 d. The last dimension must be a multiple of 32 (no padding) and
 * every value finite. An amax of about 65520 * 127 (8.3e6) or more rounds d past fp16's largest
 * finite value and stores d = +Inf, as ggml does; the codes are still computed from the float32 d.
 */
export function quantizeQ8_0(x: unknown): GgmlTensor {
  const { data, dims } = readBlockInput(x, 'x');
  const blocks = data.length / GGML_BLOCK_VALUES;
  const out = new Uint8Array(blocks * GGML_Q8_0_BLOCK_BYTES);
  const view = viewOf(out);
  for (let b = 0; b < blocks; b++) {
    const src = b * GGML_BLOCK_VALUES;
    let amax = 0;
    for (let j = 0; j < GGML_BLOCK_VALUES; j++) amax = Math.max(amax, Math.abs(data[src + j]!));
    const d = Math.fround(amax / 127);
    const id = d !== 0 ? Math.fround(1 / d) : 0;
    const dst = b * GGML_Q8_0_BLOCK_BYTES;
    writeFp16(view, dst, d);
    for (let j = 0; j < GGML_BLOCK_VALUES; j++) {
      out[dst + 2 + j] = castToInt8(roundHalfAway(Math.fround(data[src + j]! * id))) & 0xff;
    }
  }
  return { type: 'q8_0', dims, data: out };
}

/**
 * Float32 values of Q8_0 blocks (a GgmlTensor, or a Uint8Array of whole blocks read as 1-D),
 * bit for bit as dequantize_row_q8_0 (ggml/src/ggml-quants.c): code * d in float32. Blocks are
 * read as they are: an infinite or NaN d gives infinite / NaN values, as in ggml.
 */
export function dequantizeQ8_0(blocks: unknown): Float32Tensor {
  const t = readGgmlTensor(blocks, 'q8_0', 'blocks');
  const count = (t.data.length / GGML_Q8_0_BLOCK_BYTES) * GGML_BLOCK_VALUES;
  const y = new Float32Array(count);
  const view = viewOf(t.data);
  const codes = new Int8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  for (let b = 0, src = 0; src < t.data.length; b++, src += GGML_Q8_0_BLOCK_BYTES) {
    const d = readFp16(view, src);
    // An int8 times a float32 is exact in float64; storing rounds it once, as C's float product.
    for (let j = 0; j < GGML_BLOCK_VALUES; j++) y[b * GGML_BLOCK_VALUES + j] = codes[src + 2 + j]! * d;
  }
  return float32Tensor(y, t.dims);
}
