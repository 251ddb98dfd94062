// The memory-read kernel with AVX-512 (quanta/memory_read.h): 64-byte loads from four streams,
// one per quarter of the buffer, each advancing 256 bytes (four cache lines) per iteration. Near
// the L3 size, reads from several streams get measurably more than one stream (27 MiB here: 1
// stream 76, 4 streams 84 GB/s; alike in L3 and in memory), and the GEMV kernels read several
// streams too. The bytes past the last whole quarter go to the reference.
#include <immintrin.h>

#include "quanta/kernels.h"

namespace quanta {

namespace {

inline __m512i sum_lines(const uint8_t* p) {
  return _mm512_add_epi64(_mm512_add_epi64(_mm512_loadu_si512(p), _mm512_loadu_si512(p + 64)),
                          _mm512_add_epi64(_mm512_loadu_si512(p + 128), _mm512_loadu_si512(p + 192)));
}

uint64_t read_sum_avx512(const uint8_t* p, size_t n) {
  const size_t quarter = n / 4 / 256 * 256;
  const uint8_t* q1 = p + quarter;
  const uint8_t* q2 = q1 + quarter;
  const uint8_t* q3 = q2 + quarter;
  __m512i s0 = _mm512_setzero_si512(), s1 = s0, s2 = s0, s3 = s0;
  for (size_t i = 0; i < quarter; i += 256) {
    s0 = _mm512_add_epi64(s0, sum_lines(p + i));
    s1 = _mm512_add_epi64(s1, sum_lines(q1 + i));
    s2 = _mm512_add_epi64(s2, sum_lines(q2 + i));
    s3 = _mm512_add_epi64(s3, sum_lines(q3 + i));
  }
  const __m512i s = _mm512_add_epi64(_mm512_add_epi64(s0, s1), _mm512_add_epi64(s2, s3));
  return static_cast<uint64_t>(_mm512_reduce_add_epi64(s)) + ref::read_sum(p + 4 * quarter, n - 4 * quarter);
}

}  // namespace

void register_avx512_memory_read_kernels(KernelTable* t) {
  t->read_sum = read_sum_avx512;
  t->read_isa = Isa::avx512vnni;
}

}  // namespace quanta
