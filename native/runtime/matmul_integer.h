// ONNX MatMulInteger on the row dot-product kernels: Y = (A - a_zp) (B - b_zp) in int32.
// A simple engine (one dot product per output); the packed int8 GEMM engine replaces it for speed.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quanta/kernels.h"

namespace quanta {

struct MatmulIntegerShape {
  size_t m = 0, k = 0, n = 0;
};

// a: [M, K], b: [K, N], both int8 (when *_signed) or uint8. Zero points: 1 (per tensor) or M
// (per row of A) / N (per column of B). y: [M, N]. Results wrap modulo 2^32 as the hardware
// does; callers keep K within the documented bound so they never do.
void matmul_integer(const KernelTable& k, const MatmulIntegerShape& s, bool a_signed,
                    const uint8_t* a, const int32_t* a_zp, size_t a_zp_count, bool b_signed,
                    const uint8_t* b, const int32_t* b_zp, size_t b_zp_count, int32_t* y);

}  // namespace quanta
