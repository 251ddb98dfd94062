// The int4 weight-only GEMM reference: the operation order quanta/int4_gemm.h specifies, one
// output at a time, reading the packed layout nibble by nibble. Every float step is an explicit
// fmaf or a single operation, so no compiler contraction can change it.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "quanta/int4_gemm.h"
#include "quanta/kernels.h"

namespace quanta {

namespace {

struct PanelView {
  const Int4Layout& w;
  const uint8_t* base;  // the panel's first byte

  unsigned nibble(size_t g, size_t kk, size_t j) const {  // kk: offset inside the group
    const uint8_t* chunk = base + g * w.group_bytes + (kk / kInt4ChunkK) * kInt4ChunkBytes;
    const size_t t = kk % kInt4ChunkK;
    return (chunk[4 * j + t / 2] >> (4 * (t % 2))) & 0x0F;
  }
  float scale(size_t g, size_t j) const {
    float s;
    std::memcpy(&s, base + g * w.group_bytes + w.group / kInt4ChunkK * kInt4ChunkBytes + 4 * j, 4);
    return s;
  }
  int32_t zero_point(size_t g, size_t j) const { return w.has_zp ? base[w.zp_offset + g * kInt4Panel + j] : 8; }
};

template <typename GroupTerm>
void for_each_output(const Int4GemmArgs& a, GroupTerm term) {
  const Int4Layout& w = *a.w;
  for (size_t p = a.panel0; p < a.panel0 + a.panel_count; ++p) {
    const PanelView v{w, w.data + p * w.panel_stride};
    for (size_t j = 0; j < kInt4Panel && p * kInt4Panel + j < w.n; ++j) {
      const size_t col = p * kInt4Panel + j;
      for (size_t r = 0; r < a.m; ++r) {
        float acc = 0.0f;
        for (size_t g = 0; g < w.groups; ++g) acc = term(v, r, g, j, acc);
        a.y[r * a.ldy + (p - a.panel0) * kInt4Panel + j] = acc + (a.bias != nullptr ? a.bias[col] : 0.0f);
      }
    }
  }
}

}  // namespace

namespace ref {

void int4_gemm_f32(const Int4GemmArgs& a) {
  for_each_output(a, [&](const PanelView& v, size_t r, size_t g, size_t j, float acc) {
    const float* x = a.x + r * a.ldx + g * v.w.group;
    const int32_t z = v.zero_point(g, j);
    float inner = 0.0f;
    for (size_t kk = 0; kk < v.w.group; ++kk) {
      inner = std::fmaf(static_cast<float>(static_cast<int32_t>(v.nibble(g, kk, j)) - z), x[kk], inner);
    }
    return std::fmaf(inner, v.scale(g, j), acc);
  });
}

void int4_gemm_s8(const Int4GemmArgs& a) {
  for_each_output(a, [&](const PanelView& v, size_t r, size_t g, size_t j, float acc) {
    const int8_t* q = a.xq + r * a.ldq + g * v.w.group;
    int32_t dot = 0;
    for (size_t kk = 0; kk < v.w.group; ++kk) dot += static_cast<int32_t>(v.nibble(g, kk, j)) * q[int4_x_slot(kk)];
    const int32_t d = dot - v.zero_point(g, j) * a.xsum[r * a.ldg + g];
    return std::fmaf(static_cast<float>(d), v.scale(g, j) * a.xd[r * a.ldg + g], acc);
  });
}

void int4_quantize_row(const float* x, size_t k, size_t group, int8_t* q, float* d, int32_t* sum) {
  for (size_t g = 0; g * group < k; ++g) {
    const float* xg = x + g * group;
    float amax = 0.0f;
    for (size_t i = 0; i < group; ++i) amax = std::max(amax, std::fabs(xg[i]));
    const float scale = amax / 127.0f;
    const float inv = scale != 0.0f ? 1.0f / scale : 0.0f;
    int32_t s = 0;
    for (size_t i = 0; i < group; ++i) {
      // fmaxf / fminf send NaN to the bound, as the SIMD max / min do (memory-safe garbage; the
      // API rejects non-finite inputs before they get here).
      const float r = std::fminf(std::fmaxf(std::nearbyintf(xg[i] * inv), -127.0f), 127.0f);
      const int8_t c = static_cast<int8_t>(r);
      q[g * group + int4_x_slot(i)] = c;
      s += c;
    }
    d[g] = scale;
    sum[g] = s;
  }
}

}  // namespace ref

void register_ref_int4_kernels(KernelTable* t) {
  t->int4_gemm_f32 = ref::int4_gemm_f32;
  t->int4_gemm_s8 = ref::int4_gemm_s8;
  t->int4_quantize_row = ref::int4_quantize_row;
  t->int4_isa = Isa::ref;
}

}  // namespace quanta
