#include "runtime/binary_gemm.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "runtime/aligned_storage.h"
#include "runtime/thread_pool.h"

namespace quanta {

namespace {

inline size_t round_up(size_t x, size_t to) { return (x + to - 1) / to * to; }

// Splits `panels` into at most `want` chunks of a multiple of `unit` panels; returns the chunk size.
size_t chunk_panels(size_t panels, size_t unit, size_t row_blocks) {
  const int threads = num_threads();
  const size_t groups = (panels + unit - 1) / unit;
  size_t chunks = 1;
  if (threads > 1) {
    const size_t want = 4 * static_cast<size_t>(threads);
    chunks = std::min(groups, std::max<size_t>(1, (want + row_blocks - 1) / row_blocks));
  }
  return unit * ((groups + chunks - 1) / chunks);
}

const float* ones(size_t count) {
  thread_local std::vector<float> v;
  if (v.size() < count) v.assign(count, 1.0f);
  return v.data();
}

}  // namespace

std::string binary_pack_b(const uint8_t* bits, BinaryLayoutB layout, size_t n, size_t k, const float* scale,
                          size_t scale_count, const float* bias, BinaryPackedB* out, size_t group_size) {
  BinaryPackedB p;
  if (group_size != 0) {
    if (group_size % kBinaryWordBits != 0 || group_size > kBinaryMaxGroup) {
      return "group size: expected a multiple of 64 up to " + std::to_string(kBinaryMaxGroup) + ", received " +
             std::to_string(group_size);
    }
    p.group_size = group_size;
    p.groups = (k + group_size - 1) / group_size;  // 0 when K = 0
    if (scale_count != n * p.groups) return "scales: expected N * ceil(K / group size) values";
  } else if (scale_count != 1 && scale_count != n) {
    return "scales: expected 1 or N values";
  }
  p.n = n;
  p.k = k;
  p.words = binary_words(k);
  p.panels = (n + kBinaryPanel - 1) / kBinaryPanel;
  p.panel_stride = p.words * kBinaryPanel;
  p.mask_panels = (n + kBinaryF32Panel - 1) / kBinaryF32Panel;
  p.mask_panel_stride = k;
  const size_t cols = round_up(std::max<size_t>(n, 1), kBinaryF32Panel);
  const size_t word_bytes = round_up(p.panels * p.panel_stride * 8, 64);
  const size_t mask_bytes = round_up(p.mask_panels * p.mask_panel_stride * 2, 64);
  const size_t float_bytes = round_up(cols * 4, 64);
  p.scale_stride = cols;
  const size_t scale_arrays = std::max<size_t>(p.groups, 1);
  const size_t bytes = word_bytes + mask_bytes + (scale_arrays + 1) * float_bytes;
  p.storage = zeroed_aligned_storage(bytes);
  if (p.storage == nullptr) return "out of memory packing the weights";
  uint8_t* base = static_cast<uint8_t*>(p.storage.get());
  auto* words = reinterpret_cast<uint64_t*>(base);
  auto* masks = reinterpret_cast<uint16_t*>(base + word_bytes);
  auto* scales = reinterpret_cast<float*>(base + word_bytes + mask_bytes);
  auto* biases = reinterpret_cast<float*>(base + word_bytes + mask_bytes + scale_arrays * float_bytes);
  for (size_t j = 0; j < n; ++j) {
    uint64_t* col_words = words + (j / kBinaryPanel) * p.panel_stride + j % kBinaryPanel;
    uint16_t* col_masks = masks + (j / kBinaryF32Panel) * p.mask_panel_stride;
    const uint16_t col_bit = static_cast<uint16_t>(1u << (j % kBinaryF32Panel));
    for (size_t kk = 0; kk < k; ++kk) {
      const size_t i = layout == BinaryLayoutB::nk ? j * k + kk : kk * n + j;
      if ((bits[i / 8] >> (i % 8)) & 1u) {
        col_words[(kk / kBinaryWordBits) * kBinaryPanel] |= uint64_t{1} << (kk % kBinaryWordBits);
        col_masks[kk] |= col_bit;
      }
    }
    if (p.group_size != 0) {
      for (size_t gi = 0; gi < p.groups; ++gi) scales[gi * p.scale_stride + j] = scale[j * p.groups + gi];
    } else {
      scales[j] = scale[scale_count == 1 ? 0 : j];
    }
    biases[j] = bias == nullptr ? 0.0f : bias[j];
  }
  p.data = words;
  p.masks = masks;
  p.scale = scales;
  p.bias = biases;
  *out = std::move(p);
  return "";
}

namespace {

// Rows [r0, r0 + R) with R <= 4. The scale sums must run in k order (they are lib/formats'
// float64 sums, rounded as they go); four rows at once give four independent addition chains
// instead of one latency-bound chain.
template <int R>
void binarize_rows_group(const float* x, size_t r0, size_t k, size_t ldx, uint64_t* words, size_t stride,
                         float* scale) {
  const size_t kw = binary_words(k);
  const float* row[4];
  for (int i = 0; i < R; ++i) row[i] = x + (r0 + i) * ldx;
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (size_t t = 0; t < kw; ++t) {
    const size_t begin = t * kBinaryWordBits, end = std::min(k, begin + kBinaryWordBits);
    uint64_t w0 = 0, w1 = 0, w2 = 0, w3 = 0;
    for (size_t kk = begin; kk < end; ++kk) {
      // x >= 0 (so +0 and -0) is +1, as lib/formats/binary.ts binarizes.
      const unsigned bit = static_cast<unsigned>(kk - begin);
      w0 |= uint64_t{row[0][kk] >= 0.0f} << bit;
      s0 += std::fabs(static_cast<double>(row[0][kk]));
      if constexpr (R > 1) {
        w1 |= uint64_t{row[1][kk] >= 0.0f} << bit;
        s1 += std::fabs(static_cast<double>(row[1][kk]));
      }
      if constexpr (R > 2) {
        w2 |= uint64_t{row[2][kk] >= 0.0f} << bit;
        s2 += std::fabs(static_cast<double>(row[2][kk]));
      }
      if constexpr (R > 3) {
        w3 |= uint64_t{row[3][kk] >= 0.0f} << bit;
        s3 += std::fabs(static_cast<double>(row[3][kk]));
      }
    }
    const uint64_t w[4] = {w0, w1, w2, w3};
    for (int i = 0; i < R; ++i) words[(r0 + i) * stride + t] = w[i];
  }
  if (scale == nullptr) return;
  const double s[4] = {s0, s1, s2, s3};
  for (int i = 0; i < R; ++i) scale[r0 + i] = k == 0 ? 0.0f : static_cast<float>(s[i] / static_cast<double>(k));
}

}  // namespace

void binary_binarize_rows(const float* x, size_t m, size_t k, size_t ldx, uint64_t* words, size_t stride,
                          float* scale) {
  const size_t groups = (m + 3) / 4;
  // Below ~1 M values waking the pool costs more than it saves; rows are independent, so the
  // split never changes a result.
  const size_t grain = double(m) * double(k) < 1e6 ? std::max<size_t>(groups, 1) : 1;
  parallel_for(groups, grain, [&](size_t begin, size_t end) {
    for (size_t gi = begin; gi < end; ++gi) {
      const size_t r0 = gi * 4;
      switch (std::min<size_t>(4, m - r0)) {
        case 1: binarize_rows_group<1>(x, r0, k, ldx, words, stride, scale); break;
        case 2: binarize_rows_group<2>(x, r0, k, ldx, words, stride, scale); break;
        case 3: binarize_rows_group<3>(x, r0, k, ldx, words, stride, scale); break;
        default: binarize_rows_group<4>(x, r0, k, ldx, words, stride, scale); break;
      }
    }
  });
}

std::string binary_gemm_b1b1(const KernelTable& kt, const BinaryA& a, const BinaryPackedB& b, BinaryOutKind kind,
                             void* y, size_t ldy) {
  const size_t M = a.m, N = b.n, K = b.k;
  if (K > size_t{INT32_MAX}) return "K = " + std::to_string(K) + " exceeds the int32 bound 2147483647";
  if (M == 0 || N == 0) return "";
  const float* scale_a = a.scale != nullptr ? a.scale : ones(M);
  const bool grouped = kind == BinaryOutKind::f32 && b.group_size != 0;
  if (K == 0) {  // every dot is 0
    for (size_t r = 0; r < M; ++r) {
      for (size_t j = 0; j < N; ++j) {
        if (kind == BinaryOutKind::s32) {
          static_cast<int32_t*>(y)[r * ldy + j] = 0;
        } else {
          static_cast<float*>(y)[r * ldy + j] =
              grouped ? 0.0f + b.bias[j] : std::fmaf(0.0f, scale_a[r] * b.scale[j], b.bias[j]);
        }
      }
    }
    return "";
  }
  // Group-scaled: one slice per group. Otherwise slices of at most kBinaryKcWords, balanced.
  const size_t slices = grouped ? b.groups : (b.words + kBinaryKcWords - 1) / kBinaryKcWords;
  const size_t slice_words = grouped ? b.group_size / kBinaryWordBits : (b.words + slices - 1) / slices;
  const size_t row_blocks = (M + kBinaryMc - 1) / kBinaryMc;
  const size_t chunk = chunk_panels(b.panels, 4, row_blocks);
  const size_t col_chunks = (b.panels + chunk - 1) / chunk;
  const size_t tasks = row_blocks * col_chunks;
  // Below ~128 M bit-MACs (tens of microseconds) waking the pool costs more than it saves.
  const double bit_macs = double(M) * double(N) * double(K);
  const size_t grain = bit_macs < 128e6 ? tasks : 1;
  parallel_for(tasks, grain, [&](size_t begin, size_t end) {
    for (size_t task = begin; task < end; ++task) {
      const size_t r0 = (task / col_chunks) * kBinaryMc;
      const size_t p0 = (task % col_chunks) * chunk;
      const size_t col0 = p0 * kBinaryPanel;
      for (size_t sl = 0; sl < slices; ++sl) {
        const size_t w0 = sl * slice_words;
        BinaryGemmBlock g{};
        g.a = a.words + r0 * a.stride + w0;
        g.a_stride = a.stride;
        g.m = std::min(kBinaryMc, M - r0);
        g.b = b.data + p0 * b.panel_stride + w0 * kBinaryPanel;
        g.b_panel_stride = b.panel_stride;
        g.n = std::min(N, (p0 + chunk) * kBinaryPanel) - col0;
        g.words = std::min(slice_words, b.words - w0);
        g.first = sl == 0;
        g.last = sl + 1 == slices;
        g.last_mask = g.last ? binary_last_mask(K) : ~uint64_t{0};
        g.k = grouped ? std::min(K, (w0 + g.words) * kBinaryWordBits) - w0 * kBinaryWordBits : K;
        g.out = static_cast<uint8_t*>(y) + (r0 * ldy + col0) * 4;
        g.ldc = ldy;
        g.kind = grouped ? BinaryOutKind::f32_group : kind;
        g.scale_a = scale_a + r0;
        g.scale_b = b.scale + (grouped ? sl * b.scale_stride : 0) + col0;
        g.bias = b.bias + col0;
        kt.binary_gemm_b1b1(g);
      }
    }
  });
  return "";
}

std::string binary_gemm_b1f32(const KernelTable& kt, const float* x, size_t m, size_t ldx, const BinaryPackedB& b,
                              float* y, size_t ldy) {
  const size_t M = m, N = b.n;
  if (b.group_size != 0) return "binary weights with group scales need binary activations";
  if (M == 0 || N == 0) return "";
  const size_t row_blocks = (M + kBinaryF32Mc - 1) / kBinaryF32Mc;
  const size_t chunk = chunk_panels(b.mask_panels, 2, row_blocks);
  const size_t col_chunks = (b.mask_panels + chunk - 1) / chunk;
  const size_t tasks = row_blocks * col_chunks;
  const double macs = double(M) * double(N) * double(b.k);
  const size_t grain = macs < 4e6 ? tasks : 1;
  parallel_for(tasks, grain, [&](size_t begin, size_t end) {
    for (size_t task = begin; task < end; ++task) {
      const size_t r0 = (task / col_chunks) * kBinaryF32Mc;
      const size_t p0 = (task % col_chunks) * chunk;
      const size_t col0 = p0 * kBinaryF32Panel;
      BinaryF32Block g{};
      g.x = x + r0 * ldx;
      g.x_stride = ldx;
      g.m = std::min(kBinaryF32Mc, M - r0);
      g.w = b.masks + p0 * b.mask_panel_stride;
      g.w_panel_stride = b.mask_panel_stride;
      g.n = std::min(N, (p0 + chunk) * kBinaryF32Panel) - col0;
      g.k = b.k;
      g.out = y + r0 * ldy + col0;
      g.ldc = ldy;
      g.scale_b = b.scale + col0;
      g.bias = b.bias + col0;
      kt.binary_gemm_b1f32(g);
    }
  });
  return "";
}

}  // namespace quanta
