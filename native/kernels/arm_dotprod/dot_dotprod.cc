// u8 x s8 dot product with SDOT (Armv8.2 dot-product extension). SDOT multiplies s8 by s8, so a
// is shifted into s8 range: a*b = (a - 128)*b + 128*b, and sum(b) comes from a second SDOT
// against ones. Both sums wrap modulo 2^32 like the reference.
#include <arm_neon.h>

#include "quanta/kernels.h"

namespace quanta {

namespace {

int32_t dot_u8s8_dotprod(const uint8_t* a, const int8_t* b, size_t k) {
  const int8x16_t ones = vdupq_n_s8(1);
  const uint8x16_t bias = vdupq_n_u8(0x80);
  int32x4_t shifted = vdupq_n_s32(0), bsum = vdupq_n_s32(0);
  size_t i = 0;
  for (; i + 16 <= k; i += 16) {
    const int8x16_t va = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(a + i), bias));
    const int8x16_t vb = vld1q_s8(b + i);
    shifted = vdotq_s32(shifted, va, vb);
    bsum = vdotq_s32(bsum, ones, vb);
  }
  uint32_t sum = vaddvq_u32(vreinterpretq_u32_s32(shifted)) +
                 128u * vaddvq_u32(vreinterpretq_u32_s32(bsum));
  for (; i < k; ++i) sum += static_cast<uint32_t>(int32_t{a[i]} * int32_t{b[i]});
  return static_cast<int32_t>(sum);
}

}  // namespace

void register_dotprod_kernels(KernelTable* t) {
  t->dot_u8s8 = dot_u8s8_dotprod;
  t->dot_isa = Isa::dotprod;
  register_dotprod_gemm_kernels(t);
  register_dotprod_int4_kernels(t);
}

}  // namespace quanta
