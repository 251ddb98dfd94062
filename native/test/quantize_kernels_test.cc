// The quantize / dequantize / requantize / dot families: known values of the reference, and every
// optimized path equal to the reference bit for bit (float outputs too: they are exact).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "isa_sweep.h"
#include "kernels/ref/scalar.h"
#include "runtime/linear_ops.h"

namespace quanta {
namespace {

using testing::optimized_isas_here;
using testing::sweep_lengths;

const KernelTable& ref() { return kernels_for(Isa::ref); }

TEST(QuantizeRef, RoundsHalfToEvenAfterTrueDivision) {
  const float x[] = {0.5f, 1.5f, 2.5f, -0.5f, -1.5f, -2.5f, 0.49999997f, 3.0f};
  int8_t y[8];
  ref().quantize_f32_s8(x, 8, 1.0f, 0, {-128, 127}, y);
  const int8_t want[] = {0, 2, 2, 0, -2, -2, 0, 3};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(y[i], want[i]) << i;
  // 0.3 / 0.1 is 2.9999998 in float32 division; a reciprocal multiply would give 3.0000002.
  const float a = 0.15f;
  int8_t q;
  ref().quantize_f32_s8(&a, 1, 0.1f, 0, {-128, 127}, &q);
  EXPECT_EQ(q, static_cast<int8_t>(std::nearbyint(0.15f / 0.1f)));
}

TEST(QuantizeRef, SaturatesInfinitiesAndMapsNanToTheLowestCode) {
  const float inf = std::numeric_limits<float>::infinity();
  const float x[] = {inf, -inf, std::nanf(""), 1e30f, -1e30f, -0.0f};
  uint8_t y[6];
  ref().quantize_f32_u8(x, 6, 0.5f, 100, {0, 255}, y);
  const uint8_t want[] = {255, 0, 0, 255, 0, 100};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(y[i], want[i]) << i;
}

TEST(QuantizeRef, NarrowRangesClamp) {
  const float x[] = {-100.0f, 100.0f, 7.4f, -8.6f};
  int8_t y[4];
  ref().quantize_f32_s8(x, 4, 1.0f, 0, {-8, 7}, y);
  EXPECT_EQ(y[0], -8);
  EXPECT_EQ(y[1], 7);
  EXPECT_EQ(y[2], 7);
  EXPECT_EQ(y[3], -8);
}

TEST(RequantizeFixedRef, MatchesTfliteReferenceValues) {
  // multiplier 0.5 as Q31 (2^30) with shift 0: 10 -> 5, 11 -> 5.5 -> 6. gemmlowp's high multiply
  // nudges negative products by 1 - 2^30 and truncates, so -5.5 becomes -5 (ties upward there).
  EXPECT_EQ(scalar::multiply_by_quantized_multiplier(10, 1 << 30, 0), 5);
  EXPECT_EQ(scalar::multiply_by_quantized_multiplier(11, 1 << 30, 0), 6);
  EXPECT_EQ(scalar::multiply_by_quantized_multiplier(-11, 1 << 30, 0), -5);
  // 0.5 * 2^-2 = 0.125: 100 -> 12.5 -> 13, -100 -> -13.
  EXPECT_EQ(scalar::multiply_by_quantized_multiplier(100, 1 << 30, -2), 13);
  EXPECT_EQ(scalar::multiply_by_quantized_multiplier(-100, 1 << 30, -2), -13);
  // 0.5 * 2^1 = 1.
  EXPECT_EQ(scalar::multiply_by_quantized_multiplier(77, 1 << 30, 1), 77);
  EXPECT_EQ(scalar::saturating_rounding_doubling_high_mul(INT32_MIN, INT32_MIN), INT32_MAX);
  EXPECT_EQ(scalar::requantize_fixed(1000000, 1 << 30, 0, 10, {-128, 127}), 127);
}

std::vector<float> test_floats(size_t n, uint32_t seed, float spread) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-spread, spread);
  std::vector<float> x(n);
  for (auto& v : x) v = u(rng);
  // Specials and exact ties at a handful of positions.
  const float specials[] = {std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
                            std::nanf(""), -0.0f, 1e-40f, -1e-40f, 0.5f, 1.5f, -2.5f, 1e30f, -1e30f};
  for (size_t i = 0; i < n; i += 7) x[i] = specials[(i / 7) % 11];
  return x;
}

struct RangeCase {
  QuantRange range;
  int32_t zero_point;
};

const RangeCase kS8Ranges[] = {{{-128, 127}, 0}, {{-128, 127}, -128}, {{-128, 127}, 127}, {{-127, 127}, 0},
                               {{-64, 63}, 5}, {{-8, 7}, 0}, {{-2, 1}, -1}};
const RangeCase kU8Ranges[] = {{{0, 255}, 0}, {{0, 255}, 128}, {{0, 255}, 255}, {{0, 127}, 64},
                               {{0, 15}, 8}, {{0, 254}, 127}};

TEST(QuantizeSweep, CoversEveryPathOfThisMachine) {
  const auto isas = optimized_isas_here();
  std::string names;
  for (Isa isa : isas) names += std::string(isa_name(isa)) + " ";
  RecordProperty("paths", names);
  std::printf("optimized paths swept here: %s\n", names.c_str());
  // Every usable path but ref is swept, and the best one is among them.
  if (best_isa(host_cpu_features()) != Isa::ref) {
    EXPECT_NE(std::find(isas.begin(), isas.end(), best_isa(host_cpu_features())), isas.end());
  }
}

TEST(QuantizeSweep, EveryPathEqualsRef) {
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    for (size_t n : sweep_lengths()) {
      for (float scale : {1.0f, 0.0173f, 3.7e-5f, 250.0f}) {
        const auto x = test_floats(n, static_cast<uint32_t>(n * 31 + 7), 2.0f * 140 * scale);
        for (const auto& c : kS8Ranges) {
          std::vector<int8_t> want(n + 1, 0x5A), got(n + 1, 0x5A);
          ref().quantize_f32_s8(x.data(), n, scale, c.zero_point, c.range, want.data());
          k.quantize_f32_s8(x.data(), n, scale, c.zero_point, c.range, got.data());
          ASSERT_EQ(got, want) << isa_name(isa) << " n=" << n << " scale=" << scale;
        }
        for (const auto& c : kU8Ranges) {
          std::vector<uint8_t> want(n + 1, 0xA5), got(n + 1, 0xA5);
          ref().quantize_f32_u8(x.data(), n, scale, c.zero_point, c.range, want.data());
          k.quantize_f32_u8(x.data(), n, scale, c.zero_point, c.range, got.data());
          ASSERT_EQ(got, want) << isa_name(isa) << " n=" << n << " scale=" << scale;
        }
      }
    }
  }
}

TEST(QuantizeSweep, LanesEveryPathEqualsRef) {
  std::mt19937 rng(3);
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    for (size_t n : sweep_lengths()) {
      const auto x = test_floats(n, static_cast<uint32_t>(n + 1), 300.0f);
      std::vector<float> scale(n);
      std::vector<int32_t> zp_s(n), zp_u(n);
      for (size_t i = 0; i < n; ++i) {
        scale[i] = std::ldexp(1.0f + static_cast<float>(rng() % 1000) / 1000.0f, static_cast<int>(rng() % 12) - 6);
        zp_s[i] = static_cast<int32_t>(rng() % 256) - 128;
        zp_u[i] = static_cast<int32_t>(rng() % 256);
      }
      std::vector<int8_t> ws(n + 1, 1), gs(n + 1, 1);
      ref().quantize_f32_s8_lanes(x.data(), n, scale.data(), zp_s.data(), {-128, 127}, ws.data());
      k.quantize_f32_s8_lanes(x.data(), n, scale.data(), zp_s.data(), {-128, 127}, gs.data());
      ASSERT_EQ(gs, ws) << isa_name(isa) << " n=" << n;
      std::vector<uint8_t> wu(n + 1, 1), gu(n + 1, 1);
      ref().quantize_f32_u8_lanes(x.data(), n, scale.data(), zp_u.data(), {0, 255}, wu.data());
      k.quantize_f32_u8_lanes(x.data(), n, scale.data(), zp_u.data(), {0, 255}, gu.data());
      ASSERT_EQ(gu, wu) << isa_name(isa) << " n=" << n;
    }
  }
}

// Float outputs are exact on every path (one int-to-float conversion and one multiply), so they
// are compared bit for bit too.
template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

TEST(DequantizeSweep, EveryPathEqualsRef) {
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    for (size_t n : sweep_lengths()) {
      std::vector<int8_t> xs(n);
      std::vector<uint8_t> xu(n);
      std::vector<float> scale(n);
      std::vector<int32_t> zp(n);
      for (size_t i = 0; i < n; ++i) {
        xs[i] = static_cast<int8_t>(i * 37 + 128);
        xu[i] = static_cast<uint8_t>(i * 53);
        scale[i] = 0.001f * static_cast<float>(i + 1);
        zp[i] = static_cast<int32_t>(i % 200) - 60;
      }
      for (float s : {1.0f, 0.0039215689f, 1e-30f, 3e30f}) {
        for (int32_t z : {0, -128, 127, 255}) {
          std::vector<float> want(n + 1, -7.0f), got(n + 1, -7.0f);
          ref().dequantize_s8_f32(xs.data(), n, s, z, want.data());
          k.dequantize_s8_f32(xs.data(), n, s, z, got.data());
          ASSERT_TRUE(same_bits(got, want)) << isa_name(isa) << " n=" << n;
          ref().dequantize_u8_f32(xu.data(), n, s, z, want.data());
          k.dequantize_u8_f32(xu.data(), n, s, z, got.data());
          ASSERT_TRUE(same_bits(got, want)) << isa_name(isa) << " n=" << n;
        }
      }
      std::vector<float> want(n + 1, -7.0f), got(n + 1, -7.0f);
      ref().dequantize_s8_f32_lanes(xs.data(), n, scale.data(), zp.data(), want.data());
      k.dequantize_s8_f32_lanes(xs.data(), n, scale.data(), zp.data(), got.data());
      ASSERT_TRUE(same_bits(got, want)) << isa_name(isa) << " n=" << n;
      ref().dequantize_u8_f32_lanes(xu.data(), n, scale.data(), zp.data(), want.data());
      k.dequantize_u8_f32_lanes(xu.data(), n, scale.data(), zp.data(), got.data());
      ASSERT_TRUE(same_bits(got, want)) << isa_name(isa) << " n=" << n;
    }
  }
}

TEST(RequantizeSweep, EveryPathEqualsRef) {
  std::mt19937 rng(11);
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    for (size_t n : sweep_lengths()) {
      std::vector<int32_t> acc(n);
      for (size_t i = 0; i < n; ++i) acc[i] = static_cast<int32_t>(rng());
      const int32_t extremes[] = {INT32_MIN, INT32_MAX, 0, 16777217, -16777217, 1, -1};
      for (size_t i = 0; i < n; i += 5) acc[i] = extremes[(i / 5) % 7];
      std::vector<float> mult(n);
      std::vector<int32_t> zp(n);
      for (size_t i = 0; i < n; ++i) {
        mult[i] = std::ldexp(1.0f + static_cast<float>(rng() % 997) / 997.0f, -static_cast<int>(rng() % 30));
        zp[i] = static_cast<int32_t>(rng() % 256);
      }
      for (float m : {1.0f, 1.0f / 256.0f, 3.1e-7f, 0.5f}) {
        std::vector<int8_t> ws(n + 1, 9), gs(n + 1, 9);
        ref().requantize_s32_s8(acc.data(), n, m, -3, {-128, 127}, ws.data());
        k.requantize_s32_s8(acc.data(), n, m, -3, {-128, 127}, gs.data());
        ASSERT_EQ(gs, ws) << isa_name(isa) << " n=" << n;
        std::vector<uint8_t> wu(n + 1, 9), gu(n + 1, 9);
        ref().requantize_s32_u8(acc.data(), n, m, 128, {0, 255}, wu.data());
        k.requantize_s32_u8(acc.data(), n, m, 128, {0, 255}, gu.data());
        ASSERT_EQ(gu, wu) << isa_name(isa) << " n=" << n;
      }
      std::vector<uint8_t> wu(n + 1, 9), gu(n + 1, 9);
      ref().requantize_s32_u8_lanes(acc.data(), n, mult.data(), zp.data(), {0, 255}, wu.data());
      k.requantize_s32_u8_lanes(acc.data(), n, mult.data(), zp.data(), {0, 255}, gu.data());
      ASSERT_EQ(gu, wu) << isa_name(isa) << " n=" << n;
      for (auto& z : zp) z -= 128;
      std::vector<int8_t> ws(n + 1, 9), gs(n + 1, 9);
      ref().requantize_s32_s8_lanes(acc.data(), n, mult.data(), zp.data(), {-127, 127}, ws.data());
      k.requantize_s32_s8_lanes(acc.data(), n, mult.data(), zp.data(), {-127, 127}, gs.data());
      ASSERT_EQ(gs, ws) << isa_name(isa) << " n=" << n;
    }
  }
}

// Runs of 4M elements and more take the streaming-store path: unaligned output starts and tails.
TEST(StreamingRuns, EveryPathEqualsRefAtEveryOutputAlignment) {
  const size_t n = (size_t{1} << 22) + 37;
  const auto x = test_floats(n, 99, 300.0f);
  std::vector<int8_t> codes(n + 64), want_codes(n);
  std::vector<float> values(n + 16), want_values(n);
  ref().quantize_f32_s8(x.data(), n, 0.7f, 3, {-128, 127}, want_codes.data());
  ref().dequantize_s8_f32(want_codes.data(), n, 0.7f, 3, want_values.data());
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    for (size_t offset : {0, 1, 13, 63}) {
      std::fill(codes.begin(), codes.end(), int8_t{0x55});
      k.quantize_f32_s8(x.data(), n, 0.7f, 3, {-128, 127}, codes.data() + offset);
      ASSERT_EQ(std::memcmp(codes.data() + offset, want_codes.data(), n), 0) << isa_name(isa) << " offset " << offset;
      for (size_t i = 0; i < offset; ++i) ASSERT_EQ(codes[i], 0x55) << "wrote before the output";
      for (size_t i = offset + n; i < codes.size(); ++i) ASSERT_EQ(codes[i], 0x55) << "wrote past the output";
    }
    for (size_t offset : {0, 1, 5, 15}) {
      std::fill(values.begin(), values.end(), -9.0f);
      k.dequantize_s8_f32(want_codes.data(), n, 0.7f, 3, values.data() + offset);
      ASSERT_EQ(std::memcmp(values.data() + offset, want_values.data(), n * sizeof(float)), 0) << isa_name(isa) << " offset " << offset;
      for (size_t i = 0; i < offset; ++i) ASSERT_EQ(values[i], -9.0f) << "wrote before the output";
      for (size_t i = offset + n; i < values.size(); ++i) ASSERT_EQ(values[i], -9.0f) << "wrote past the output";
    }
  }
}

TEST(RequantizeFixedSweep, EveryPathEqualsRef) {
  std::mt19937 rng(17);
  for (Isa isa : optimized_isas_here()) {
    const KernelTable& k = kernels_for(isa);
    for (size_t n : sweep_lengths()) {
      std::vector<int32_t> acc(n);
      for (size_t i = 0; i < n; ++i) acc[i] = static_cast<int32_t>(rng()) >> (rng() % 24);
      const int32_t extremes[] = {INT32_MIN, INT32_MAX, 0, -1, 1, 1 << 30, -(1 << 30)};
      for (size_t i = 0; i < n; i += 3) acc[i] = extremes[(i / 3) % 7];
      for (int32_t shift : {-31, -20, -7, -1, 0, 1, 5, 30}) {
        for (int32_t multiplier : {0, 1 << 30, INT32_MAX, 1518500250, 1073741825}) {
          std::vector<int8_t> ws(n + 1, 3), gs(n + 1, 3);
          ref().requantize_fixed_s32_s8(acc.data(), n, multiplier, shift, -5, {-128, 127}, ws.data());
          k.requantize_fixed_s32_s8(acc.data(), n, multiplier, shift, -5, {-128, 127}, gs.data());
          ASSERT_EQ(gs, ws) << isa_name(isa) << " n=" << n << " shift=" << shift << " m=" << multiplier;
          std::vector<uint8_t> wu(n + 1, 3), gu(n + 1, 3);
          ref().requantize_fixed_s32_u8(acc.data(), n, multiplier, shift, 200, {0, 255}, wu.data());
          k.requantize_fixed_s32_u8(acc.data(), n, multiplier, shift, 200, {0, 255}, gu.data());
          ASSERT_EQ(gu, wu) << isa_name(isa) << " n=" << n << " shift=" << shift << " m=" << multiplier;
        }
      }
    }
  }
}

TEST(LinearOps, BlockedAndPerAxisLayoutsMatchAScalarModel) {
  // x viewed as [outer=3, axis=10, inner=4]; blocks of 4 along the axis (last block partial).
  AxisView v;
  v.outer = 3;
  v.axis = 10;
  v.inner = 4;
  v.layout = ScaleLayout::blocked;
  v.block = 4;
  const size_t blocks = 3;
  std::vector<float> x(v.size());
  for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(i % 17) - 8.3f;
  std::vector<float> scale(v.scale_count());
  std::vector<int32_t> zp(v.scale_count());
  ASSERT_EQ(scale.size(), 3u * blocks * 4u);
  for (size_t i = 0; i < scale.size(); ++i) {
    scale[i] = 0.1f + 0.01f * static_cast<float>(i);
    zp[i] = static_cast<int32_t>(i % 5);
  }
  for (Isa isa : {Isa::ref, best_isa(host_cpu_features())}) {
    std::vector<int8_t> y(v.size());
    quantize_linear(kernels_for(isa), v, x.data(), scale.data(), zp.data(), {-128, 127}, IntType::s8, y.data());
    for (size_t o = 0; o < 3; ++o)
      for (size_t a = 0; a < 10; ++a)
        for (size_t i = 0; i < 4; ++i) {
          const size_t e = (o * 10 + a) * 4 + i, s = (o * blocks + a / 4) * 4 + i;
          ASSERT_EQ(y[e], scalar::quantize(x[e], scale[s], zp[s], {-128, 127})) << e;
        }
  }
  // Per axis on the innermost axis (inner == 1) and on a middle axis.
  for (size_t inner : {size_t{1}, size_t{3}}) {
    AxisView p;
    p.outer = 2;
    p.axis = 19;
    p.inner = inner;
    p.layout = ScaleLayout::per_axis;
    std::vector<float> px(p.size());
    for (size_t i = 0; i < px.size(); ++i) px[i] = static_cast<float>(i) * 0.77f - 20.0f;
    std::vector<float> ps(19);
    std::vector<int32_t> pz(19);
    for (size_t i = 0; i < 19; ++i) {
      ps[i] = 0.05f * static_cast<float>(i + 1);
      pz[i] = static_cast<int32_t>(i * 13);
    }
    std::vector<uint8_t> y(p.size());
    quantize_linear(kernels(), p, px.data(), ps.data(), pz.data(), {0, 255}, IntType::u8, y.data());
    for (size_t e = 0; e < p.size(); ++e) {
      const size_t a = (e / inner) % 19;
      ASSERT_EQ(y[e], scalar::quantize(px[e], ps[a], pz[a], {0, 255})) << e;
    }
  }
}

}  // namespace
}  // namespace quanta
