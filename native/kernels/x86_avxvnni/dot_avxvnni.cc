// u8 x s8 dot product with VEX-encoded VPDPBUSD on ymm (AVX-VNNI). Built without any AVX-512
// flag, so the compiler cannot emit EVEX instructions a CPU without AVX-512 would fault on.
#include <immintrin.h>

#include "quanta/kernels.h"

namespace quanta {

namespace {

int32_t dot_u8s8_avxvnni(const uint8_t* a, const int8_t* b, size_t k) {
  __m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
  size_t i = 0;
  for (; i + 64 <= k; i += 64) {
    const auto* pa = reinterpret_cast<const __m256i*>(a + i);
    const auto* pb = reinterpret_cast<const __m256i*>(b + i);
    acc0 = _mm256_dpbusd_avx_epi32(acc0, _mm256_loadu_si256(pa), _mm256_loadu_si256(pb));
    acc1 = _mm256_dpbusd_avx_epi32(acc1, _mm256_loadu_si256(pa + 1), _mm256_loadu_si256(pb + 1));
  }
  for (; i + 32 <= k; i += 32) {
    acc0 = _mm256_dpbusd_avx_epi32(acc0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(a + i)),
                                   _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + i)));
  }
  alignas(32) int32_t lanes[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), _mm256_add_epi32(acc0, acc1));
  uint32_t sum = 0;
  for (int32_t v : lanes) sum += static_cast<uint32_t>(v);
  for (; i < k; ++i) sum += static_cast<uint32_t>(int32_t{a[i]} * int32_t{b[i]});
  return static_cast<int32_t>(sum);
}

}  // namespace

void register_avxvnni_kernels(KernelTable* t) {
  t->dot_u8s8 = dot_u8s8_avxvnni;
  t->dot_isa = Isa::avxvnni;
  register_avxvnni_gemm_kernels(t);
  register_avxvnni_int4_kernels(t);
}

}  // namespace quanta
