// The int8 GEMM reference: the specification on unpacked inputs, and a scalar block kernel on the
// packed layout. Sums are formed in int64 and wrapped to int32 once (two's complement), which is
// what VPDPBUSD's wrapping int32 lanes give too.
#include <cmath>
#include <cstring>

#include "kernels/ref/gemm_scalar.h"
#include "quanta/gelu.h"
#include "quanta/gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

inline int32_t wrap32(int64_t v) { return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v))); }

}  // namespace

namespace ref {

float gemm_f32_epilogue(int32_t acc, float scale_a, float scale_b, float bias, bool relu) {
  const float y = std::fma(static_cast<float>(acc), scale_a * scale_b, bias);
  return relu ? (y > 0.0f ? y : 0.0f) : y;
}

void gelu_f32(float* y, size_t n) {
  for (size_t i = 0; i < n; ++i) y[i] = gelu::apply(y[i]);
}

// Sums in int64 per element, then the shared finishing step (kernels/ref/gemm_scalar.h).

void gemm_u8s8_block(const GemmBlock& g) {
  for (size_t r = 0; r < g.m; ++r) {
    const uint8_t* a = g.a + r * g.a_stride;
    for (size_t c = 0; c < g.n; ++c) {
      const int8_t* b = g.b + (c / kGemmPanel) * g.b_panel_stride + (c % kGemmPanel) * kGemmK4;
      int64_t sum = 0;
      for (size_t t = 0; t < g.k4; ++t) {
        for (size_t i = 0; i < kGemmK4; ++i) sum += int64_t{a[t * 4 + i]} * b[t * kGemmStepBytes + i];
      }
      scalar::gemm_finish(g, r, c, wrap32(sum));
    }
  }
}

void gemm_s32_spec(size_t M, size_t N, size_t K, const uint8_t* a, bool a_signed,
                   const int32_t* za, size_t za_count, const uint8_t* b, bool b_signed, bool b_nk,
                   const int32_t* zb, size_t zb_count, int32_t* out) {
  for (size_t m = 0; m < M; ++m) {
    const int64_t zam = za[za_count == 1 ? 0 : m];
    for (size_t n = 0; n < N; ++n) {
      const int64_t zbn = zb[zb_count == 1 ? 0 : n];
      int64_t sum = 0;
      for (size_t k = 0; k < K; ++k) {
        const uint8_t ra = a[m * K + k];
        const uint8_t rb = b_nk ? b[n * K + k] : b[k * N + n];
        const int64_t av = a_signed ? int64_t{static_cast<int8_t>(ra)} : int64_t{ra};
        const int64_t bv = b_signed ? int64_t{static_cast<int8_t>(rb)} : int64_t{rb};
        sum += (av - zam) * (bv - zbn);
      }
      out[m * N + n] = wrap32(sum);
    }
  }
}

}  // namespace ref

void register_ref_gemm_kernels(KernelTable* t) {
  t->gemm_u8s8 = ref::gemm_u8s8_block;
  t->gelu_f32 = ref::gelu_f32;
  t->gemm_isa = Isa::ref;
}

}  // namespace quanta
