/**
 * fp16 <-> float32 as ggml converts them (GGML_FP32_TO_FP16 / GGML_FP16_TO_FP32 in
 * ggml/src/ggml-impl.h, or F16C's _cvtss_sh(x, 0) in ggml-cpu): one rounding to nearest, ties to
 * even, fp16 subnormals kept, overflow to infinity. @petamoriken/float16 rounds the same way
 * from a JS number, and every value converted here is already a float32, so rounding it from
 * float64 is the same single rounding; test/ggml/fp16.test.ts checks both directions against
 * ggml's own functions (exhaustively for fp16 -> float32; float32 -> fp16 was also compared once,
 * outside the suite, on all 738M float32 values of magnitude 2^-26 to 2^18, with no difference).
 */
import { getFloat16, setFloat16 } from '@petamoriken/float16';

const scratch = new DataView(new ArrayBuffer(2));

/** The fp16 bit pattern nearest to float32 `x` (ggml_compute_fp32_to_fp16). */
export function fp32ToFp16Bits(x: number): number {
  setFloat16(scratch, 0, x, true);
  return scratch.getUint16(0, true);
}

/** The float32 value of fp16 bits `h` (ggml_compute_fp16_to_fp32); always exact. */
export function fp16BitsToFp32(h: number): number {
  scratch.setUint16(0, h, true);
  return getFloat16(scratch, 0, true);
}

/** Writes float32 `x` as a little-endian fp16 at `offset` (ggml's ggml_half, on x86 and ARM). */
export function writeFp16(view: DataView, offset: number, x: number): void {
  setFloat16(view, offset, x, true);
}

/** Reads the little-endian fp16 at `offset` as a float32 value. */
export function readFp16(view: DataView, offset: number): number {
  return getFloat16(view, offset, true);
}
