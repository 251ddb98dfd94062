// The memory-read kernel with NEON (quanta/memory_read.h): 16-byte loads, four sums of 2 x 64
// bits (64 bytes per iteration); the last partial 64 bytes go to the reference.
#include <arm_neon.h>

#include "quanta/kernels.h"

namespace quanta {

namespace {

uint64_t read_sum_neon(const uint8_t* p, size_t n) {
  uint64x2_t s0 = vdupq_n_u64(0), s1 = s0, s2 = s0, s3 = s0;
  size_t i = 0;
  for (; i + 64 <= n; i += 64) {
    s0 = vaddq_u64(s0, vreinterpretq_u64_u8(vld1q_u8(p + i)));
    s1 = vaddq_u64(s1, vreinterpretq_u64_u8(vld1q_u8(p + i + 16)));
    s2 = vaddq_u64(s2, vreinterpretq_u64_u8(vld1q_u8(p + i + 32)));
    s3 = vaddq_u64(s3, vreinterpretq_u64_u8(vld1q_u8(p + i + 48)));
  }
  return vaddvq_u64(vaddq_u64(vaddq_u64(s0, s1), vaddq_u64(s2, s3))) + ref::read_sum(p + i, n - i);
}

}  // namespace

void register_neon_memory_read_kernels(KernelTable* t) {
  t->read_sum = read_sum_neon;
  t->read_isa = Isa::neon;
}

}  // namespace quanta
