#include "runtime/sgemm.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/aligned_storage.h"
#include "runtime/thread_pool.h"

namespace quanta {

namespace {

// Per-thread copy of A's block slice that only grows: no allocation (and no first-touch page
// faults) per call.
std::vector<float>& scratch() {
  thread_local std::vector<float> a;
  return a;
}

}  // namespace

SgemmSlices sgemm_slices(size_t k) {
  if (k == 0) return {1, 0};
  // Balanced slices of at most kSgemmKc; recounted so that no slice is empty.
  const size_t wanted = (k + kSgemmKc - 1) / kSgemmKc;
  const size_t length = (k + wanted - 1) / wanted;
  return {(k + length - 1) / length, length};
}

std::string sgemm_pack_b(const float* b, GemmLayoutB layout, size_t n, size_t k, const float* bias,
                         SgemmPackedB* out) {
  SgemmPackedB p;
  p.n = n;
  p.k = k;
  p.panels = sgemm_panels(n);
  p.panel_stride = sgemm_panel_stride(k);
  const size_t cols = p.panels * kSgemmPanel;
  if (k != 0 && p.panels > SIZE_MAX / 8 / sizeof(float) / p.panel_stride) return "the weights are too large";
  const size_t bias_floats = bias == nullptr ? 0 : gemm_round_up(cols, 16);
  const size_t floats = bias_floats + p.panels * p.panel_stride;
  p.storage = zeroed_aligned_storage(floats * sizeof(float));
  if (p.storage == nullptr) return "out of memory packing the weights";
  float* base = static_cast<float*>(p.storage.get());
  if (bias != nullptr) {
    p.bias = base;
    std::memcpy(p.bias, bias, n * sizeof(float));
  }
  p.data = base + bias_floats;  // bias_floats is a multiple of 16: 64-byte aligned

  if (layout == GemmLayoutB::kn) {
    // Rows of B are rows of the panels: contiguous copies of up to 48 floats.
    for (size_t kk = 0; kk < k; ++kk) {
      for (size_t pp = 0; pp < p.panels; ++pp) {
        const size_t j0 = pp * kSgemmPanel, w = std::min(kSgemmPanel, n - j0);
        std::memcpy(p.data + pp * p.panel_stride + kk * kSgemmPanel, b + kk * n + j0, w * sizeof(float));
      }
    }
  } else {
    for (size_t j = 0; j < n; ++j) {
      float* dst = p.data + (j / kSgemmPanel) * p.panel_stride + j % kSgemmPanel;
      const float* src = b + j * k;
      for (size_t kk = 0; kk < k; ++kk) dst[kk * kSgemmPanel] = src[kk];
    }
  }
  *out = std::move(p);
  return "";
}

std::string sgemm_f32(const KernelTable& kt, const SgemmA& a, const SgemmPackedB& b, const SgemmOut& out) {
  const size_t M = a.m, N = b.n, K = b.k;
  if (M > 1 && a.lda < K) return "A's row stride is shorter than K";
  if (M > 1 && out.ldy < N) return "the output's row stride is shorter than N";
  if (M == 0 || N == 0) return "";
  const SgemmSlices slices = sgemm_slices(K);

  // Tasks: row blocks x column chunks (whole panels). With several threads, at least 8 tasks per
  // thread, so that the atomic hand-out of equal tasks leaves little imbalance.
  const int threads = num_threads();
  const size_t row_blocks = (M + kSgemmMc - 1) / kSgemmMc;
  size_t col_chunks = 1;
  if (threads > 1) {
    const size_t want = 8 * static_cast<size_t>(threads);
    col_chunks = std::min(b.panels, std::max<size_t>(1, (want + row_blocks - 1) / row_blocks));
  }
  const size_t chunk_panels = (b.panels + col_chunks - 1) / col_chunks;
  col_chunks = (b.panels + chunk_panels - 1) / chunk_panels;
  const size_t tasks = row_blocks * col_chunks;
  // Below ~1 M multiply-adds (~10 us on one core) waking the pool costs more than it saves.
  const double macs = double(M) * double(N) * double(K);
  const size_t grain = macs < 1e6 ? tasks : 1;

  parallel_for(tasks, grain, [&](size_t begin, size_t end) {
    std::vector<float>& s = scratch();
    const size_t a_stride = slices.length + 16;  // +64 bytes: rows off the same L1 sets
    if (s.size() < kSgemmMc * a_stride) s.resize(kSgemmMc * a_stride);
    for (size_t task = begin; task < end; ++task) {
      const size_t r0 = (task / col_chunks) * kSgemmMc;
      const size_t rows = std::min(kSgemmMc, M - r0);
      const size_t p0 = (task % col_chunks) * chunk_panels;
      const size_t col0 = p0 * kSgemmPanel;
      const size_t cols = std::min(N, (p0 + chunk_panels) * kSgemmPanel) - col0;
      for (size_t sl = 0; sl < slices.count; ++sl) {
        const size_t k0 = sl * slices.length;
        const size_t klen = std::min(slices.length, K - k0);
        for (size_t r = 0; r < rows && klen != 0; ++r) {
          std::memcpy(s.data() + r * a_stride, a.data + (r0 + r) * a.lda + k0, klen * sizeof(float));
        }
        SgemmBlock g{};
        g.a = s.data();
        g.a_stride = a_stride;
        g.m = rows;
        g.b = b.data + p0 * b.panel_stride + k0 * kSgemmPanel;
        g.b_panel_stride = b.panel_stride;
        g.k = klen;
        g.n = cols;
        g.first = sl == 0;
        g.last = sl + 1 == slices.count;
        g.bias = b.bias == nullptr ? nullptr : b.bias + col0;
        g.relu = out.relu;
        g.c = out.data + r0 * out.ldy + col0;
        g.ldc = out.ldy;
        kt.sgemm_f32(g);
      }
    }
  });
  return "";
}

}  // namespace quanta
