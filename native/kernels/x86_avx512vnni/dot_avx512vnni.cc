// u8 x s8 dot product with VPDPBUSD on zmm: exact, wraps modulo 2^32 like the reference.
#include <immintrin.h>

#include "quanta/kernels.h"

namespace quanta {

namespace {

int32_t dot_u8s8_avx512vnni(const uint8_t* a, const int8_t* b, size_t k) {
  // Two accumulators hide VPDPBUSD's 4-cycle latency at 2 per cycle only partly; a single row
  // dot product is bound by loads anyway.
  __m512i acc0 = _mm512_setzero_si512(), acc1 = _mm512_setzero_si512();
  size_t i = 0;
  for (; i + 128 <= k; i += 128) {
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_loadu_si512(a + i), _mm512_loadu_si512(b + i));
    acc1 = _mm512_dpbusd_epi32(acc1, _mm512_loadu_si512(a + i + 64), _mm512_loadu_si512(b + i + 64));
  }
  for (; i < k; i += 64) {
    const size_t left = k - i;
    const __mmask64 m = left >= 64 ? ~__mmask64(0) : ((__mmask64(1) << left) - 1);
    acc0 = _mm512_dpbusd_epi32(acc0, _mm512_maskz_loadu_epi8(m, a + i), _mm512_maskz_loadu_epi8(m, b + i));
  }
  return _mm512_reduce_add_epi32(_mm512_add_epi32(acc0, acc1));
}

}  // namespace

void register_avx512_quantize_kernels(KernelTable* t);
void register_avx512_kmeans_kernels(KernelTable* t);
namespace avx512 {
void register_range_kernels(KernelTable* t);  // range_avx512.cc
}  // namespace avx512

void register_avx512vnni_kernels(KernelTable* t) {
  register_avx512_quantize_kernels(t);
  register_avx512_kmeans_kernels(t);
  avx512::register_range_kernels(t);
  t->dot_u8s8 = dot_u8s8_avx512vnni;
  t->dot_isa = Isa::avx512vnni;
  register_avx512vnni_gemm_kernels(t);
  register_avx512_sgemm_kernels(t);
  register_avx512vnni_int4_kernels(t);
  register_avx512_binary_kernels(t);
}

}  // namespace quanta
