// int4 weight-only GEMM, int8 activations, with AVX-VNNI (VEX VPDPBUSD on ymm, for CPUs that
// have it without AVX-512): the raw nibbles are the u8 operand, the s8 codes the other, the zero
// point comes off as z * sum(q) once per group, and the float steps are quanta/int4_gemm.h's,
// lane by lane, so the results are the reference's bits. One row x two panels (four ymm halves)
// per pass, low and high nibbles in separate sums: 8 independent VPDPBUSD chains. The float
// path stays AVX2's (built without AVX-512 flags, as every file of this folder).
#include <immintrin.h>

#include <algorithm>
#include <cstring>

#include "kernels/x86_avx2/int4_ymm.h"
#include "quanta/int4_gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

using int4_ymm::store;
using int4_ymm::zero_points;

// Group g's D for the two halves of one panel, from its sums (low + high nibbles).
inline void finish(const Int4GemmArgs& a, const uint8_t* pan, size_t r, size_t g, __m256i s0, __m256i s1, __m256* f0, __m256* f1) {
  const Int4Layout& w = *a.w;
  const float* sc = reinterpret_cast<const float*>(pan + g * w.group_bytes + w.group / kInt4ChunkK * kInt4ChunkBytes);
  const __m256i sum = _mm256_set1_epi32(a.xsum[r * a.ldg + g]);
  const __m256 d = _mm256_set1_ps(a.xd[r * a.ldg + g]);
  const __m256i dot0 = _mm256_sub_epi32(s0, _mm256_mullo_epi32(zero_points(w, pan, g, 0), sum));
  const __m256i dot1 = _mm256_sub_epi32(s1, _mm256_mullo_epi32(zero_points(w, pan, g, 1), sum));
  *f0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot0), _mm256_mul_ps(_mm256_load_ps(sc), d), *f0);
  *f1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot1), _mm256_mul_ps(_mm256_load_ps(sc + 8), d), *f1);
}

// Panels p and p + step (count 2), or p alone (count 1).
void panel_pair_row_s8(const Int4GemmArgs& a, size_t r, size_t p, size_t count, size_t step) {
  const Int4Layout& w = *a.w;
  const size_t chunks = w.group / kInt4ChunkK;
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  const uint8_t* pan0 = w.data + p * w.panel_stride;
  // One panel: computed twice.
  const uint8_t* pan1 = count > 1 ? pan0 + step * w.panel_stride : pan0;
  const int8_t* q = a.xq + r * a.ldq;
  __m256 f0 = _mm256_setzero_ps(), f1 = _mm256_setzero_ps(), f2 = _mm256_setzero_ps(), f3 = _mm256_setzero_ps();
  for (size_t g = 0; g < w.groups; ++g) {
    __m256i l0 = _mm256_setzero_si256(), l1 = l0, l2 = l0, l3 = l0, h0 = l0, h1 = l0, h2 = l0, h3 = l0;
    for (size_t c = 0; c < chunks; ++c) {
      const size_t off = g * w.group_bytes + c * kInt4ChunkBytes;
      // Each panel is its own sequential stream: fetch 4 KiB ahead (the AVX-512 GEMV, 4 streams
      // that never break, gains nothing from it; not measured again on this path).
      _mm_prefetch(reinterpret_cast<const char*>(pan0 + off + 4096), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(pan1 + off + 4096), _MM_HINT_T0);
      const size_t k0 = g * w.group + c * kInt4ChunkK;
      int32_t even, odd;
      std::memcpy(&even, q + k0, 4);
      std::memcpy(&odd, q + k0 + 4, 4);
      const __m256i xe = _mm256_set1_epi32(even), xo = _mm256_set1_epi32(odd);
#define QUANTA_INT4_HALF(i, pan, at)                                                                    \
  {                                                                                                     \
    const __m256i raw = _mm256_load_si256(reinterpret_cast<const __m256i*>(pan + off + at));            \
    l##i = _mm256_dpbusd_avx_epi32(l##i, _mm256_and_si256(raw, low4), xe);                              \
    h##i = _mm256_dpbusd_avx_epi32(h##i, _mm256_and_si256(_mm256_srli_epi16(raw, 4), low4), xo);        \
  }
      QUANTA_INT4_HALF(0, pan0, 0)
      QUANTA_INT4_HALF(1, pan0, 32)
      QUANTA_INT4_HALF(2, pan1, 0)
      QUANTA_INT4_HALF(3, pan1, 32)
#undef QUANTA_INT4_HALF
    }
    finish(a, pan0, r, g, _mm256_add_epi32(l0, h0), _mm256_add_epi32(l1, h1), &f0, &f1);
    finish(a, pan1, r, g, _mm256_add_epi32(l2, h2), _mm256_add_epi32(l3, h3), &f2, &f3);
  }
  store(a, r, p, 0, f0);
  store(a, r, p, 1, f1);
  if (count > 1) {
    store(a, r, p + step, 0, f2);
    store(a, r, p + step, 1, f3);
  }
}

void gemm_s8_avxvnni(const Int4GemmArgs& a) {
  const size_t end = a.panel0 + a.panel_count;
  size_t p = a.panel0;
  if (a.m == 1) {
    // GEMV: a pair's panels come from the two halves of the range, so each stream runs through
    // half the weights without a break (adjacent pairs restart a stream per pair; see the
    // AVX-512 kernel).
    const size_t half = (end - p) / 2;
    for (size_t i = 0; i < half; ++i) panel_pair_row_s8(a, 0, p + i, 2, half);
    p += 2 * half;
  }
  for (; p < end; p += 2) {
    const size_t count = std::min<size_t>(2, end - p);
    for (size_t r = 0; r < a.m; ++r) panel_pair_row_s8(a, r, p, count, 1);
  }
}

}  // namespace

void register_avxvnni_int4_kernels(KernelTable* t) {
  t->int4_gemm_s8 = gemm_s8_avxvnni;
  t->int4_isa = Isa::avxvnni;
}

}  // namespace quanta
