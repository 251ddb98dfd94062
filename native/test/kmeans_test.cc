// The kmeans family and codebook fitting: the reference against a brute-force nearest-centroid
// search, every optimized path equal to the reference bit for bit (codes, sums, and whole fits),
// and the fit's rules (exact on few distinct values, ordered codebooks, thread-count invariance).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "isa_sweep.h"
#include "runtime/codebook_ops.h"
#include "runtime/thread_pool.h"

namespace quanta {
namespace {

using testing::optimized_isas_here;
using testing::sweep_lengths;

const KernelTable& ref() { return kernels_for(Isa::ref); }

std::vector<float> random_floats(size_t n, uint32_t seed, float spread = 3.0f) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> g(0.0f, spread);
  std::vector<float> x(n);
  for (auto& v : x) v = g(rng);
  return x;
}

// Boundaries as the fit makes them: padded with +inf to 2^log2 - 1 entries.
std::vector<float> padded_bounds(const std::vector<float>& sorted_centroids, unsigned* log2) {
  unsigned l = 0;
  while ((size_t{1} << l) < sorted_centroids.size()) ++l;
  std::vector<float> b((size_t{1} << l) - 1, std::numeric_limits<float>::infinity());
  for (size_t j = 0; j + 1 < sorted_centroids.size(); ++j) {
    const double m = (double{sorted_centroids[j]} + double{sorted_centroids[j + 1]}) * 0.5;
    float f = static_cast<float>(m);
    if (double{f} > m) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
    b[j] = f;
  }
  *log2 = l;
  return b;
}

std::vector<float> sorted_centroids(size_t levels, uint32_t seed) {
  std::vector<float> c = random_floats(levels, seed, 2.0f);
  std::sort(c.begin(), c.end());
  c.erase(std::unique(c.begin(), c.end()), c.end());
  return c;
}

TEST(KmeansRef, AssignsTheNearestCentroidTiesToTheLowerIndex) {
  const std::vector<float> c = {-1.0f, 0.0f, 0.5f, 4.0f};
  unsigned log2 = 0;
  const std::vector<float> b = padded_bounds(c, &log2);
  // Midpoints: -0.5, 0.25, 2.25; exactly on one goes to the lower index.
  const float x[] = {-5.0f, -0.5f, -0.49999997f, 0.25f, 0.2500001f, 2.25f, 2.2500002f, 100.0f};
  const uint8_t want[] = {0, 0, 1, 1, 2, 2, 3, 3};
  uint8_t got[8];
  ref().kmeans_assign_f32(x, 8, b.data(), log2, got);
  for (int i = 0; i < 8; ++i) EXPECT_EQ(got[i], want[i]) << i;
}

TEST(KmeansRef, AssignmentEqualsBruteForceNearestCentroid) {
  for (size_t levels : {2u, 3u, 5u, 16u, 17u, 100u, 256u}) {
    const std::vector<float> c = sorted_centroids(levels, 7 + levels);
    unsigned log2 = 0;
    const std::vector<float> b = padded_bounds(c, &log2);
    const std::vector<float> x = random_floats(2000, 99 + levels);
    std::vector<uint8_t> got(x.size());
    ref().kmeans_assign_f32(x.data(), x.size(), b.data(), log2, got.data());
    for (size_t i = 0; i < x.size(); ++i) {
      size_t best = 0;
      for (size_t j = 1; j < c.size(); ++j) {
        if (std::fabs(double{x[i]} - c[j]) < std::fabs(double{x[i]} - c[best])) best = j;
      }
      ASSERT_EQ(got[i], best) << "levels " << levels << " x " << x[i];
    }
  }
}

TEST(KmeansRef, AccumulatesPerClusterAndLane) {
  const float x[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  const uint8_t codes[] = {0, 1, 0, 1, 0, 1, 0, 1, 1, 0};
  std::vector<double> sums(2 * kKmeansLanes, 0.0);
  std::vector<uint64_t> counts(2, 0);
  ref().kmeans_accumulate_f32(x, codes, 10, 2, sums.data(), counts.data());
  EXPECT_EQ(counts[0], 5u);
  EXPECT_EQ(counts[1], 5u);
  EXPECT_EQ(sums[0 * kKmeansLanes + 0], 1.0);   // i = 0
  EXPECT_EQ(sums[0 * kKmeansLanes + 1], 10.0);  // i = 9, lane 1
  EXPECT_EQ(sums[1 * kKmeansLanes + 0], 9.0);   // i = 8, lane 0
  EXPECT_EQ(sums[1 * kKmeansLanes + 1], 2.0);   // i = 1
}

TEST(KmeansKernels, EveryPathAssignsLikeRef) {
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    for (size_t levels : {1u, 2u, 3u, 4u, 8u, 15u, 16u, 17u, 31u, 32u, 33u, 64u, 200u, 255u, 256u}) {
      std::vector<float> c = sorted_centroids(levels, 1000 + levels);
      if (c.empty()) c.push_back(0.0f);
      unsigned log2 = 0;
      const std::vector<float> b = padded_bounds(c, &log2);
      for (size_t n : sweep_lengths()) {
        std::vector<float> x = random_floats(n, static_cast<uint32_t>(n * 31 + levels));
        // Values exactly on boundaries and on centroids, and duplicates.
        if (c.size() > 1) {
          for (size_t i = 0; i < n; i += 3) x[i] = b[(i / 3) % (c.size() - 1)];
        }
        for (size_t i = 1; i < n; i += 5) x[i] = c[i % c.size()];
        std::vector<uint8_t> want(n + 1, 0xEE), got(n + 1, 0xEE);
        ref().kmeans_assign_f32(x.data(), n, b.data(), log2, want.data());
        k.kmeans_assign_f32(x.data(), n, b.data(), log2, got.data());
        ASSERT_EQ(want, got) << isa_name(isa) << " levels " << levels << " n " << n;
      }
    }
  }
}

TEST(KmeansKernels, EveryPathAccumulatesLikeRefBitForBit) {
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    for (size_t levels : {1u, 2u, 3u, 4u, 5u, 8u, 9u, 16u, 17u, 256u}) {
      for (size_t n : sweep_lengths()) {
        const std::vector<float> x = random_floats(n, static_cast<uint32_t>(n + 7 * levels), 1e3f);
        std::vector<uint8_t> codes(n);
        std::mt19937 rng(static_cast<uint32_t>(n));
        for (auto& c : codes) c = static_cast<uint8_t>(rng() % levels);
        // Start from non-zero sums: the kernels add to what is there.
        std::vector<double> s_ref(levels * kKmeansLanes), s_got;
        for (size_t i = 0; i < s_ref.size(); ++i) s_ref[i] = 0.1 * double(i);
        s_got = s_ref;
        std::vector<uint64_t> c_ref(levels, 3), c_got(levels, 3);
        ref().kmeans_accumulate_f32(x.data(), codes.data(), n, levels, s_ref.data(), c_ref.data());
        k.kmeans_accumulate_f32(x.data(), codes.data(), n, levels, s_got.data(), c_got.data());
        ASSERT_EQ(c_ref, c_got) << isa_name(isa) << " levels " << levels << " n " << n;
        ASSERT_EQ(0, std::memcmp(s_ref.data(), s_got.data(), s_ref.size() * sizeof(double)))
            << isa_name(isa) << " levels " << levels << " n " << n;
      }
    }
  }
}

void expect_same_fit(const KernelTable& a, const KernelTable& b, const AxisView& v, const std::vector<float>& x,
                     const KmeansOptions& o, const char* what) {
  const size_t units = v.scale_count();
  std::vector<float> cb_a(units * o.levels), cb_b(units * o.levels);
  std::vector<uint8_t> codes_a(v.size()), codes_b(v.size());
  codebook_fit(a, v, x.data(), o, cb_a.data(), codes_a.data());
  codebook_fit(b, v, x.data(), o, cb_b.data(), codes_b.data());
  ASSERT_EQ(codes_a, codes_b) << what;
  ASSERT_EQ(0, std::memcmp(cb_a.data(), cb_b.data(), cb_a.size() * sizeof(float))) << what;
}

TEST(CodebookFit, EveryPathFitsTheSameCodebooks) {
  for (Isa isa : optimized_isas_here()) {
    for (size_t levels : {2u, 4u, 13u, 16u, 17u, 64u, 256u}) {
      KmeansOptions o;
      o.levels = levels;
      o.iterations = 30;
      for (size_t n : {1u, 7u, 64u, 255u, 1021u, 4099u, 20000u}) {
        std::vector<float> x = random_floats(n, static_cast<uint32_t>(levels * 1000 + n));
        for (size_t i = 0; i < n; i += 4) x[i] = std::round(x[i] * 4.0f) / 4.0f;  // duplicates
        AxisView v;
        v.axis = n;
        expect_same_fit(ref(), kernels_for(isa), v, x, o, isa_name(isa));
      }
      // Per channel on a middle axis and per group with a partial last group.
      const std::vector<float> x = random_floats(3 * 50 * 7, static_cast<uint32_t>(levels));
      AxisView per_axis{3, 50, 7, ScaleLayout::per_axis, 0};
      expect_same_fit(ref(), kernels_for(isa), per_axis, x, o, "per axis");
      AxisView blocked{3, 50, 7, ScaleLayout::blocked, 16};
      expect_same_fit(ref(), kernels_for(isa), blocked, x, o, "blocked");
    }
  }
}

TEST(CodebookFit, ThreadCountDoesNotChangeTheResult) {
  const std::vector<float> x = random_floats(64 * 4096, 5);
  AxisView v{64, 4096, 1, ScaleLayout::blocked, 512};
  KmeansOptions o;
  o.levels = 16;
  const size_t units = v.scale_count();
  std::vector<float> cb1(units * o.levels), cb4(units * o.levels);
  std::vector<uint8_t> c1(v.size()), c4(v.size());
  set_num_threads(1);
  codebook_fit(kernels(), v, x.data(), o, cb1.data(), c1.data());
  set_num_threads(4);
  codebook_fit(kernels(), v, x.data(), o, cb4.data(), c4.data());
  set_num_threads(0);
  EXPECT_EQ(c1, c4);
  EXPECT_EQ(0, std::memcmp(cb1.data(), cb4.data(), cb1.size() * sizeof(float)));
}

TEST(CodebookFit, FewerDistinctValuesThanLevelsIsExact) {
  const std::vector<float> values = {-2.5f, 0.0f, 0.125f, 7.0f, 1e-20f};
  std::vector<float> x(1000);
  for (size_t i = 0; i < x.size(); ++i) x[i] = values[(i * 7) % values.size()];
  for (size_t levels : {5u, 6u, 16u, 256u}) {
    KmeansOptions o;
    o.levels = levels;
    std::vector<float> cb(levels);
    std::vector<uint8_t> codes(x.size());
    kmeans_fit_1d(ref(), x.data(), x.size(), o, cb.data(), codes.data());
    for (size_t i = 0; i < x.size(); ++i) ASSERT_EQ(cb[codes[i]], x[i]) << levels;
    EXPECT_TRUE(std::is_sorted(cb.begin(), cb.end()));
  }
}

TEST(CodebookFit, CodebooksAreSortedDistinctAndCodesNearest) {
  // Heavy duplicates (90% zeros) must not waste levels on repeated centroids.
  std::vector<float> x = random_floats(5000, 11);
  for (size_t i = 0; i < x.size(); ++i) {
    if (i % 10 != 0) x[i] = 0.0f;
  }
  KmeansOptions o;
  o.levels = 32;
  std::vector<float> cb(o.levels);
  std::vector<uint8_t> codes(x.size());
  kmeans_fit_1d(ref(), x.data(), x.size(), o, cb.data(), codes.data());
  for (size_t j = 1; j < cb.size(); ++j) EXPECT_LT(cb[j - 1], cb[j]) << j;
  for (size_t i = 0; i < x.size(); ++i) {
    const double d = std::fabs(double{x[i]} - cb[codes[i]]);
    for (float c : cb) ASSERT_LE(d, std::fabs(double{x[i]} - c));
  }
}

TEST(CodebookFit, MoreLevelsNeverFitWorseOnTheSameData) {
  const std::vector<float> x = random_floats(4096, 3);
  double previous = std::numeric_limits<double>::infinity();
  for (size_t levels : {2u, 4u, 8u, 16u, 32u, 64u, 128u, 256u}) {
    KmeansOptions o;
    o.levels = levels;
    std::vector<float> cb(levels);
    std::vector<uint8_t> codes(x.size());
    kmeans_fit_1d(ref(), x.data(), x.size(), o, cb.data(), codes.data());
    double mse = 0;
    for (size_t i = 0; i < x.size(); ++i) mse += (x[i] - cb[codes[i]]) * double(x[i] - cb[codes[i]]);
    EXPECT_LT(mse, previous) << levels;
    previous = mse;
  }
}

TEST(CodebookLookup, ReadsEachUnitsCodebook) {
  AxisView v{2, 5, 3, ScaleLayout::blocked, 2};  // 2 * 3 * 3 units of up to 2 values
  const size_t units = v.scale_count(), levels = 4;
  std::vector<float> cb(units * levels);
  for (size_t i = 0; i < cb.size(); ++i) cb[i] = float(i);
  std::vector<uint8_t> codes(v.size());
  for (size_t i = 0; i < codes.size(); ++i) codes[i] = uint8_t(i % levels);
  std::vector<float> y(v.size());
  codebook_lookup(v, codes.data(), cb.data(), levels, y.data());
  for (size_t o = 0; o < 2; ++o) {
    for (size_t a = 0; a < 5; ++a) {
      for (size_t i = 0; i < 3; ++i) {
        const size_t idx = (o * 5 + a) * 3 + i, unit = (o * 3 + a / 2) * 3 + i;
        ASSERT_EQ(y[idx], cb[unit * levels + codes[idx]]);
      }
    }
  }
}

}  // namespace
}  // namespace quanta
