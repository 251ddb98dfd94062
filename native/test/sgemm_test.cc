// The float32 GEMM engine: the reference (through the driver, on both packed layouts) within the
// stated rounding bound of a float64 product of the unpacked inputs, and every optimized path
// equal to the reference bit for bit (same fused multiply-adds in the same order) over small
// shapes, primes, the neighbours of every tile and block size, several K slices, bias / relu,
// padded strides, special values and thread counts 1 to 3.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "isa_sweep.h"
#include "runtime/sgemm.h"
#include "runtime/thread_pool.h"

namespace quanta {
namespace {

struct Case {
  size_t m = 1, n = 1, k = 1;
  bool b_nk = true, bias = false, relu = false;
  size_t lda_pad = 0, ldy_pad = 0;
  uint32_t seed = 1;
};

struct Inputs {
  std::vector<float> a;     // [M, lda]
  std::vector<float> b;     // [N, K] or [K, N]
  std::vector<float> bias;  // N values or empty
};

Inputs make_inputs(const Case& c) {
  std::mt19937 rng(c.seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  Inputs in;
  const size_t lda = c.k + c.lda_pad;
  in.a.assign(c.m * lda, std::numeric_limits<float>::quiet_NaN());  // padding must never be read
  for (size_t r = 0; r < c.m; ++r)
    for (size_t kk = 0; kk < c.k; ++kk) in.a[r * lda + kk] = dist(rng);
  in.b.resize(c.n * c.k);
  for (auto& v : in.b) v = dist(rng);
  if (c.bias) {
    in.bias.resize(c.n);
    for (auto& v : in.bias) v = 4.0f * dist(rng);
  }
  return in;
}

const float kSentinel = -12345.678f;

// Runs the case on `isa` through the driver. y is [M, ldy] plus a tail, pre-filled with the
// sentinel. Returns "" or what went wrong.
std::string run(const Case& c, const Inputs& in, Isa isa, std::vector<float>* y) {
  SgemmPackedB pb;
  std::string err = sgemm_pack_b(in.b.data(), c.b_nk ? GemmLayoutB::nk : GemmLayoutB::kn, c.n, c.k,
                                 c.bias ? in.bias.data() : nullptr, &pb);
  if (!err.empty()) return err;
  const size_t ldy = c.n + c.ldy_pad;
  y->assign(c.m * ldy + 17, kSentinel);
  SgemmA a{in.a.data(), c.m, c.k + c.lda_pad};
  SgemmOut out{y->data(), ldy, c.relu};
  return sgemm_f32(kernels_for(isa), a, pb, out);
}

std::string describe(const Case& c) {
  return "M=" + std::to_string(c.m) + " N=" + std::to_string(c.n) + " K=" + std::to_string(c.k) +
         (c.b_nk ? " nk" : " kn") + (c.bias ? " bias" : "") + (c.relu ? " relu" : "");
}

// Every optimized path equals the reference bit for bit, sentinels included (nothing written
// outside [M, N] of the output).
void expect_paths_equal_ref(const Case& c) {
  const Inputs in = make_inputs(c);
  std::vector<float> want, got;
  ASSERT_EQ(run(c, in, Isa::ref, &want), "");
  for (Isa isa : testing::optimized_isas_here()) {
    ASSERT_EQ(run(c, in, isa, &got), "");
    for (size_t i = 0; i < want.size(); ++i) {
      uint32_t w, g;
      std::memcpy(&w, &want[i], 4);
      std::memcpy(&g, &got[i], 4);
      ASSERT_EQ(g, w) << isa_name(isa) << " " << describe(c) << " at " << i / (c.n + c.ldy_pad) << ","
                      << i % (c.n + c.ldy_pad) << ": " << got[i] << " vs " << want[i];
    }
  }
}

// The reference within g(K + S + 1) * (sum |a b| + |bias|) of the float64 product (runtime/sgemm.h),
// and the output's padding untouched.
void expect_ref_near_float64(const Case& c) {
  const Inputs in = make_inputs(c);
  std::vector<float> y;
  ASSERT_EQ(run(c, in, Isa::ref, &y), "");
  const size_t lda = c.k + c.lda_pad, ldy = c.n + c.ldy_pad;
  const double u = std::ldexp(1.0, -24);
  const double rounds = double(c.k + sgemm_slices(c.k).count + 1);
  const double gamma = rounds * u / (1 - rounds * u);
  for (size_t r = 0; r < c.m; ++r) {
    for (size_t j = 0; j < ldy; ++j) {
      if (j >= c.n) {
        ASSERT_EQ(y[r * ldy + j], kSentinel) << "wrote into the row padding";
        continue;
      }
      double exact = 0, magnitude = 0;
      for (size_t kk = 0; kk < c.k; ++kk) {
        const double p = double(in.a[r * lda + kk]) * (c.b_nk ? in.b[j * c.k + kk] : in.b[kk * c.n + j]);
        exact += p;
        magnitude += std::fabs(p);
      }
      if (c.bias) {
        exact += in.bias[j];
        magnitude += std::fabs(in.bias[j]);
      }
      if (c.relu) exact = exact < 0 ? 0 : exact;  // relu is 1-Lipschitz: the bound still holds
      ASSERT_LE(std::fabs(y[r * ldy + j] - exact), gamma * magnitude) << describe(c) << " at " << r << "," << j;
    }
  }
  for (size_t i = c.m * ldy; i < y.size(); ++i) ASSERT_EQ(y[i], kSentinel) << "wrote past the output";
}

TEST(SgemmRef, WithinTheRoundingBoundOfFloat64) {
  uint32_t seed = 1;
  for (size_t k : {1, 2, 7, 64, 255, 256, 257, 511, 512, 513, 1000, 1025, 1537}) {
    for (int variant = 0; variant < 4; ++variant) {
      Case c;
      c.m = 1 + (k * 7 + variant * 5) % 23;
      c.n = 1 + (k * 3 + variant * 11) % 101;
      c.k = k;
      c.b_nk = variant % 2 == 0;
      c.bias = variant >= 2;
      c.relu = variant == 3;
      c.ldy_pad = variant;
      c.lda_pad = 3 - variant;
      c.seed = seed++;
      expect_ref_near_float64(c);
    }
  }
}

TEST(SgemmRef, KnownValues) {
  // A = [[1, 2], [3, 4]], B ([K, N]) = [[5, 6], [7, 8]], bias [0.5, -100], relu.
  const float a[] = {1, 2, 3, 4}, b[] = {5, 6, 7, 8}, bias[] = {0.5f, -100.0f};
  SgemmPackedB pb;
  ASSERT_EQ(sgemm_pack_b(b, GemmLayoutB::kn, 2, 2, bias, &pb), "");
  float y[4];
  SgemmA sa{a, 2, 2};
  SgemmOut out{y, 2, true};
  ASSERT_EQ(sgemm_f32(kernels_for(Isa::ref), sa, pb, out), "");
  EXPECT_EQ(y[0], 19.5f);
  EXPECT_EQ(y[1], 0.0f);  // 22 - 100 < 0
  EXPECT_EQ(y[2], 43.5f);
  EXPECT_EQ(y[3], 0.0f);  // 50 - 100 < 0
}

TEST(Sgemm, EveryPathSmallShapes) {
  uint32_t seed = 100;
  for (size_t d = 1; d <= 64; ++d) {
    const size_t others[][2] = {{37, 29}, {7, 53}, {13, 50}};
    for (int axis = 0; axis < 3; ++axis) {
      Case c;
      c.m = axis == 0 ? d : others[axis][0];
      c.n = axis == 1 ? d : others[axis][1];
      c.k = axis == 2 ? d : (axis == 0 ? 29 : 33);
      c.b_nk = (d + axis) % 2 == 0;
      c.bias = (d + axis) % 3 != 0;
      c.relu = (d + axis) % 4 == 1;
      c.seed = seed++;
      expect_paths_equal_ref(c);
    }
  }
}

TEST(Sgemm, NeighboursOfTileAndBlockSizesAndPrimes) {
  // Rows: the AVX2 (6) and AVX-512 (8) tiles and the row block; columns: the ymm (8), zmm (16),
  // AVX2 strip (16) and panel (48) widths; K: the slice length (several slices, uneven ones).
  const std::vector<size_t> ms = {1, 5, 6, 7, 8, 9, 13, 16, 17, 95, 96, 97, 191, 192, 193, 385};
  const std::vector<size_t> ns = {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49, 95, 96, 97, 101, 145};
  const std::vector<size_t> ks = {1, 3, 17, 255, 256, 257, 509, 511, 512, 513, 769, 1023, 1024, 1025, 1543};
  uint32_t seed = 1000;
  size_t i = 0;
  for (size_t m : ms) {
    for (size_t n : ns) {
      Case c;
      c.m = m;
      c.n = n;
      c.k = ks[i++ % ks.size()];
      c.b_nk = i % 2 == 0;
      c.bias = i % 3 != 1;
      c.relu = i % 5 == 2;
      c.lda_pad = i % 4 == 0 ? 5 : 0;
      c.ldy_pad = i % 3 == 0 ? 3 : 0;
      c.seed = seed++;
      expect_paths_equal_ref(c);
    }
  }
  for (size_t k : ks) {
    Case c;
    c.m = 19;
    c.n = 61;
    c.k = k;
    c.bias = true;
    c.seed = seed++;
    expect_paths_equal_ref(c);
  }
}

TEST(Sgemm, ResultsDoNotDependOnThreadCount) {
  const int before = num_threads();
  for (int variant = 0; variant < 2; ++variant) {
    Case c;
    c.m = 203;
    c.n = 301;
    c.k = variant == 0 ? 200 : 3 * kSgemmKc + 13;  // one and four K slices
    c.bias = true;
    c.relu = variant == 1;
    c.seed = 77 + variant;
    const Inputs in = make_inputs(c);
    std::vector<float> want, got;
    set_num_threads(1);
    ASSERT_EQ(run(c, in, Isa::ref, &want), "");
    for (int t : {1, 2, 3}) {
      set_num_threads(t);
      for (Isa isa : testing::optimized_isas_here()) {
        ASSERT_EQ(run(c, in, isa, &got), "");
        ASSERT_EQ(std::memcmp(got.data(), want.data(), want.size() * sizeof(float)), 0)
            << isa_name(isa) << " with " << t << " threads";
      }
    }
  }
  set_num_threads(before);
}

TEST(Sgemm, SpecialValuesPropagateAlikeOnEveryPath) {
  // NaN and infinities in A propagate as in any BLAS; relu keeps NaN (MAXPS(0, x)).
  for (bool relu : {false, true}) {
    Case c;
    c.m = 11;
    c.n = 50;
    c.k = 300;
    c.relu = relu;
    c.bias = true;
    Inputs in = make_inputs(c);
    in.a[2 * c.k + 5] = std::numeric_limits<float>::quiet_NaN();
    in.a[7 * c.k + 299] = std::numeric_limits<float>::infinity();
    in.a[9 * c.k + 0] = -std::numeric_limits<float>::infinity();
    std::vector<float> want, got;
    ASSERT_EQ(run(c, in, Isa::ref, &want), "");
    for (size_t j = 0; j < c.n; ++j) {
      EXPECT_TRUE(std::isnan(want[2 * c.n + j]));
      if (!relu) EXPECT_FALSE(std::isfinite(want[7 * c.n + j]));  // relu maps -inf to 0
    }
    for (Isa isa : testing::optimized_isas_here()) {
      ASSERT_EQ(run(c, in, isa, &got), "");
      for (size_t i = 0; i < want.size(); ++i) {
        if (std::isnan(want[i])) {
          ASSERT_TRUE(std::isnan(got[i])) << isa_name(isa) << " at " << i;
        } else {
          ASSERT_EQ(got[i], want[i]) << isa_name(isa) << " at " << i;
        }
      }
    }
  }
}

TEST(Sgemm, ZeroKGivesTheBiasAndEmptyShapesWriteNothing) {
  std::vector<Isa> paths{Isa::ref};
  for (Isa isa : testing::optimized_isas_here()) paths.push_back(isa);
  for (Isa isa : paths) {
    Case c;
    c.m = 4;
    c.n = 9;
    c.k = 0;
    c.bias = true;
    const Inputs in = make_inputs(c);
    std::vector<float> y;
    ASSERT_EQ(run(c, in, isa, &y), "");
    for (size_t r = 0; r < c.m; ++r)
      for (size_t j = 0; j < c.n; ++j) ASSERT_EQ(y[r * c.n + j], in.bias[j]) << isa_name(isa);
    c.m = 0;
    ASSERT_EQ(run(c, in, isa, &y), "");
    for (float v : y) ASSERT_EQ(v, kSentinel);
  }
}

TEST(Sgemm, SlicesDependOnKOnlyAndAreNeverEmpty) {
  for (size_t k : {size_t{1}, size_t{255}, size_t{511}, size_t{512}, size_t{513}, size_t{1023}, size_t{1025}, size_t{65536}, size_t{70001}, size_t{300007}}) {
    const SgemmSlices s = sgemm_slices(k);
    EXPECT_LE(s.length, kSgemmKc);
    EXPECT_LT((s.count - 1) * s.length, k) << k;  // the last slice is not empty
    EXPECT_GE(s.count * s.length, k) << k;
  }
  EXPECT_EQ(sgemm_slices(0).count, 1u);
}

TEST(Sgemm, EachPathRunsItsOwnKernel) {
  EXPECT_EQ(kernels_for(Isa::ref).sgemm_isa, Isa::ref);
  for (Isa isa : testing::optimized_isas_here()) {
    if (isa == Isa::avx512vnni) EXPECT_EQ(kernels_for(isa).sgemm_isa, Isa::avx512vnni);
    if (isa == Isa::avx2 || isa == Isa::avxvnni) EXPECT_EQ(kernels_for(isa).sgemm_isa, Isa::avx2);
    EXPECT_NE(kernels_for(isa).sgemm_f32, nullptr);
  }
}

}  // namespace
}  // namespace quanta
