// The int4 weight-only engine: int4 / uint4 weights in groups along K packed once into
// quanta/int4_gemm.h's layout, then Y = X . W^T (+ bias) with float32 activations (dequantized
// on the fly into FMA) or int8 activations (each row quantized per weight group, VPDPBUSD on the
// raw nibbles with a block-sum correction for the zero points), on the addon's thread pool.
// Every path and thread count gives the same float bits (the kernels share one operation order).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "quanta/int4_gemm.h"
#include "quanta/kernels.h"

namespace quanta {

struct Int4Packed {
  Int4Layout layout;
  std::shared_ptr<void> storage;
};

// Group sizes the kernels take (the chunk loops need multiples of 8; these are the ones models
// ship with).
bool int4_group_supported(size_t group);

// codes: [N, K] nibbles in ONNX order (element 2i of a row in the low nibble), rows padded to
// whole groups like MatMulNBits' B (int4_padded_k(K, group) / 2 bytes each; the padding's
// nibbles are ignored), each XORed with `flip` (8 for int4 codes: code ^ 8 = code + 8 in four
// bits, 0 for uint4) to give u. scales: [N, groups] float32, groups = ceil(K / group).
// zero_points: [N, groups] values 0..15 in u's terms, or null for 8 everywhere. Returns "" or
// what was wrong.
std::string int4_pack(const uint8_t* codes, uint8_t flip, const float* scales, const uint8_t* zero_points,
                      size_t n, size_t k, size_t group, Int4Packed* out);

enum class Int4Activations : uint8_t { f32, s8 };

// The index of the first NaN or +-Inf among x[0, count), or count when there is none (the int8
// path needs a finite range per group; the binding refuses such inputs).
size_t int4_first_non_finite(const float* x, size_t count);

// y[m, n] for x [M, K] and y [M, N] (row-major, dense; K unpadded); bias: null or N values. Non-finite x
// is the caller's business on the s8 path (it quantizes to unspecified codes, never out of
// bounds). Returns "" or what was wrong.
std::string int4_gemm(const KernelTable& kt, const Int4Packed& w, const float* x, size_t m,
                      Int4Activations acts, const float* bias, float* y);

}  // namespace quanta
