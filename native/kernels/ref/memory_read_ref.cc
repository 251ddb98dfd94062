// The memory-read reference (quanta/memory_read.h): one 64-bit word at a time, the tail padded
// with zero bytes. Four sums, so that even this path is not bound by one addition chain.
#include <cstring>

#include "quanta/kernels.h"

namespace quanta {

namespace ref {

uint64_t read_sum(const uint8_t* p, size_t n) {
  uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    uint64_t w[4];
    std::memcpy(w, p + i, 32);
    s0 += w[0];
    s1 += w[1];
    s2 += w[2];
    s3 += w[3];
  }
  for (; i < n; i += 8) {
    uint64_t w = 0;
    std::memcpy(&w, p + i, n - i < 8 ? n - i : 8);  // little-endian hosts only (x86-64, aarch64)
    s0 += w;
  }
  return s0 + s1 + s2 + s3;
}

}  // namespace ref

void register_ref_memory_read_kernels(KernelTable* t) {
  t->read_sum = ref::read_sum;
  t->read_isa = Isa::ref;
}

}  // namespace quanta
