// The range family (min / max, per-column min / max, histograms): every optimized path equal to
// the reference bit for bit (zero signs included), counts identical, on sweeps of lengths and
// tails with NaN, +-Inf, -0, subnormals, huge values and values exactly at bin edges; and the
// runtime's results identical for any thread count.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "isa_sweep.h"
#include "kernels/ref/quantize_ref.h"
#include "runtime/range_ops.h"
#include "runtime/thread_pool.h"

namespace quanta {
namespace {

using testing::optimized_isas_here;
using testing::sweep_lengths;

constexpr float kInf = std::numeric_limits<float>::infinity();

const KernelTable& ref_table() { return kernels_for(Isa::ref); }

uint32_t bits(float v) {
  uint32_t b;
  std::memcpy(&b, &v, 4);
  return b;
}

// Random values with specials sprinkled in (density ~ 1/special_every).
std::vector<float> make_values(size_t n, uint32_t seed, float spread, size_t special_every = 7) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-spread, spread);
  const float specials[] = {std::nanf(""), -std::nanf(""), kInf, -kInf, 0.0f, -0.0f,
                            std::numeric_limits<float>::denorm_min(), -std::numeric_limits<float>::denorm_min(),
                            1e-40f, std::numeric_limits<float>::max(), -std::numeric_limits<float>::max(),
                            std::numeric_limits<float>::min(), 3e38f, -3e38f};
  std::vector<float> x(n);
  for (auto& v : x) {
    v = u(rng);
    if (special_every && rng() % special_every == 0) v = specials[rng() % (sizeof(specials) / sizeof(float))];
  }
  return x;
}

// Values whose (v - lo) * inv land exactly on integers, just below and just above them.
std::vector<float> edge_values(size_t n, uint32_t seed, float lo, float inv, uint32_t bins) {
  std::mt19937 rng(seed);
  std::vector<float> x(n);
  for (auto& v : x) {
    const float k = static_cast<float>(static_cast<int64_t>(rng() % (bins + 3)) - 1);
    float e = lo + k / inv;
    switch (rng() % 4) {
      case 1: e = std::nextafter(e, kInf); break;
      case 2: e = std::nextafter(e, -kInf); break;
      case 3: e = (rng() & 1) ? -e : e; break;
      default: break;
    }
    v = e;
  }
  return x;
}

void expect_same_range(const KernelTable& k, const std::vector<float>& x, float init_min, float init_max,
                       const char* what) {
  float rmin = init_min, rmax = init_max, omin = init_min, omax = init_max;
  const uint64_t rn = ref::range_f32(x.data(), x.size(), &rmin, &rmax);
  const uint64_t on = k.range_f32(x.data(), x.size(), &omin, &omax);
  ASSERT_EQ(on, rn) << what << " n=" << x.size();
  ASSERT_EQ(bits(omin), bits(rmin)) << what << " n=" << x.size() << " " << omin << " vs " << rmin;
  ASSERT_EQ(bits(omax), bits(rmax)) << what << " n=" << x.size() << " " << omax << " vs " << rmax;
}

TEST(RangeRef, SkipsNonFiniteAndKeepsTheFirstZero) {
  const float x[] = {3.0f, std::nanf(""), kInf, -kInf, 0.0f, -0.0f, 5.0f};
  float mn = kInf, mx = -kInf;
  EXPECT_EQ(ref::range_f32(x, 7, &mn, &mx), 3u);
  EXPECT_EQ(bits(mn), bits(0.0f));
  EXPECT_EQ(mx, 5.0f);
  const float y[] = {-0.0f, 0.0f};
  mn = kInf, mx = -kInf;
  ref::range_f32(y, 2, &mn, &mx);
  EXPECT_EQ(bits(mn), bits(-0.0f));
  EXPECT_EQ(bits(mx), bits(-0.0f));
}

TEST(RangeKernels, EveryPathEqualsRef) {
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    SCOPED_TRACE(isa_name(isa));
    for (size_t n : sweep_lengths()) {
      for (size_t every : {size_t{0}, size_t{3}, size_t{50}}) {
        const auto x = make_values(n, static_cast<uint32_t>(n * 7 + every), 100.0f, every);
        expect_same_range(k, x, kInf, -kInf, "fresh");
        expect_same_range(k, x, 0.0f, -0.0f, "zero state");
        expect_same_range(k, x, -1.0f, 1.0f, "narrow state");
      }
    }
  }
}

TEST(RangeKernels, ZeroSignsFollowTheFirstZeroAnywhere) {
  const size_t n = 9000;  // crosses the optimized kernels' blocks
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    SCOPED_TRACE(isa_name(isa));
    for (size_t first : {size_t{0}, size_t{5}, size_t{17}, size_t{4095}, size_t{4096}, size_t{8999}}) {
      for (int sign = 0; sign < 2; ++sign) {
        // Positive values with zeros from `first` on, alternating sign: min is the first zero.
        std::vector<float> x(n, 2.5f);
        for (size_t i = first; i < n; i += 3) x[i] = ((i - first) / 3 + sign) % 2 ? -0.0f : 0.0f;
        expect_same_range(k, x, kInf, -kInf, "min zero");
        for (auto& v : x) v = v == 0.0f ? v : -v;  // negatives: max is the first zero
        expect_same_range(k, x, kInf, -kInf, "max zero");
        x.assign(n, 0.0f);
        x[first] = -0.0f;
        expect_same_range(k, x, kInf, -kInf, "all zero");
      }
    }
  }
}

TEST(RangeKernels, ColumnsEveryPathEqualsRef) {
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    SCOPED_TRACE(isa_name(isa));
    for (size_t width : {1, 3, 4, 7, 8, 15, 16, 17, 33, 100}) {
      for (size_t rows : {1, 2, 5, 63, 64, 65, 130}) {
        const size_t stride = width + (rows % 3);
        auto x = make_values(rows * stride, static_cast<uint32_t>(width * 1000 + rows), 10.0f, 5);
        std::vector<float> rmin(width, kInf), rmax(width, -kInf);
        for (size_t c = 0; c < width; c += 3) rmin[c] = rmax[c] = 0.0f;  // a zero state to keep
        auto omin = rmin, omax = rmax;
        const uint64_t rn = ref::range_columns_f32(x.data(), rows, width, stride, rmin.data(), rmax.data());
        const uint64_t on = k.range_columns_f32(x.data(), rows, width, stride, omin.data(), omax.data());
        ASSERT_EQ(on, rn) << width << "x" << rows;
        for (size_t c = 0; c < width; ++c) {
          ASSERT_EQ(bits(omin[c]), bits(rmin[c])) << width << "x" << rows << " col " << c;
          ASSERT_EQ(bits(omax[c]), bits(rmax[c])) << width << "x" << rows << " col " << c;
        }
      }
    }
  }
}

TEST(HistogramRef, BinsFollowTheFloat32Formula) {
  // [0, 4) in 4 bins: inv = 1; 4 and above land in the last bin, below 0 in the first.
  const float x[] = {-1.0f, 0.0f, 0.999f, 1.0f, 3.999f, 4.0f, 1e30f, std::nanf(""), -kInf, -0.0f};
  uint64_t counts[4] = {};
  EXPECT_EQ(ref::histogram_f32(x, 10, 0.0f, 1.0f, 4, false, nullptr, counts), 2u);
  EXPECT_EQ(counts[0], 4u);
  EXPECT_EQ(counts[1], 1u);
  EXPECT_EQ(counts[2], 0u);
  EXPECT_EQ(counts[3], 3u);
  uint64_t abs_counts[4] = {};
  const float y[] = {-1.5f, 1.5f, -3.5f};
  ref::histogram_f32(y, 3, 0.0f, 1.0f, 4, true, nullptr, abs_counts);
  EXPECT_EQ(abs_counts[1], 2u);
  EXPECT_EQ(abs_counts[3], 1u);
}

struct HistCase {
  double lo, hi;
};

void expect_same_histogram(const KernelTable& k, const std::vector<float>& x, float lo, float inv, uint32_t bins,
                           bool abs_mode, const char* what) {
  std::vector<uint64_t> rc(bins, 0), oc(bins, 0);
  for (size_t b = 0; b < bins; b += 5) rc[b] = oc[b] = b;  // counts are added to
  std::vector<uint32_t> scratch(histogram_scratch_size(bins), 0xdeadbeefu);
  const uint64_t rn = ref::histogram_f32(x.data(), x.size(), lo, inv, bins, abs_mode, nullptr, rc.data());
  const uint64_t on = k.histogram_f32(x.data(), x.size(), lo, inv, bins, abs_mode, scratch.data(), oc.data());
  ASSERT_EQ(on, rn) << what << " n=" << x.size() << " bins=" << bins << " abs=" << abs_mode;
  ASSERT_EQ(oc, rc) << what << " n=" << x.size() << " bins=" << bins << " abs=" << abs_mode;
}

TEST(HistogramKernels, EveryPathEqualsRef) {
  const HistCase ranges[] = {{-100.0, 100.0}, {0.0, 100.0}, {-3.0, 0.5}, {1.0, 1.0000001}, {-1e-30, 1e-30},
                             {-3e38, 3e38}, {0.1, 0.3}};
  std::vector<size_t> lengths = sweep_lengths();
  lengths.push_back(20011);
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    SCOPED_TRACE(isa_name(isa));
    for (uint32_t bins : {1u, 2u, 3u, 7u, 16u, 255u, 256u, 2048u, 4096u}) {
      for (const auto& r : ranges) {
        const float lo = static_cast<float>(r.lo);
        const float inv = static_cast<float>(bins / (r.hi - r.lo));
        if (!(inv > 0.0f) || !std::isfinite(inv)) continue;
        for (size_t n : lengths) {
          if (n > 300 && n != 4099 && n != 20011 && bins != 2048) continue;  // keep the sweep short
          const auto x = make_values(n, static_cast<uint32_t>(n + bins), static_cast<float>(r.hi) * 1.5f, 6);
          expect_same_histogram(k, x, lo, inv, bins, false, "random");
          expect_same_histogram(k, x, lo, inv, bins, true, "random abs");
          const auto e = edge_values(n, static_cast<uint32_t>(n * 3 + bins), lo, inv, bins);
          expect_same_histogram(k, e, lo, inv, bins, false, "edges");
          expect_same_histogram(k, e, lo, inv, bins, true, "edges abs");
        }
      }
    }
  }
}

TEST(HistogramKernels, HotBinsAndAllNonFinite) {
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    SCOPED_TRACE(isa_name(isa));
    std::vector<float> same(10007, 0.5f);
    expect_same_histogram(k, same, 0.0f, 2048.0f, 2048, false, "one bin");
    std::vector<float> nan(10007, std::nanf(""));
    expect_same_histogram(k, nan, 0.0f, 1.0f, 16, false, "all NaN");
  }
}

// Runtime: same result on every path and for 1, 2 and 3 threads, and equal to one ref pass.
TEST(RangeOps, IdenticalForEveryThreadCountAndPath) {
  const size_t n = (size_t{1} << 20) + 13;
  auto x = make_values(n, 99, 50.0f, 1000);
  // A zero of each sign where the parts split, so merging order matters.
  x[n / 2] = -0.0f;
  x[n / 2 + 1] = 0.0f;
  for (auto& v : x) v = v < 0 ? -v : v;  // min 0: its sign is the first zero's
  std::vector<Isa> paths = optimized_isas_here();
  paths.push_back(Isa::ref);
  float want_min = kInf, want_max = -kInf;
  const uint64_t want_nf = ref::range_f32(x.data(), n, &want_min, &want_max);
  std::vector<uint64_t> want_counts(2048, 0);
  ref::histogram_f32(x.data(), n, 0.0f, static_cast<float>(2048 / 60.0), 2048, false, nullptr, want_counts.data());
  // Per channel: [outer, axis, inner] with inner 1 and inner 7.
  for (Isa isa : paths) {
    const KernelTable& k = kernels_for(isa);
    for (int threads : {1, 2, 3}) {
      set_num_threads(threads);
      SCOPED_TRACE(std::string(isa_name(isa)) + " threads " + std::to_string(threads));
      float mn = kInf, mx = -kInf;
      EXPECT_EQ(range_of(k, x.data(), n, &mn, &mx), want_nf);
      EXPECT_EQ(bits(mn), bits(want_min));
      EXPECT_EQ(bits(mx), bits(want_max));
      std::vector<double> counts(2048, 0.0);
      EXPECT_EQ(histogram(k, x.data(), n, 0.0f, static_cast<float>(2048 / 60.0), 2048, false, counts.data()), want_nf);
      for (size_t b = 0; b < 2048; ++b) ASSERT_EQ(counts[b], static_cast<double>(want_counts[b])) << b;
      for (size_t inner : {size_t{1}, size_t{7}}) {
        const size_t axis = 13, outer = n / (axis * inner);
        std::vector<double> mins(axis, INFINITY), maxs(axis, -INFINITY), rmins = mins, rmaxs = maxs;
        mins[0] = rmins[0] = 0.0;
        const uint64_t got = range_per_channel(k, x.data(), outer, axis, inner, mins.data(), maxs.data());
        uint64_t nf = 0;
        for (size_t o = 0; o < outer; ++o) {
          for (size_t a = 0; a < axis; ++a) {
            float lo = static_cast<float>(rmins[a]), hi = static_cast<float>(rmaxs[a]);
            nf += ref::range_f32(x.data() + (o * axis + a) * inner, inner, &lo, &hi);
            rmins[a] = lo;
            rmaxs[a] = hi;
          }
        }
        EXPECT_EQ(got, nf);
        for (size_t a = 0; a < axis; ++a) {
          EXPECT_EQ(std::signbit(mins[a]), std::signbit(rmins[a])) << a;
          EXPECT_EQ(mins[a], rmins[a]) << a;
          EXPECT_EQ(maxs[a], rmaxs[a]) << a;
        }
      }
    }
  }
  set_num_threads(0);
}

}  // namespace
}  // namespace quanta
