// The int4 weight-only GEMM family: the packed layout every path reads, the kernel arguments,
// and the exact arithmetic (the reference defines a fixed float operation order, and every
// optimized path follows it lane by lane, so float outputs are bit-identical across paths).
//
// Weights: W[n, k] = (u[n, k] - z[n, g]) * s[n, g], g = k / G, with u and z unsigned nibbles
// 0..15 (int4 codes are stored as code + 8 and their zero points as zp + 8), s float32, groups of
// G = 32, 64 or 128. When K is not a multiple of G the last group is padded to G with u = z
// (weights of exactly 0) and inputs 0, as onnxruntime's MatMulNBits pads its last block; the
// operation order below then runs over the padded group.
//
// float32 activations, per output (m, n), groups in order g = 0, 1, ...:
//   inner = 0;  for k in group g, ascending:  inner = fmaf(float(u - z), x[m, k], inner)
//   acc   = fmaf(inner, s[n, g], acc)                                 (acc starts at +0)
//   y[m, n] = acc + bias[n]                                            (+0 without bias)
// int8 activations: each row's group g is quantized on its own (symmetric, like ggml's Q8_0
// but per weight group): d = amax / 127, q[k] = round_half_even(x[k] * (1 / d)) (0 when d = 0),
// then (ggml's Q8_0 rounds halfway cases away from zero and stores d as fp16: its codes and
// scales differ from these in ties and in d's low bits; with G = 32 the blocks are the same)
//   D     = sum_k u * q  -  z * sum_k q            (int32, exact: |D| <= 15 * 127 * 2 * G)
//   acc   = fmaf(float(D), s[n, g] * d[m, g], acc);   y[m, n] = acc + bias[n]
// D is an exact integer on every path; float(D) is exact too (|D| < 2^24).
#pragma once

#include <cstddef>
#include <cstdint>

namespace quanta {

// ---- packed layout ("N16K8 nibbles") ----
// Columns in panels of 16 (N padded with zero-scale columns). Panel p holds, for each group g in
// order, a group block of G / 8 chunks of 64 bytes followed by 16 float32 scales (64 bytes):
// chunk c's dword j (bytes 4j..4j+3, little-endian) holds column 16p + j's nibbles
// u[k0 + t] at bits 4t..4t+3, t = 0..7, k0 = g * G + 8c. One zmm load is 16 columns x 8 k, the
// weights stream once, sequentially; a dword shifted by 4t and masked is one k for 16 columns
// (float path), and the low / high nibbles of its bytes are k0 + {0,2,4,6} / k0 + {1,3,5,7}
// (int8 path: the activations are stored in that order, evens then odds per 8).
// When some zero point differs from 8 the panel ends with groups x 16 zero-point bytes (one per
// column, per group; padded to 64), a second sequential stream; otherwise z = 8 everywhere and
// nothing is stored.
constexpr size_t kInt4Panel = 16;
constexpr size_t kInt4ChunkK = 8;
constexpr size_t kInt4ChunkBytes = 64;

inline constexpr size_t int4_round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }
inline constexpr size_t int4_group_bytes(size_t group) { return group / kInt4ChunkK * kInt4ChunkBytes + 64; }
// K rounded up to whole groups: the K the kernels run over.
inline constexpr size_t int4_padded_k(size_t k, size_t group) { return int4_round_up(k, group); }

struct Int4Layout {
  size_t n = 0, k = 0, group = 0;
  size_t groups = 0;        // ceil(k / group): a partial last group is padded (see above)
  size_t panels = 0;        // ceil(n / 16)
  size_t group_bytes = 0;   // int4_group_bytes(group)
  size_t zp_offset = 0;     // where a panel's zero points start (groups * group_bytes)
  size_t panel_stride = 0;  // bytes per panel
  bool has_zp = false;      // false: z = 8 for every group
  const uint8_t* data = nullptr;  // panels * panel_stride bytes, 64-byte aligned
};

// ---- the kernels ----
// One call computes rows [0, m) x panels [panel0, panel0 + panel_count) over all groups and writes
// y[r * ldy + 16 * (p - panel0) + j] for the columns that exist (16 * p + j < layout.n).
struct Int4GemmArgs {
  const Int4Layout* w;
  size_t panel0, panel_count;
  size_t m;
  // float32 activations: row r at x + r * ldx (groups * group values).
  const float* x;
  size_t ldx;
  // int8 activations: row r's codes at xq + r * ldq (groups * group bytes, each 8 reordered as
  // k0+0,2,4,6,1,3,5,7), its group scales d at xd + r * ldg and code sums at xsum + r * ldg.
  const int8_t* xq;
  size_t ldq;
  const float* xd;
  const int32_t* xsum;
  size_t ldg;
  const float* bias;  // per column of the whole weight (index 16 * p + j), or null
  float* y;           // already offset to column 16 * panel0
  size_t ldy;
};

using Int4GemmFn = void (*)(const Int4GemmArgs& args);
// Quantizes one row of K float32 values per group (the int8 path's activations): writes K codes
// (reordered as above), groups scales and groups code sums. Bit-identical on every path.
using Int4QuantizeRowFn = void (*)(const float* x, size_t k, size_t group, int8_t* q, float* d,
                                   int32_t* sum);

struct KernelTable;
void register_ref_int4_kernels(KernelTable* t);
#if defined(__x86_64__) || defined(_M_X64)
void register_avx2_int4_kernels(KernelTable* t);
void register_avxvnni_int4_kernels(KernelTable* t);
void register_avx512vnni_int4_kernels(KernelTable* t);
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
void register_neon_int4_kernels(KernelTable* t);
void register_dotprod_int4_kernels(KernelTable* t);
#endif

namespace ref {
void int4_gemm_f32(const Int4GemmArgs& args);
void int4_gemm_s8(const Int4GemmArgs& args);
void int4_quantize_row(const float* x, size_t k, size_t group, int8_t* q, float* d, int32_t* sum);
// The position of k's code in a reordered row (evens then odds within each 8).
inline size_t int4_x_slot(size_t k) { return (k & ~size_t{7}) + ((k & 1) ? 4 + ((k & 7) >> 1) : ((k & 7) >> 1)); }
}  // namespace ref

}  // namespace quanta
