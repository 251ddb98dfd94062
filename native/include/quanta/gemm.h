// The int8 GEMM kernel family: the packed-B layout every path reads, and the block kernel
// signature (one K slice of an M x N block, with its zero-point terms and epilogue).
//
// Arithmetic: C[m, n] = sum_k (A[m, k] - za[m]) * (B[k, n] - zb[n]) in int32, computed as
//   sum_k A'[m, k] * B'[k, n]  +  colsum[n] * ra[m]  +  nzb[n] * rb[m]          (mod 2^32)
// where A' is u8 (signed A is shifted by +128, za grows by 128), B' is s8 (unsigned B is shifted by
// -128, zb shrinks by 128), colsum[n] = sum_k B'[k, n], nzb[n] = -zb[n], ra[m] = -za[m] and
// rb[m] = sum_k A'[m, k] - K * za[m]. Expanding shows it equals the definition; zero points never
// enter the K loop. Every term wraps modulo 2^32 exactly like VPDPBUSD / VPADDD / VPMULLD, so the
// result is exact whenever the true sum fits in int32 (runtime/gemm.h states the bound on K).
#pragma once

#include <cstddef>
#include <cstdint>

#include "quanta/isa.h"

namespace quanta {

// ---- packed B ("N16K4", MLAS / FBGEMM / ruy's x86 layout) ----
// Columns in panels of 16 (N padded to a multiple of 16 with zero columns); K in groups of 4
// (K padded to a multiple of 4 with zeros). Panel p holds all of K: k4 step t is the 64 bytes at
// data + p * panel_stride + t * 64, byte 4 * j + i = B'[4t + i, 16p + j] (column-major within the
// step: one zmm load feeds one VPDPBUSD for 16 columns; an AVX2 path reads it as two ymm; on Arm
// each 16 bytes are SDOT's operand, 4 columns x 4 k, and LD4 de-interleaves a step for NEON).
constexpr size_t kGemmPanel = 16;
constexpr size_t kGemmK4 = 4;
constexpr size_t kGemmStepBytes = kGemmPanel * kGemmK4;

inline constexpr size_t gemm_round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }
inline constexpr size_t gemm_k4_steps(size_t k) { return (k + kGemmK4 - 1) / kGemmK4; }
inline constexpr size_t gemm_panels(size_t n) { return (n + kGemmPanel - 1) / kGemmPanel; }
inline constexpr size_t gemm_panel_stride(size_t k) { return gemm_k4_steps(k) * kGemmStepBytes; }

// ---- the block kernel ----
// Computes rows [0, m) x columns [0, n) of the output for the K slice held by `a` and `b`,
// continuing (first == false) or starting from zero (first == true) the int32 sums in `acc`, and,
// when last == true, adding the zero-point terms and writing the epilogue (the row sums of A are
// then complete: the driver forms them while it packs the slices). All column-indexed arrays
// start at the block's first column and may be read up to the next multiple of 16 (the packer
// pads them).
enum class GemmEpilogueKind : uint8_t {
  s32,  // out = acc (int32)
  f32,  // out = fmaf(float(acc), scale_a[m] * scale_b[n], bias[n]), then max(0, .) with relu
  // out = clamp(float(acc + col_add[n]) * multiplier[n], qmin - out_zp, qmax - out_zp), rounded
  // half to even, + out_zp (scalar::requantize, as onnxruntime's MlasRequantizeOutput with its
  // int32 bias), stored as bytes.
  u8,
  s8,
};

struct GemmBlock {
  // A' slice: m rows, row r at a + r * a_stride, k4 * 4 bytes each (zero-padded past K).
  const uint8_t* a;
  size_t a_stride;
  size_t m;
  // B' slice: the block's first panel at b (already offset to the slice's first k4 step), the
  // next panels every b_panel_stride bytes, k4 steps of 64 bytes each.
  const int8_t* b;
  size_t b_panel_stride;
  size_t k4;
  size_t n;
  bool first;  // start the sums from zero (else continue those in acc)
  bool last;   // add the zero-point terms and write the epilogue
  // Zero-point terms (used when last): colsum[n] * ra[m] + nzb[n] * rb[m]. A null ra or nzb
  // means that term is zero. colsum sums B' over all of K, and is never null: a block that is
  // both first and last holds all of K, so colsum is then also its slice's column sums (the
  // dot-product kernel relies on that).
  const int32_t* colsum;
  const int32_t* nzb;
  const int32_t* ra;
  const int32_t* rb;
  // Running int32 sums: row r at acc + r * ldc (in elements). May be the f32 output itself: the
  // kernel reads and writes them only as raw 32-bit lanes.
  void* acc;
  size_t ldc;
  // Epilogue (used when last): the s32 and f32 outputs are acc itself (same ldc); u8 / s8 below.
  GemmEpilogueKind kind;
  bool relu;
  const float* scale_a;  // per row of the block, or one value when scale_a_per_row is false
  bool scale_a_per_row;
  const float* scale_b;  // per column
  const float* bias;     // per column (the packer stores zeros when there is none)
  // Requantizing epilogue (u8 / s8): bytes at out + r * ldo; acc is then a separate int32 buffer,
  // or null when the block is a single K slice (first and last: the sums never leave registers).
  const float* multiplier;  // per column
  const int32_t* col_add;   // per column, added to the sums before requantizing (the bias); or null
  int32_t out_zp, qmin, qmax;
  void* out;
  size_t ldo;
};

using GemmU8S8Fn = void (*)(const GemmBlock& block);

// GELU applied in place to n float32 values (quanta/gelu.h defines the operation sequence).
using GeluF32Fn = void (*)(float* y, size_t n);

// Registered into the kernel table by register_ref_kernels / register_avx2_kernels /
// register_avxvnni_kernels / register_avx512vnni_kernels / register_neon_kernels /
// register_dotprod_kernels.
struct KernelTable;
void register_ref_gemm_kernels(KernelTable* t);
#if defined(__x86_64__) || defined(_M_X64)
void register_avx2_gemm_kernels(KernelTable* t);
void register_avxvnni_gemm_kernels(KernelTable* t);
void register_avx512vnni_gemm_kernels(KernelTable* t);
void register_avx2_gelu_kernel(KernelTable* t);
void register_avx512_gelu_kernel(KernelTable* t);
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
void register_neon_gemm_kernels(KernelTable* t);
void register_dotprod_gemm_kernels(KernelTable* t);
#endif

namespace ref {
// The reference block kernel (scalar, int64 inside, wrapped once per slice).
void gemm_u8s8_block(const GemmBlock& block);

// The specification on unpacked inputs, for tests: out[m * N + n] = the definition above, the
// sum formed in int64 and wrapped to int32 (two's complement). a: [M, K] row-major; b: [N, K]
// when b_nk, else [K, N]; bytes are int8 when *_signed. Zero points: 1 or M (za), 1 or N (zb).
void gemm_s32_spec(size_t M, size_t N, size_t K, const uint8_t* a, bool a_signed,
                   const int32_t* za, size_t za_count, const uint8_t* b, bool b_signed, bool b_nk,
                   const int32_t* zb, size_t zb_count, int32_t* out);
// GELU in place (quanta/gelu.h's scalar definition).
void gelu_f32(float* y, size_t n);
// The f32 epilogue applied to spec results: y = fmaf(float(acc), sa * sb[n], bias[n]) (+ relu).
float gemm_f32_epilogue(int32_t acc, float scale_a, float scale_b, float bias, bool relu);
}  // namespace ref

}  // namespace quanta
