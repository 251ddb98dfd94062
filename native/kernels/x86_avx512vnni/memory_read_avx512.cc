// The memory-read kernel with AVX-512 (quanta/memory_read.h): 64-byte loads, four sums of
// 8 x 64 bits (256 bytes per iteration, one cache line per load); the last partial 256 bytes go
// to the reference.
#include <immintrin.h>

#include "quanta/kernels.h"

namespace quanta {

namespace {

uint64_t read_sum_avx512(const uint8_t* p, size_t n) {
  __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 256 <= n; i += 256) {
    s0 = _mm512_add_epi64(s0, _mm512_loadu_si512(p + i));
    s1 = _mm512_add_epi64(s1, _mm512_loadu_si512(p + i + 64));
    s2 = _mm512_add_epi64(s2, _mm512_loadu_si512(p + i + 128));
    s3 = _mm512_add_epi64(s3, _mm512_loadu_si512(p + i + 192));
  }
  const __m512i s = _mm512_add_epi64(_mm512_add_epi64(s0, s1), _mm512_add_epi64(s2, s3));
  return static_cast<uint64_t>(_mm512_reduce_add_epi64(s)) + ref::read_sum(p + i, n - i);
}

}  // namespace

void register_avx512_memory_read_kernels(KernelTable* t) {
  t->read_sum = read_sum_avx512;
  t->read_isa = Isa::avx512vnni;
}

}  // namespace quanta
