// The float32 GEMM reference: the scalar block kernel that states the order of every rounding
// (quanta/sgemm.h). The optimized kernels perform the same fused multiply-adds and additions in
// the same order per output element, so their results equal these bit for bit.
#include <cmath>

#include "quanta/kernels.h"
#include "quanta/sgemm.h"

namespace quanta {

namespace ref {

void sgemm_f32_block(const SgemmBlock& g) {
  for (size_t r = 0; r < g.m; ++r) {
    const float* a = g.a + r * g.a_stride;
    for (size_t j = 0; j < g.n; ++j) {
      const float* b = g.b + (j / kSgemmPanel) * g.b_panel_stride + j % kSgemmPanel;
      float acc = 0.0f;
      for (size_t t = 0; t < g.k; ++t) acc = std::fma(a[t], b[t * kSgemmPanel], acc);
      float* c = g.c + r * g.ldc + j;
      float v = g.first ? acc : *c + acc;
      if (g.last) {
        if (g.bias != nullptr) v = v + g.bias[j];
        if (g.relu) v = 0.0f > v ? 0.0f : v;
      }
      *c = v;
    }
  }
}

}  // namespace ref

void register_ref_sgemm_kernels(KernelTable* t) {
  t->sgemm_f32 = ref::sgemm_f32_block;
  t->sgemm_isa = Isa::ref;
}

}  // namespace quanta
