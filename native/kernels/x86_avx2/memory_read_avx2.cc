// The memory-read kernel with AVX2 (quanta/memory_read.h): 32-byte loads from four streams, one
// per quarter of the buffer (as the AVX-512 kernel, which says why), each advancing 128 bytes
// per iteration; the bytes past the last whole quarter go to the reference.
#include <immintrin.h>

#include "quanta/kernels.h"

namespace quanta {

namespace {

inline __m256i load(const uint8_t* p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)); }

inline __m256i sum_lines(const uint8_t* p) {
  return _mm256_add_epi64(_mm256_add_epi64(load(p), load(p + 32)), _mm256_add_epi64(load(p + 64), load(p + 96)));
}

uint64_t read_sum_avx2(const uint8_t* p, size_t n) {
  const size_t quarter = n / 4 / 128 * 128;
  const uint8_t* q1 = p + quarter;
  const uint8_t* q2 = q1 + quarter;
  const uint8_t* q3 = q2 + quarter;
  __m256i s0 = _mm256_setzero_si256(), s1 = s0, s2 = s0, s3 = s0;
  for (size_t i = 0; i < quarter; i += 128) {
    s0 = _mm256_add_epi64(s0, sum_lines(p + i));
    s1 = _mm256_add_epi64(s1, sum_lines(q1 + i));
    s2 = _mm256_add_epi64(s2, sum_lines(q2 + i));
    s3 = _mm256_add_epi64(s3, sum_lines(q3 + i));
  }
  alignas(32) uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes),
                     _mm256_add_epi64(_mm256_add_epi64(s0, s1), _mm256_add_epi64(s2, s3)));
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + ref::read_sum(p + 4 * quarter, n - 4 * quarter);
}

}  // namespace

void register_avx2_memory_read_kernels(KernelTable* t) {
  t->read_sum = read_sum_avx2;
  t->read_isa = Isa::avx2;
}

}  // namespace quanta
