/** ggml Q4_0: 32 values per block, an fp16 scale d = max / -8 and 32 four-bit codes. */
import type { Float32Tensor } from '../tensor';
import { float32Tensor } from '../tensor';
import type { GgmlTensor } from './blocks';
import { GGML_BLOCK_VALUES, GGML_Q4_0_BLOCK_BYTES, readGgmlTensor, viewOf } from './blocks';
import { castToInt8 } from './float32';
import { readFp16, writeFp16 } from './fp16';
import { readBlockInput } from './input';

const HALF = GGML_BLOCK_VALUES / 2;

/** MIN(15, (int8_t)(x0 + 8.5f)) as a byte, from quantize_row_q4_0_ref. */
function code(x0: number): number {
  return Math.min(15, castToInt8(Math.fround(x0 + 8.5))) & 0xff;
}

/**
 * Quantizes float32 `x` to Q4_0 blocks, byte for byte as llama.cpp's quantize_row_q4_0_ref
 * (ggml/src/ggml-quants.c): max is the first value of largest magnitude, sign kept; d = max / -8
 * (so -0 for an all-zero block) and id = 1/d in float32; code = MIN(15, (int8_t)(x*id + 8.5f)),
 * a truncation that rounds halfway cases up; byte j = code[j] | code[j + 16] << 4 after the fp16
 * d. The two float32 roundings of x*id + 8.5f are kept (ggml-base is built without FMA), so a
 * value a float32 ulp below a halfway point can round up too (0.49999997 + 8.5f is 9.0f). This
 * is llama-quantize's path without an importance matrix (with one it runs quantize_row_q4_0_impl).
 * The last dimension must be a multiple of 32 and every value finite; a |max| of about 65520 * 8
 * or more stores an infinite d (of the opposite sign to max), as ggml does.
 */
export function quantizeQ4_0(x: unknown): GgmlTensor {
  const { data, dims } = readBlockInput(x, 'x');
  const blocks = data.length / GGML_BLOCK_VALUES;
  const out = new Uint8Array(blocks * GGML_Q4_0_BLOCK_BYTES);
  const view = viewOf(out);
  for (let b = 0; b < blocks; b++) {
    const src = b * GGML_BLOCK_VALUES;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < GGML_BLOCK_VALUES; j++) {
      const v = data[src + j]!;
      if (amax < Math.abs(v)) {
        amax = Math.abs(v);
        max = v;
      }
    }
    const d = Math.fround(max / -8);
    const id = d !== 0 ? Math.fround(1 / d) : 0;
    const dst = b * GGML_Q4_0_BLOCK_BYTES;
    writeFp16(view, dst, d);
    for (let j = 0; j < HALF; j++) {
      const lo = code(Math.fround(data[src + j]! * id));
      const hi = code(Math.fround(data[src + HALF + j]! * id));
      out[dst + 2 + j] = lo | ((hi << 4) & 0xff);
    }
  }
  return { type: 'q4_0', dims, data: out };
}

/**
 * Float32 values of Q4_0 blocks (a GgmlTensor, or a Uint8Array of whole blocks read as 1-D),
 * bit for bit as dequantize_row_q4_0 (ggml/src/ggml-quants.c): (nibble - 8) * d in float32.
 * An infinite or NaN d gives infinite / NaN values, as in ggml.
 */
export function dequantizeQ4_0(blocks: unknown): Float32Tensor {
  const t = readGgmlTensor(blocks, 'q4_0', 'blocks');
  const count = (t.data.length / GGML_Q4_0_BLOCK_BYTES) * GGML_BLOCK_VALUES;
  const y = new Float32Array(count);
  const view = viewOf(t.data);
  for (let b = 0, src = 0; src < t.data.length; b++, src += GGML_Q4_0_BLOCK_BYTES) {
    const d = readFp16(view, src);
    const base = b * GGML_BLOCK_VALUES;
    for (let j = 0; j < HALF; j++) {
      const byte = t.data[src + 2 + j]!;
      y[base + j] = ((byte & 0x0f) - 8) * d;
      y[base + HALF + j] = ((byte >> 4) - 8) * d;
    }
  }
  return float32Tensor(y, t.dims);
}
