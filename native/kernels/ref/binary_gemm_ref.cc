// The binary GEMM reference (quanta/binary_gemm.h states the arithmetic): one output at a time,
// straight from the definition, on the packed layouts every path reads.
#include <cmath>

#include "quanta/binary_gemm.h"
#include "quanta/kernels.h"

namespace quanta::ref {

void binary_gemm_b1b1_block(const BinaryGemmBlock& g) {
  for (size_t r = 0; r < g.m; ++r) {
    const uint64_t* a = g.a + r * g.a_stride;
    int32_t* counts = static_cast<int32_t*>(g.out) + r * g.ldc;
    for (size_t j = 0; j < g.n; ++j) {
      const uint64_t* b = g.b + (j / kBinaryPanel) * g.b_panel_stride + j % kBinaryPanel;
      const bool group = g.kind == BinaryOutKind::f32_group;
      uint64_t count = g.first || group ? 0 : static_cast<uint32_t>(counts[j]);
      for (size_t t = 0; t < g.words; ++t) {
        const uint64_t valid = t + 1 == g.words ? g.last_mask : ~uint64_t{0};
        count += static_cast<uint64_t>(__builtin_popcountll((a[t] ^ b[t * kBinaryPanel]) & valid));
      }
      const int32_t dot = static_cast<int32_t>(static_cast<int64_t>(g.k) - 2 * static_cast<int64_t>(count));
      if (group) {
        float* y = static_cast<float*>(g.out) + r * g.ldc;
        float v = std::fmaf(static_cast<float>(dot), g.scale_a[r] * g.scale_b[j], g.first ? 0.0f : y[j]);
        if (g.last) v = v + g.bias[j];
        y[j] = v;
        continue;
      }
      if (!g.last) {
        counts[j] = static_cast<int32_t>(count);
        continue;
      }
      if (g.kind == BinaryOutKind::s32) {
        counts[j] = dot;
      } else {
        float* y = static_cast<float*>(g.out) + r * g.ldc;
        y[j] = std::fmaf(static_cast<float>(dot), g.scale_a[r] * g.scale_b[j], g.bias[j]);
      }
    }
  }
}

void binary_gemm_b1f32_block(const BinaryF32Block& g) {
  for (size_t r = 0; r < g.m; ++r) {
    const float* x = g.x + r * g.x_stride;
    for (size_t j = 0; j < g.n; ++j) {
      const uint16_t* w = g.w + (j / kBinaryF32Panel) * g.w_panel_stride;
      const unsigned bit = j % kBinaryF32Panel;
      float acc = 0.0f;
      for (size_t k = 0; k < g.k; ++k) acc = acc + (((w[k] >> bit) & 1u) ? x[k] : -x[k]);
      g.out[r * g.ldc + j] = std::fmaf(acc, g.scale_b[j], g.bias[j]);
    }
  }
}

}  // namespace quanta::ref

namespace quanta {

void register_ref_binary_kernels(KernelTable* t) {
  t->binary_gemm_b1b1 = ref::binary_gemm_b1b1_block;
  t->binary_gemm_b1f32 = ref::binary_gemm_b1f32_block;
  t->binary_b1b1_isa = t->binary_b1f32_isa = Isa::ref;
}

}  // namespace quanta
