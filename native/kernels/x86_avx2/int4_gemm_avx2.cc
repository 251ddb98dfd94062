// int4 weight-only GEMM on AVX2 + FMA: one row at a time over two panels (float path) or one
// panel (int8 path) of two ymm halves of 8 columns, in quanta/int4_gemm.h's operation order lane
// by lane, so the float results are the reference's bits. The int8 path has no VPDPBUSD here: VPMADDUBSW (u8 nibble x s8 code, pairs
// summed in int16) then VPMADDWD by ones. It cannot saturate: a pair is at most 2 * 15 * 127 =
// 3810 in magnitude. The activation quantizer stays the reference's (O(M * K) work).
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

// Two panels per pass (four ymm halves): four independent FMA chains per row, the float order
// being one chain per column. The zero-point vectors stay in registers only when every zero
// point is 8 (SYM: one shared vector); otherwise they are reloaded per use (16 ymm registers).
template <bool SYM>
void panel_pair_row_f32(const Int4GemmArgs& a, size_t r, size_t p, size_t count) {
  const Int4Layout& w = *a.w;
  const size_t chunks = w.group / kInt4ChunkK;
  const __m256i low4 = _mm256_set1_epi32(0x0F);
  const __m256i magic = _mm256_set1_epi32(0x4B000000);  // float 2^23 + nibble, minus 2^23 + z
  const __m256 zf8 = _mm256_castsi256_ps(_mm256_add_epi32(magic, _mm256_set1_epi32(8)));
  const uint8_t* pan0 = w.data + p * w.panel_stride;
  const uint8_t* pan1 = count > 1 ? pan0 + w.panel_stride : pan0;  // one panel: computed twice
  const float* x = a.x + r * a.ldx;
  __m256 f0 = _mm256_setzero_ps(), f1 = _mm256_setzero_ps(), f2 = _mm256_setzero_ps(), f3 = _mm256_setzero_ps();
  alignas(32) float zf[4][8];
  for (size_t g = 0; g < w.groups; ++g) {
    if (!SYM) {
      _mm256_store_ps(zf[0], _mm256_castsi256_ps(_mm256_add_epi32(magic, zero_points(w, pan0, g, 0))));
      _mm256_store_ps(zf[1], _mm256_castsi256_ps(_mm256_add_epi32(magic, zero_points(w, pan0, g, 1))));
      _mm256_store_ps(zf[2], _mm256_castsi256_ps(_mm256_add_epi32(magic, zero_points(w, pan1, g, 0))));
      _mm256_store_ps(zf[3], _mm256_castsi256_ps(_mm256_add_epi32(magic, zero_points(w, pan1, g, 1))));
    }
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps(), s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    for (size_t c = 0; c < chunks; ++c) {
      const size_t off = g * w.group_bytes + c * kInt4ChunkBytes;
      // Each panel is its own sequential stream: fetch 4 KiB ahead (the AVX-512 GEMV, 4 streams
      // that never break, gains nothing from it; not measured again on this path).
      _mm_prefetch(reinterpret_cast<const char*>(pan0 + off + 4096), _MM_HINT_T0);
      _mm_prefetch(reinterpret_cast<const char*>(pan1 + off + 4096), _MM_HINT_T0);
      const __m256i w0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(pan0 + off));
      const __m256i w1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(pan0 + off + 32));
      const __m256i w2 = _mm256_load_si256(reinterpret_cast<const __m256i*>(pan1 + off));
      const __m256i w3 = _mm256_load_si256(reinterpret_cast<const __m256i*>(pan1 + off + 32));
      const float* xk = x + g * w.group + c * kInt4ChunkK;
#pragma GCC unroll 8
      for (int t = 0; t < 8; ++t) {
        const __m256 xb = _mm256_broadcast_ss(xk + t);
        auto weight = [&](__m256i v, int h) {
          const __m256 biased = _mm256_castsi256_ps(_mm256_or_si256(_mm256_and_si256(_mm256_srli_epi32(v, 4 * t), low4), magic));
          return _mm256_sub_ps(biased, SYM ? zf8 : _mm256_load_ps(zf[h]));
        };
        s0 = _mm256_fmadd_ps(weight(w0, 0), xb, s0);
        s1 = _mm256_fmadd_ps(weight(w1, 1), xb, s1);
        s2 = _mm256_fmadd_ps(weight(w2, 2), xb, s2);
        s3 = _mm256_fmadd_ps(weight(w3, 3), xb, s3);
      }
    }
    const float* sc0 = reinterpret_cast<const float*>(pan0 + g * w.group_bytes + chunks * kInt4ChunkBytes);
    const float* sc1 = reinterpret_cast<const float*>(pan1 + g * w.group_bytes + chunks * kInt4ChunkBytes);
    f0 = _mm256_fmadd_ps(s0, _mm256_load_ps(sc0), f0);
    f1 = _mm256_fmadd_ps(s1, _mm256_load_ps(sc0 + 8), f1);
    f2 = _mm256_fmadd_ps(s2, _mm256_load_ps(sc1), f2);
    f3 = _mm256_fmadd_ps(s3, _mm256_load_ps(sc1 + 8), f3);
  }
  store(a, r, p, 0, f0);
  store(a, r, p, 1, f1);
  if (count > 1) {
    store(a, r, p + 1, 0, f2);
    store(a, r, p + 1, 1, f3);
  }
}

void gemm_f32(const Int4GemmArgs& a) {
  const size_t end = a.panel0 + a.panel_count;
  for (size_t p = a.panel0; p < end; p += 2) {
    const size_t count = std::min<size_t>(2, end - p);
    for (size_t r = 0; r < a.m; ++r) {
      if (a.w->has_zp) panel_pair_row_f32<false>(a, r, p, count);
      else panel_pair_row_f32<true>(a, r, p, count);
    }
  }
}

void panel_row_s8(const Int4GemmArgs& a, size_t r, size_t p) {
  const Int4Layout& w = *a.w;
  const size_t chunks = w.group / kInt4ChunkK;
  const __m256i low4 = _mm256_set1_epi8(0x0F);
  const __m256i ones = _mm256_set1_epi16(1);
  const uint8_t* pan = w.data + p * w.panel_stride;
  const int8_t* q = a.xq + r * a.ldq;
  __m256 f0 = _mm256_setzero_ps(), f1 = _mm256_setzero_ps();
  for (size_t g = 0; g < w.groups; ++g) {
    __m256i i0 = _mm256_setzero_si256(), i1 = _mm256_setzero_si256();
    for (size_t c = 0; c < chunks; ++c) {
      const uint8_t* chunk = pan + g * w.group_bytes + c * kInt4ChunkBytes;
      _mm_prefetch(reinterpret_cast<const char*>(chunk + 4096), _MM_HINT_T0);
      const __m256i w0 = _mm256_load_si256(reinterpret_cast<const __m256i*>(chunk));
      const __m256i w1 = _mm256_load_si256(reinterpret_cast<const __m256i*>(chunk + 32));
      const size_t k0 = g * w.group + c * kInt4ChunkK;
      int32_t even, odd;
      std::memcpy(&even, q + k0, 4);
      std::memcpy(&odd, q + k0 + 4, 4);
      const __m256i xe = _mm256_set1_epi32(even), xo = _mm256_set1_epi32(odd);
      auto dot4 = [&](__m256i nib, __m256i xs) { return _mm256_madd_epi16(_mm256_maddubs_epi16(nib, xs), ones); };
      i0 = _mm256_add_epi32(i0, dot4(_mm256_and_si256(w0, low4), xe));
      i0 = _mm256_add_epi32(i0, dot4(_mm256_and_si256(_mm256_srli_epi16(w0, 4), low4), xo));
      i1 = _mm256_add_epi32(i1, dot4(_mm256_and_si256(w1, low4), xe));
      i1 = _mm256_add_epi32(i1, dot4(_mm256_and_si256(_mm256_srli_epi16(w1, 4), low4), xo));
    }
    const float* sc = reinterpret_cast<const float*>(pan + g * w.group_bytes + chunks * kInt4ChunkBytes);
    const __m256i sum = _mm256_set1_epi32(a.xsum[r * a.ldg + g]);
    const __m256 d = _mm256_set1_ps(a.xd[r * a.ldg + g]);
    const __m256i dot0 = _mm256_sub_epi32(i0, _mm256_mullo_epi32(zero_points(w, pan, g, 0), sum));
    const __m256i dot1 = _mm256_sub_epi32(i1, _mm256_mullo_epi32(zero_points(w, pan, g, 1), sum));
    f0 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot0), _mm256_mul_ps(_mm256_load_ps(sc), d), f0);
    f1 = _mm256_fmadd_ps(_mm256_cvtepi32_ps(dot1), _mm256_mul_ps(_mm256_load_ps(sc + 8), d), f1);
  }
  store(a, r, p, 0, f0);
  store(a, r, p, 1, f1);
}

template <void (*PanelRow)(const Int4GemmArgs&, size_t, size_t)>
void gemm(const Int4GemmArgs& a) {
  for (size_t p = a.panel0; p < a.panel0 + a.panel_count; ++p) {
    for (size_t r = 0; r < a.m; ++r) PanelRow(a, r, p);
  }
}

}  // namespace

void register_avx2_int4_kernels(KernelTable* t) {
  t->int4_gemm_f32 = gemm_f32;
  t->int4_gemm_s8 = gemm<panel_row_s8>;
  t->int4_isa = Isa::avx2;
}

}  // namespace quanta
