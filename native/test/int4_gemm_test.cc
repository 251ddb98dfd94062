// The int4 weight-only engine: every path (ref and each optimized one here) against a
// specification computed straight from the unpacked weights (not from the packed layout), bit
// for bit on the float outputs (quanta/int4_gemm.h fixes the operation order), over group sizes
// 32 / 64 / 128, N and M around every tile size, zero points or none, bias or none, and thread
// counts 1..3; the integer block dots exactly against int64 sums; the row quantizer of every path
// against the reference; and the packer's refusals.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "isa_sweep.h"
#include "runtime/int4_gemm.h"
#include "runtime/thread_pool.h"

namespace quanta {
namespace {

// K need not be a multiple of the group: rows are then padded to whole groups (kp) as the packer
// takes them, with garbage in the padding, which must not count (the specification reads u = z
// there, a weight of exactly 0, against inputs of 0).
struct Weights {
  size_t n, k, group;
  std::vector<uint8_t> codes;   // [N, kp / 2], ONNX nibble order, before the flip
  uint8_t flip = 0;
  std::vector<float> scales;    // [N, groups]
  std::vector<uint8_t> zp;      // [N, groups] (u terms) or empty
  size_t groups() const { return (k + group - 1) / group; }
  size_t kp() const { return groups() * group; }
  int32_t z(size_t col, size_t g) const { return zp.empty() ? 8 : zp[col * groups() + g]; }
  int32_t u(size_t col, size_t kk) const {
    if (kk >= k) return z(col, kk / group);
    return ((codes[col * kp() / 2 + kk / 2] >> (4 * (kk % 2))) & 0xF) ^ flip;
  }
};

Weights make_weights(size_t n, size_t k, size_t group, bool with_zp, uint8_t flip, std::mt19937& rng) {
  const size_t groups = (k + group - 1) / group;
  Weights w{n, k, group, std::vector<uint8_t>(n * groups * group / 2), flip, std::vector<float>(n * groups), {}};
  for (auto& b : w.codes) b = static_cast<uint8_t>(rng());
  std::uniform_real_distribution<float> s(-0.05f, 0.05f);
  for (auto& v : w.scales) v = s(rng);
  if (with_zp) {
    w.zp.resize(n * groups);
    for (auto& v : w.zp) v = static_cast<uint8_t>(rng() % 16);
  }
  return w;
}

Int4Packed pack(const Weights& w) {
  Int4Packed p;
  const std::string err = int4_pack(w.codes.data(), w.flip, w.scales.data(), w.zp.empty() ? nullptr : w.zp.data(),
                                    w.n, w.k, w.group, &p);
  EXPECT_EQ(err, "");
  return p;
}

// Input k of row r, 0 in the padding of a partial last group.
float input(const std::vector<float>& x, size_t k, size_t r, size_t kk) { return kk < k ? x[r * k + kk] : 0.0f; }

// The specification on unpacked inputs (quanta/int4_gemm.h), float32 activations.
std::vector<float> spec_f32(const Weights& w, const std::vector<float>& x, size_t m, const float* bias) {
  std::vector<float> y(m * w.n);
  for (size_t r = 0; r < m; ++r) {
    for (size_t col = 0; col < w.n; ++col) {
      float acc = 0.0f;
      for (size_t g = 0; g < w.groups(); ++g) {
        float inner = 0.0f;
        for (size_t kk = g * w.group; kk < (g + 1) * w.group; ++kk) {
          inner = std::fmaf(static_cast<float>(w.u(col, kk) - w.z(col, g)), input(x, w.k, r, kk), inner);
        }
        acc = std::fmaf(inner, w.scales[col * w.groups() + g], acc);
      }
      y[r * w.n + col] = acc + (bias ? bias[col] : 0.0f);
    }
  }
  return y;
}

// The int8 activations in natural order over the padded groups: codes [M, kp], scales and sums
// (d = amax / 127, round half even).
struct QuantX {
  std::vector<int8_t> q;
  std::vector<float> d;
  std::vector<int32_t> sum;
};
QuantX spec_quantize(const std::vector<float>& x, size_t m, size_t k, size_t group) {
  const size_t groups = (k + group - 1) / group, kp = groups * group;
  QuantX out{std::vector<int8_t>(m * kp), std::vector<float>(m * groups), std::vector<int32_t>(m * groups)};
  for (size_t r = 0; r < m; ++r) {
    for (size_t g = 0; g < groups; ++g) {
      float amax = 0.0f;
      for (size_t i = 0; i < group; ++i) amax = std::max(amax, std::fabs(input(x, k, r, g * group + i)));
      const float d = amax / 127.0f, inv = d != 0.0f ? 1.0f / d : 0.0f;
      int32_t s = 0;
      for (size_t i = 0; i < group; ++i) {
        const float v = std::nearbyintf(input(x, k, r, g * group + i) * inv);
        const int8_t c = static_cast<int8_t>(std::min(127.0f, std::max(-127.0f, v)));
        out.q[r * kp + g * group + i] = c;
        s += c;
      }
      out.d[r * groups + g] = d;
      out.sum[r * groups + g] = s;
    }
  }
  return out;
}

std::vector<float> spec_s8(const Weights& w, const QuantX& qx, size_t m, const float* bias) {
  const size_t groups = w.groups();
  std::vector<float> y(m * w.n);
  for (size_t r = 0; r < m; ++r) {
    for (size_t col = 0; col < w.n; ++col) {
      float acc = 0.0f;
      for (size_t g = 0; g < groups; ++g) {
        int64_t dot = 0;
        for (size_t kk = g * w.group; kk < (g + 1) * w.group; ++kk) {
          dot += int64_t(w.u(col, kk) - w.z(col, g)) * qx.q[r * w.kp() + kk];
        }
        acc = std::fmaf(static_cast<float>(dot), w.scales[col * groups + g] * qx.d[r * groups + g], acc);
      }
      y[r * w.n + col] = acc + (bias ? bias[col] : 0.0f);
    }
  }
  return y;
}

std::string first_difference(const std::vector<float>& got, const std::vector<float>& want, size_t n) {
  for (size_t i = 0; i < want.size(); ++i) {
    if (std::memcmp(&got[i], &want[i], 4) != 0) {
      return "y[" + std::to_string(i / n) + ", " + std::to_string(i % n) + "] = " + std::to_string(got[i]) +
             ", want " + std::to_string(want[i]);
    }
  }
  return "";
}

struct Shape {
  size_t m, n, k, group;
};

void check_all_paths(const Shape& s, bool with_zp, uint8_t flip, bool with_bias, uint32_t seed) {
  std::mt19937 rng(seed);
  const Weights w = make_weights(s.n, s.k, s.group, with_zp, flip, rng);
  const Int4Packed p = pack(w);
  std::vector<float> x(s.m * s.k);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (auto& v : x) v = nd(rng);
  std::vector<float> bias(s.n);
  for (auto& v : bias) v = nd(rng);
  const float* b = with_bias ? bias.data() : nullptr;
  const std::vector<float> want_f32 = spec_f32(w, x, s.m, b);
  const std::vector<float> want_s8 = spec_s8(w, spec_quantize(x, s.m, s.k, s.group), s.m, b);
  for (Isa isa : testing::all_isas_here()) {
    for (Int4Activations acts : {Int4Activations::f32, Int4Activations::s8}) {
      std::vector<float> y(s.m * s.n + 1, -777.0f);  // one guard value past the end
      ASSERT_EQ(int4_gemm(kernels_for(isa), p, x.data(), s.m, acts, b, y.data()), "");
      EXPECT_EQ(y.back(), -777.0f) << "wrote past y";
      y.pop_back();
      const auto& want = acts == Int4Activations::f32 ? want_f32 : want_s8;
      EXPECT_EQ(first_difference(y, want, s.n), "")
          << isa_name(isa) << (acts == Int4Activations::f32 ? " f32" : " s8") << " M=" << s.m << " N=" << s.n
          << " K=" << s.k << " G=" << s.group << " zp=" << with_zp << " flip=" << int(flip) << " bias=" << with_bias;
    }
  }
}

TEST(Int4Gemm, EveryPathMatchesTheSpecificationBitForBit) {
  uint32_t seed = 1;
  for (size_t group : {32, 64, 128}) {
    for (size_t n : {1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 63, 64, 65, 79, 97}) {
      for (size_t m : {1, 2, 3, 4, 5}) {
        check_all_paths({m, n, group * (1 + seed % 3), group}, seed % 2 == 0, seed % 3 == 0 ? 0 : 8, seed % 5 != 0, seed);
        ++seed;
      }
    }
  }
}

TEST(Int4Gemm, RowTilesAndThreads) {
  for (int threads = 1; threads <= 3; ++threads) {
    set_num_threads(threads);
    uint32_t seed = 100 + threads;
    for (size_t m : {6, 7, 8, 9, 13}) {
      check_all_paths({m, 131, 256, 64}, m % 2 == 0, 8, true, seed++);
      check_all_paths({m, 257, 128, 32}, true, 0, false, seed++);
    }
    // GEMV tiles take their 4 panels from the 4 quarters of a task's panel range: panel counts
    // with and without a remainder, with zero points, and the tasks of several threads.
    check_all_paths({1, 700, 512, 128}, false, 8, true, seed++);
    check_all_paths({1, 257, 256, 32}, true, 0, false, seed++);
    check_all_paths({1, 1000, 128, 64}, true, 8, true, seed++);
    check_all_paths({1, 8 * 16 + 5, 64, 32}, false, 8, false, seed++);
  }
  set_num_threads(0);
}

// K not a multiple of the group (MatMulNBits' padded last block): every path against the
// padded specification, with garbage in the codes' padding, GEMV and tiles, one to three threads.
TEST(Int4Gemm, PartialLastGroup) {
  uint32_t seed = 300;
  for (int threads = 1; threads <= 3; ++threads) {
    set_num_threads(threads);
    for (size_t group : {32, 64, 128}) {
      for (size_t k : {group - 8, group + 1, 2 * group + 7, 3 * group - 1}) {
        for (size_t m : {1, 4, 7}) check_all_paths({m, 16 * 9 + 3, k, group}, seed % 2 == 0, seed % 3 == 0 ? 0 : 8, seed % 5 != 0, seed), ++seed;
      }
    }
  }
  set_num_threads(0);
}

// Integer activations already on the int8 grid (amax 127, so d = 1 and q = x) and unit scales:
// every output is then sum_g D exactly, which int64 sums check, with extreme nibbles and codes.
TEST(Int4Gemm, BlockDotsAreExactIntegers) {
  for (size_t group : {32, 64, 128}) {
    const size_t n = 37, k = 2 * group, m = 3;
    for (int fill = 0; fill < 3; ++fill) {
      std::mt19937 rng(7 + fill);
      Weights w = make_weights(n, k, group, true, 0, rng);
      for (auto& s : w.scales) s = 1.0f;
      if (fill == 1) std::fill(w.codes.begin(), w.codes.end(), 0xFF);  // u = 15
      if (fill == 2) std::fill(w.zp.begin(), w.zp.end(), 15);
      const Int4Packed p = pack(w);
      std::vector<float> x(m * k);
      for (size_t i = 0; i < x.size(); ++i) x[i] = fill == 1 ? ((i % 3) ? -127.0f : 127.0f) : float(int(rng() % 255) - 127);
      for (size_t r = 0; r < m; ++r) x[r * k] = 127.0f, x[r * k + group] = -127.0f;  // amax 127 in each group
      for (Isa isa : testing::all_isas_here()) {
        std::vector<float> y(m * n);
        ASSERT_EQ(int4_gemm(kernels_for(isa), p, x.data(), m, Int4Activations::s8, nullptr, y.data()), "");
        for (size_t r = 0; r < m; ++r) {
          for (size_t col = 0; col < n; ++col) {
            int64_t want = 0;
            for (size_t kk = 0; kk < k; ++kk) want += int64_t(w.u(col, kk) - w.z(col, kk / group)) * int64_t(x[r * k + kk]);
            ASSERT_EQ(y[r * n + col], float(want)) << isa_name(isa) << " G=" << group << " fill=" << fill;
          }
        }
      }
    }
  }
}

TEST(Int4Gemm, RowQuantizerMatchesTheReference) {
  std::mt19937 rng(3);
  for (size_t group : {32, 64, 128}) {
    const size_t k = 4 * group;
    std::vector<float> x(k);
    std::normal_distribution<float> nd(0.0f, 3.0f);
    for (auto& v : x) v = nd(rng);
    for (size_t i = 0; i < group; ++i) x[i] = 0.0f;  // an all-zero group: d = 0, codes 0
    x[group + 5] = 1e30f;                            // a huge one
    std::vector<int8_t> q0(k), q1(k);
    std::vector<float> d0(4), d1(4);
    std::vector<int32_t> s0(4), s1(4);
    ref::int4_quantize_row(x.data(), k, group, q0.data(), d0.data(), s0.data());
    const QuantX spec = spec_quantize(x, 1, k, group);
    for (size_t i = 0; i < k; ++i) ASSERT_EQ(q0[ref::int4_x_slot(i)], spec.q[i]);
    for (Isa isa : testing::optimized_isas_here()) {
      kernels_for(isa).int4_quantize_row(x.data(), k, group, q1.data(), d1.data(), s1.data());
      EXPECT_EQ(q0, q1) << isa_name(isa);
      EXPECT_EQ(0, std::memcmp(d0.data(), d1.data(), 16)) << isa_name(isa);
      EXPECT_EQ(s0, s1) << isa_name(isa);
    }
  }
}

TEST(Int4Gemm, PackRefusesWhatHasNoPackedForm) {
  std::vector<uint8_t> codes(64 * 100);
  std::vector<float> scales(64 * 4, 1.0f);
  std::vector<uint8_t> zp(64 * 4, 16);
  Int4Packed p;
  EXPECT_NE(int4_pack(codes.data(), 8, scales.data(), nullptr, 4, 128, 16, &p), "");  // group size
  EXPECT_NE(int4_pack(codes.data(), 8, scales.data(), nullptr, 0, 128, 32, &p), "");  // N = 0
  EXPECT_NE(int4_pack(codes.data(), 3, scales.data(), nullptr, 4, 128, 32, &p), "");  // flip
  EXPECT_NE(int4_pack(codes.data(), 0, scales.data(), zp.data(), 4, 128, 32, &p), "");  // zp > 15
  EXPECT_EQ(p.layout.data, nullptr);
  std::vector<float> y(1);
  EXPECT_NE(int4_gemm(kernels(), p, y.data(), 1, Int4Activations::f32, nullptr, y.data()), "");
}

// A zero point of 8 everywhere stores no zero points: the symmetric layout is smaller, and it
// gives the same results as the asymmetric one that spells out the 8s.
TEST(Int4Gemm, ExplicitEightsAreTheSymmetricLayout) {
  std::mt19937 rng(11);
  Weights w = make_weights(40, 256, 64, true, 8, rng);
  std::fill(w.zp.begin(), w.zp.end(), 8);
  const Int4Packed with = pack(w);
  w.zp.clear();
  const Int4Packed without = pack(w);
  EXPECT_FALSE(with.layout.has_zp);
  ASSERT_EQ(with.layout.panels * with.layout.panel_stride, without.layout.panels * without.layout.panel_stride);
  EXPECT_EQ(0, std::memcmp(with.layout.data, without.layout.data, with.layout.panels * with.layout.panel_stride));
}

TEST(Int4Gemm, FindsTheFirstNonFiniteInput) {
  for (size_t count : {0, 1, 63, 64, 65, 200}) {
    std::vector<float> x(count, 1.5f);
    EXPECT_EQ(int4_first_non_finite(x.data(), count), count);
    for (size_t at : {size_t{0}, count / 2, count == 0 ? 0 : count - 1}) {
      if (at >= count) continue;
      for (float bad : {NAN, INFINITY, -INFINITY}) {
        std::vector<float> y = x;
        y[at] = bad;
        if (at + 1 < count) y[count - 1] = NAN;  // a later one does not hide the first
        EXPECT_EQ(int4_first_non_finite(y.data(), count), at);
      }
    }
  }
  const float big[2] = {3.4e38f, -1e-45f};
  EXPECT_EQ(int4_first_non_finite(big, 2), 2u);
}

}  // namespace
}  // namespace quanta
