// The float32 GEMM kernel family: the packed-B layout every path reads, and the block kernel
// signature (one K slice of an M x N block, with its bias / relu epilogue).
//
// Arithmetic, the same on every path so that results are bit-identical across paths and thread
// counts (no reassociation anywhere): for each output element and each K slice [k0, k1),
//   acc = 0;  for k = k0, k0 + 1, ..., k1 - 1 (in order): acc = fmaf(A[m, k], B[k, n], acc)
// the first slice stores c = acc, each later slice c = c + acc (slices in order); after the last
// slice c = c + bias[n] (only when there is a bias: an absent bias is not an added 0, which would
// turn -0 into +0), then with relu c = (0 > c) ? 0 : c (x86 MAXPS(0, c): NaN propagates, as in
// PyTorch). The slicing depends on K only (runtime/sgemm.h), never on the thread count.
#pragma once

#include <cstddef>

#include "quanta/isa.h"

namespace quanta {

// ---- packed B ----
// Columns in panels of 48 (N padded to a multiple of 48 with zero columns), K-major inside a
// panel: row k of panel p is the 48 floats at data + p * panel_stride + k * 48, column j of the
// panel at + j. A panel row is 192 bytes, three 64-byte lines: one AVX-512 tile reads it as
// three zmm, the AVX2 tile as 16-column thirds. data is 64-byte aligned.
constexpr size_t kSgemmPanel = 48;

inline constexpr size_t sgemm_panels(size_t n) { return (n + kSgemmPanel - 1) / kSgemmPanel; }
inline constexpr size_t sgemm_panel_stride(size_t k) { return k * kSgemmPanel; }

// ---- the block kernel ----
// Computes rows [0, m) x columns [0, n) of the output for the K slice held by `a` and `b`
// (the arithmetic above): c is stored (first) or added to, and the epilogue applied (last).
struct SgemmBlock {
  // A slice: m rows, row r at a + r * a_stride floats, k floats each.
  const float* a;
  size_t a_stride;
  size_t m;
  // B slice: the block's first panel at b (already offset to the slice's first k row), the next
  // panels every b_panel_stride floats. Columns past n (up to the panel's end) are readable.
  const float* b;
  size_t b_panel_stride;
  size_t k;
  size_t n;
  bool first;  // store the slice's sums (else add them to c)
  bool last;   // apply bias and relu
  const float* bias;  // per column of the block, or null (used when last)
  bool relu;
  // Output rows: row r at c + r * ldc floats; only columns [0, n) are read or written.
  float* c;
  size_t ldc;
};

using SgemmBlockFn = void (*)(const SgemmBlock& block);

struct KernelTable;
void register_ref_sgemm_kernels(KernelTable* t);
#if defined(__x86_64__) || defined(_M_X64)
void register_avx2_sgemm_kernels(KernelTable* t);
void register_avx512_sgemm_kernels(KernelTable* t);
#endif

namespace ref {
// The reference block kernel (scalar, std::fma in the order above).
void sgemm_f32_block(const SgemmBlock& block);
}  // namespace ref

}  // namespace quanta
