// The binary (1-bit, XNOR-Net) GEMM kernel family: bit layouts and block kernel signatures.
//
// Sign convention (lib/formats/binary.ts): bit 1 means +1 (x >= 0, so +0 and -0 give +1), bit 0
// means -1. Element k of a row is bit k % 64 of word k / 64 (on little-endian machines the same
// bytes as the binary format's "element 8i in bit 0 of byte i").
//
// binary x binary: for rows a, b of K signs, dot = K - 2 * popcount((a XOR b) & valid), where
// `valid` keeps the K real bits: bits past K in the last word may hold anything (garbage) and
// never change a result. Integer dots are exact for every K < 2^31 and equal on every path.
// float32 output: y = fmaf(float(dot), scale_a[m] * scale_b[n], bias[n]) (the int8 GEMM's order).
// With weight scales per group of G bits along K (G a multiple of 64), group by group in order:
//   acc = +0.0f;  for g: acc = fmaf(float(dot_g), scale_a[m] * scale_b[g][n], acc);  y = acc + bias[n]
// where dot_g is the dot over the group's bits (the last group may be shorter).
//
// binary weights x float32 activations: for each (m, n), in this exact order,
//   acc = +0.0f;  for k = 0, 1, ..., K - 1:  acc = acc + (bit(w[n], k) ? x[m, k] : -x[m, k]);
//   y = fmaf(acc, scale_b[n], bias[n])
// Every path adds in this order with float32 rounding after each step (no reassociation, no
// fusing), so float results are bit-identical across paths too.
#pragma once

#include <cstddef>
#include <cstdint>

namespace quanta {

constexpr size_t kBinaryWordBits = 64;
inline constexpr size_t binary_words(size_t k) { return (k + kBinaryWordBits - 1) / kBinaryWordBits; }
// The valid bits of the last word of a K-bit row (all ones when K is a multiple of 64).
inline constexpr uint64_t binary_last_mask(size_t k) {
  return k % kBinaryWordBits == 0 ? ~uint64_t{0} : (uint64_t{1} << (k % kBinaryWordBits)) - 1;
}

// ---- binary x binary: packed weights ("N8 words") ----
// Columns in panels of 8 (N padded with zero columns): word t of column 8p + j is at
// b[p * panel_stride + t * 8 + j], so one 512-bit load holds word t of 8 columns and a broadcast
// word of A meets all 8 at once: the popcounts land in the lane of their column and a tile's
// sums never need a horizontal reduction.
constexpr size_t kBinaryPanel = 8;

enum class BinaryOutKind : uint8_t {
  s32,  // out = dot (int32)
  f32,  // out = fmaf(float(dot), scale_a[m] * scale_b[n], bias[n])
  // One group of a group-scaled product (the block's slice is exactly one group, k its bits):
  // out = fmaf(float(dot), scale_a[m] * scale_b[n], first ? +0.0f : out), then + bias[n] when
  // last. Popcounts never carry between slices in this mode.
  f32_group,
};

struct BinaryGemmBlock {
  // A slice: m rows, row r at a + r * a_stride (words), `words` words each.
  const uint64_t* a;
  size_t a_stride;
  size_t m;
  // B slice: the block's first panel at b (offset to the slice's first word), the next panels
  // every b_panel_stride words.
  const uint64_t* b;
  size_t b_panel_stride;
  size_t n;
  size_t words;        // >= 1
  uint64_t last_mask;  // valid bits of this slice's last word (binary_last_mask(K) on the final slice)
  bool first;          // start the popcounts from zero (else continue the int32 counts in out)
  bool last;           // turn counts into dots and write the epilogue
  size_t k;            // K, all slices together (used when last); f32_group: this slice's bits
  // Row r at out + r * ldc (elements): running popcounts as int32 until `last`, then int32 dots
  // or float32 values (the kernel touches the lanes only as raw 32-bit values before that).
  void* out;
  size_t ldc;
  BinaryOutKind kind;
  const float* scale_a;  // per row of the block (f32)
  const float* scale_b;  // per column, from the block's first column (f32)
  const float* bias;     // per column (f32)
};
using BinaryGemmB1B1Fn = void (*)(const BinaryGemmBlock& block);

// ---- binary weights x float32 activations: packed weights ("N16 masks") ----
// Columns in panels of 16 (N padded with zero columns): for each k one 16-bit mask, bit j = the
// sign bit of column 16p + j, at w[p * panel_stride + k]. One mask selects +x or -x for 16
// columns in one blend.
constexpr size_t kBinaryF32Panel = 16;

struct BinaryF32Block {
  const float* x;  // m rows of k floats, row r at x + r * x_stride
  size_t x_stride;
  size_t m;
  const uint16_t* w;  // the block's first panel; the next every w_panel_stride masks
  size_t w_panel_stride;
  size_t n;
  size_t k;
  float* out;  // row r at out + r * ldc
  size_t ldc;
  const float* scale_b;  // per column, from the block's first column
  const float* bias;     // per column
};
using BinaryGemmB1F32Fn = void (*)(const BinaryF32Block& block);

struct KernelTable;
void register_ref_binary_kernels(KernelTable* t);
#if defined(__x86_64__) || defined(_M_X64)
void register_avx2_binary_kernels(KernelTable* t);
// AVX-512BW popcount (nibble table): every AVX512-VNNI CPU, Cascade Lake included.
void register_avx512_binary_kernels(KernelTable* t);
// VPOPCNTQ: registered over the previous one only when the CPU has AVX512_VPOPCNTDQ.
void register_avx512vpopcntdq_binary_kernels(KernelTable* t);
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
void register_neon_binary_kernels(KernelTable* t);
#endif

namespace ref {
void binary_gemm_b1b1_block(const BinaryGemmBlock& block);
void binary_gemm_b1f32_block(const BinaryF32Block& block);
}  // namespace ref

}  // namespace quanta
