// The memory-read kernel with AVX2 (quanta/memory_read.h): 32-byte loads, four sums of 4 x 64
// bits (128 bytes per iteration); the last partial 128 bytes go to the reference.
#include <immintrin.h>

#include "quanta/kernels.h"

namespace quanta {

namespace {

uint64_t read_sum_avx2(const uint8_t* p, size_t n) {
  __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 128 <= n; i += 128) {
    s0 = _mm256_add_epi64(s0, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i)));
    s1 = _mm256_add_epi64(s1, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 32)));
    s2 = _mm256_add_epi64(s2, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 64)));
    s3 = _mm256_add_epi64(s3, _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p + i + 96)));
  }
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes),
                     _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3)));
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + ref::read_sum(p + i, n - i);
}

}  // namespace

void register_avx2_memory_read_kernels(KernelTable* t) {
  t->read_sum = read_sum_avx2;
  t->read_isa = Isa::avx2;
}

}  // namespace quanta
