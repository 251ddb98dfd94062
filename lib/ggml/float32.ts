/**
 * The two C conversions ggml's and MLAS's reference quantizers rely on, reproduced exactly.
 * Float32 arithmetic itself is Math.fround after each float64 operation: for +, -, *, / of
 * float32 operands that double rounding equals the single float32 rounding C performs.
 */

/**
 * C's roundf: the nearest integer, halfway cases away from zero (2.5 -> 3, -2.5 -> -3), as
 * quantize_row_q8_0_ref (ggml/src/ggml-quants.c) and MLAS's blockwise quantizer
 * (onnxruntime/core/mlas/lib/q4_dq.cpp) use it. `v + 0.5` is exact in float64 for any float32
 * `v` below 2^52, so 0.49999997 stays below 1 and rounds to 0, as roundf does.
 */
export function roundHalfAway(v: number): number {
  return v < 0 ? -Math.floor(-v + 0.5) : Math.floor(v + 0.5);
}

/**
 * A C cast of float to int8_t (or uint8_t) as x86 compilers emit it: CVTTSS2SI truncates to a
 * 32-bit integer, answering 0x80000000 for NaN and out-of-range values, and the low byte is kept.
 * C leaves those out-of-range casts undefined; in ggml's quantizers they happen only when 1/d
 * overflows to infinity (a float32-subnormal scale), and there x86 gives 0 for every value.
 * Returns the signed low byte.
 */
export function castToInt8(v: number): number {
  if (!(v > -2147483649 && v < 2147483648)) return 0;
  return (Math.trunc(v) << 24) >> 24;
}
