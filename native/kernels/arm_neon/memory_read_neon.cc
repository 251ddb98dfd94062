// The memory-read kernel with NEON (quanta/memory_read.h): 16-byte loads from four streams, one
// per quarter of the buffer (as the AVX-512 kernel, which says why), each advancing 64 bytes per
// iteration; the bytes past the last whole quarter go to the reference.
#include <arm_neon.h>

#include "quanta/kernels.h"

namespace quanta {

namespace {

inline uint64x2_t load(const uint8_t* p) { return vreinterpretq_u64_u8(vld1q_u8(p)); }

inline uint64x2_t sum_line(const uint8_t* p) {
  return vaddq_u64(vaddq_u64(load(p), load(p + 16)), vaddq_u64(load(p + 32), load(p + 48)));
}

uint64_t read_sum_neon(const uint8_t* p, size_t n) {
  const size_t quarter = n / 4 / 64 * 64;
  const uint8_t* q1 = p + quarter;
  const uint8_t* q2 = q1 + quarter;
  const uint8_t* q3 = q2 + quarter;
  uint64x2_t s0 = vdupq_n_u64(0), s1 = s0, s2 = s0, s3 = s0;
  for (size_t i = 0; i < quarter; i += 64) {
    s0 = vaddq_u64(s0, sum_line(p + i));
    s1 = vaddq_u64(s1, sum_line(q1 + i));
    s2 = vaddq_u64(s2, sum_line(q2 + i));
    s3 = vaddq_u64(s3, sum_line(q3 + i));
  }
  return vaddvq_u64(vaddq_u64(vaddq_u64(s0, s1), vaddq_u64(s2, s3))) + ref::read_sum(p + 4 * quarter, n - 4 * quarter);
}

}  // namespace

void register_neon_memory_read_kernels(KernelTable* t) {
  t->read_sum = read_sum_neon;
  t->read_isa = Isa::neon;
}

}  // namespace quanta
