// The int8 GEMM engine: every path (ref and each optimized one here) equal to the specification
// ref::gemm_s32_spec bit for bit, over small shapes, the neighbours of every block size, all
// zero-point cases, extreme values, the int32 bound on K, the f32 epilogue and thread counts.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "isa_sweep.h"
#include "kernels/ref/scalar.h"
#include "quanta/gelu.h"
#include "runtime/gemm.h"
#include "runtime/thread_pool.h"

namespace quanta {
namespace {

struct Case {
  size_t m = 1, n = 1, k = 1;
  bool a_signed = false, b_signed = true, b_nk = true;
  std::vector<int32_t> za{0}, zb{0};
  // Fill: 0 random, 1 all max, 2 all min, 3 alternating extremes.
  int fill_a = 0, fill_b = 0;
  size_t lda_pad = 0, ldy_pad = 0;
  uint32_t seed = 1;
};

std::vector<uint8_t> make(size_t count, bool is_signed, int fill, std::mt19937& rng) {
  std::vector<uint8_t> v(count);
  const uint8_t hi = is_signed ? 127 : 255, lo = is_signed ? 0x80 : 0;
  for (size_t i = 0; i < count; ++i) {
    switch (fill) {
      case 1: v[i] = hi; break;
      case 2: v[i] = lo; break;
      case 3: v[i] = ((i * 7 + i / 3) & 1) ? hi : lo; break;
      default: v[i] = static_cast<uint8_t>(rng()); break;
    }
  }
  return v;
}

// Runs the case on `isa`; compares with the spec. Returns a failure description or "".
// `spec`, when given, keeps the specification's result between calls on the same case (the inputs
// depend only on the case): it costs more than the GEMM itself under an emulator.
std::string run_case(const Case& c, Isa isa, std::vector<int32_t>* spec = nullptr) {
  std::mt19937 rng(c.seed);
  const size_t lda = c.k + c.lda_pad, ldy = c.n + c.ldy_pad;
  std::vector<uint8_t> a_dense = make(c.m * c.k, c.a_signed, c.fill_a, rng);
  std::vector<uint8_t> b = make(c.n * c.k, c.b_signed, c.fill_b, rng);
  std::vector<uint8_t> a(c.m * lda + 1, 0xA5);
  if (c.k > 0) {  // memcpy from an empty vector's null data() is undefined even for 0 bytes
    for (size_t r = 0; r < c.m; ++r) std::memcpy(a.data() + r * lda, a_dense.data() + r * c.k, c.k);
  }
  std::vector<int32_t> own;
  std::vector<int32_t>& want = spec != nullptr ? *spec : own;
  if (want.size() != c.m * c.n) {
    want.resize(c.m * c.n);
    ref::gemm_s32_spec(c.m, c.n, c.k, a_dense.data(), c.a_signed, c.za.data(), c.za.size(), b.data(),
                       c.b_signed, c.b_nk, c.zb.data(), c.zb.size(), want.data());
  }
  GemmPackedB pb;
  std::string err = gemm_pack_b(b.data(), c.b_signed, c.b_nk ? GemmLayoutB::nk : GemmLayoutB::kn, c.n,
                                c.k, c.zb.data(), c.zb.size(), nullptr, 0, nullptr, &pb);
  if (!err.empty()) return err;
  GemmA ga;
  ga.data = a.data();
  ga.m = c.m;
  ga.lda = lda;
  ga.is_signed = c.a_signed;
  ga.zp = c.za.data();
  ga.zp_count = c.za.size();
  const int32_t sentinel = 0x5EAD5EAD;
  std::vector<int32_t> y(c.m * ldy + 16, sentinel);
  GemmOut out;
  out.data = y.data();
  out.ldy = ldy;
  err = gemm_u8s8(kernels_for(isa), ga, pb, out);
  if (!err.empty()) return err;
  for (size_t r = 0; r < c.m; ++r) {
    for (size_t j = 0; j < ldy; ++j) {
      const int32_t got = y[r * ldy + j];
      const int32_t w = j < c.n ? want[r * c.n + j] : sentinel;
      if (got != w) {
        return std::string(isa_name(isa)) + " M=" + std::to_string(c.m) + " N=" + std::to_string(c.n) +
               " K=" + std::to_string(c.k) + " at (" + std::to_string(r) + "," + std::to_string(j) +
               "): got " + std::to_string(got) + " want " + std::to_string(w);
      }
    }
  }
  for (size_t i = c.m * ldy; i < y.size(); ++i) {
    if (y[i] != sentinel) return std::string(isa_name(isa)) + ": wrote past the output";
  }
  return "";
}

void expect_all_paths(const Case& c) {
  for (Isa isa : testing::all_isas_here()) {
    const std::string e = run_case(c, isa);
    ASSERT_EQ(e, "");
  }
}

// Zero points of one case, drawn to cover: none, typical, extremes, per row / per column.
void pick_zero_points(Case* c, int variant, std::mt19937& rng) {
  const int32_t a_lo = c->a_signed ? -128 : 0, a_hi = c->a_signed ? 127 : 255;
  const int32_t b_lo = c->b_signed ? -128 : 0, b_hi = c->b_signed ? 127 : 255;
  auto rnd = [&](int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(rng() % uint32_t(hi - lo + 1)); };
  switch (variant % 6) {
    case 0: c->za = {0}; c->zb = {0}; break;
    case 1: c->za = {rnd(a_lo, a_hi)}; c->zb = {0}; break;
    case 2: c->za = {0}; c->zb = {rnd(b_lo, b_hi)}; break;
    case 3: c->za = {a_hi}; c->zb = {b_lo}; break;
    case 4: {
      c->za.assign(c->m, 0);
      for (auto& z : c->za) z = rnd(a_lo, a_hi);
      c->zb.assign(c->n, 0);
      for (auto& z : c->zb) z = rnd(b_lo, b_hi);
      break;
    }
    default: c->za = {a_lo}; c->zb.assign(c->n, b_hi); break;
  }
}

TEST(GemmSpec, KnownValues) {
  // A = [[1, 2], [3, 4]] u8 with za = 1; B ([K, N]) = [[5, 6], [7, 8]] s8 with zb = 2.
  const uint8_t a[] = {1, 2, 3, 4};
  const uint8_t b[] = {5, 6, 7, 8};
  const int32_t za = 1, zb = 2;
  int32_t y[4];
  ref::gemm_s32_spec(2, 2, 2, a, false, &za, 1, b, true, false, &zb, 1, y);
  // (A - 1) = [[0, 1], [2, 3]], (B - 2) = [[3, 4], [5, 6]]
  EXPECT_EQ(y[0], 5);
  EXPECT_EQ(y[1], 6);
  EXPECT_EQ(y[2], 21);
  EXPECT_EQ(y[3], 26);
}

TEST(Gemm, EveryPathAnySignednessSmallShapes) {
  std::mt19937 rng(7);
  int variant = 0;
  for (int sig = 0; sig < 4; ++sig) {
    for (size_t d = 1; d <= 64; ++d) {
      const size_t others[][2] = {{37, 29}, {7, 33}, {13, 50}};
      for (int axis = 0; axis < 3; ++axis) {
        Case c;
        c.a_signed = sig & 1;
        c.b_signed = sig & 2;
        c.b_nk = (d + axis) % 2 == 0;
        c.m = axis == 0 ? d : others[axis][0];
        c.n = axis == 1 ? d : others[axis][1];
        c.k = axis == 2 ? d : (axis == 0 ? 29 : 33);
        c.seed = static_cast<uint32_t>(d * 3 + axis + 100 * sig);
        pick_zero_points(&c, variant++, rng);
        expect_all_paths(c);
      }
    }
  }
}

TEST(Gemm, RandomShapesUpTo64) {
  std::mt19937 rng(11);
  for (int i = 0; i < 150; ++i) {
    Case c;
    c.m = 1 + rng() % 64;
    c.n = 1 + rng() % 64;
    c.k = 1 + rng() % 64;
    c.a_signed = rng() & 1;
    c.b_signed = rng() & 1;
    c.b_nk = rng() & 1;
    c.lda_pad = rng() % 3 == 0 ? rng() % 9 : 0;
    c.ldy_pad = rng() % 3 == 0 ? rng() % 5 : 0;
    c.seed = static_cast<uint32_t>(i);
    pick_zero_points(&c, static_cast<int>(rng() % 6), rng);
    expect_all_paths(c);
  }
}

TEST(Gemm, NeighboursOfBlockSizesAndPrimes) {
  // Rows: 4- and 6-row tiles, kGemmMc; columns: 16-column panels, 48-column groups, thread
  // chunks; K: 4-deep steps, 16-deep A loads, the K slice (kGemmKcSteps * 4) and two slices.
  std::vector<size_t> ms = {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 127, kGemmMc - 1, kGemmMc, kGemmMc + 1, 251};
  std::vector<size_t> ns = {15, 16, 17, 31, 32, 33, 47, 48, 49, 95, 96, 97, 143, 144, 145, 191, 192, 193,
                            239, 240, 241, 257, 287, 288, 289, 293};
  std::vector<size_t> ks = {3, 4, 5, 15, 16, 17, 63, 64, 65, 127, 128, 129, 255, 256, 257, 293, kGemmKcSteps * 4 - 1,
                            kGemmKcSteps * 4, kGemmKcSteps * 4 + 1, kGemmKcSteps * 8 - 1,
                            kGemmKcSteps * 8 + 1};
  std::mt19937 rng(5);
  int variant = 0;
  for (size_t m : ms) {
    Case c;
    c.m = m; c.n = 53; c.k = 71; c.a_signed = variant & 1; c.seed = static_cast<uint32_t>(m);
    pick_zero_points(&c, variant++, rng);
    expect_all_paths(c);
  }
  for (size_t n : ns) {
    Case c;
    c.m = 9; c.n = n; c.k = 37; c.b_signed = variant & 1; c.b_nk = variant & 2; c.seed = static_cast<uint32_t>(n);
    pick_zero_points(&c, variant++, rng);
    expect_all_paths(c);
  }
  for (size_t k : ks) {
    Case c;
    c.m = 13; c.n = 50; c.k = k; c.a_signed = variant & 1; c.b_signed = variant & 2; c.seed = static_cast<uint32_t>(k);
    pick_zero_points(&c, variant++, rng);
    expect_all_paths(c);
  }
}

TEST(Gemm, ExtremeValuesEveryZeroPointCase) {
  std::mt19937 rng(3);
  for (int sig = 0; sig < 4; ++sig) {
    for (int fa = 1; fa <= 3; ++fa) {
      for (int fb = 1; fb <= 3; ++fb) {
        for (int zp = 0; zp < 6; ++zp) {
          Case c;
          c.m = 7; c.n = 35; c.k = 301;
          c.a_signed = sig & 1; c.b_signed = sig & 2;
          c.fill_a = fa; c.fill_b = fb;
          pick_zero_points(&c, zp, rng);
          expect_all_paths(c);
        }
      }
    }
  }
}

TEST(Gemm, KAtTheInt32BoundIsExactAndBeyondIsRefused) {
  // u8 A (za = 0) x s8 B (zb = 0): |a * b| <= 255 * 128, K <= 65793.
  {
    Case c;
    c.m = 2; c.n = 17; c.k = 65793; c.fill_a = 1; c.fill_b = 2;
    for (Isa isa : testing::all_isas_here()) ASSERT_EQ(run_case(c, isa), "");
    std::vector<uint8_t> a(c.k, 255), b(c.k * c.n, 0x80);
    int32_t y[17];
    const int32_t z = 0;
    ref::gemm_s32_spec(1, 17, c.k, a.data(), false, &z, 1, b.data(), true, true, &z, 1, y);
    EXPECT_EQ(y[0], -2147483520);
    c.k += 1;
    EXPECT_NE(run_case(c, Isa::ref).find("exceeds the int32 bound 65793"), std::string::npos);
  }
  // The worst zero points: u8 A with za = 255, u8 B with zb = 0: |(a - za)(b - zb)| <= 255 * 255.
  {
    Case c;
    c.m = 3; c.n = 20; c.k = 33025; c.b_signed = false; c.fill_a = 2; c.fill_b = 1;
    c.za = {255}; c.zb = {0};
    for (Isa isa : testing::all_isas_here()) ASSERT_EQ(run_case(c, isa), "");
    c.k += 1;
    EXPECT_NE(run_case(c, Isa::ref).find("exceeds the int32 bound 33025"), std::string::npos);
  }
  // s8 x s8 symmetric: 128 * 128, K <= 131071.
  {
    Case c;
    c.m = 1; c.n = 5; c.k = 131071; c.a_signed = true; c.fill_a = 2; c.fill_b = 2;
    for (Isa isa : testing::all_isas_here()) ASSERT_EQ(run_case(c, isa), "");
  }
}

TEST(Gemm, ResultsDoNotDependOnThreadCount) {
  const int before = num_threads();
  std::mt19937 rng(9);
  for (int zp = 0; zp < 6; ++zp) {
    Case c;
    c.m = 203; c.n = 301; c.k = zp % 2 == 0 ? 1031 : kGemmKcSteps * 4 + 13;  // one and two K slices
    c.a_signed = zp & 1; c.b_signed = zp & 2; c.seed = 77 + zp;
    pick_zero_points(&c, zp, rng);
    std::vector<int32_t> spec;
    for (int t : {1, 2, 3}) {
      set_num_threads(t);
      for (Isa isa : testing::optimized_isas_here()) ASSERT_EQ(run_case(c, isa, &spec), "") << t << " threads";
    }
  }
  set_num_threads(before);
}

TEST(Gemm, Float32EpilogueEqualsTheSpecOnEveryPath) {
  std::mt19937 rng(21);
  for (int variant = 0; variant < 12; ++variant) {
    // One K slice, or (one variant in four) two: the running sums then wait in the float output.
    const size_t M = 1 + rng() % 40, N = 1 + rng() % 120;
    const size_t K = variant % 4 == 3 ? kGemmKcSteps * 4 + 1 + rng() % 300 : 1 + rng() % 700;
    const bool a_signed = variant & 1, per_row = variant & 2, relu = variant & 4, with_bias = variant & 8;
    std::vector<uint8_t> a(M * K), b(N * K);
    for (auto& v : a) v = static_cast<uint8_t>(rng());
    for (auto& v : b) v = static_cast<uint8_t>(rng());
    std::vector<int32_t> za(per_row ? M : 1), zb(N);
    for (auto& z : za) z = a_signed ? int32_t(rng() % 256) - 128 : int32_t(rng() % 256);
    for (auto& z : zb) z = int32_t(rng() % 11) - 5;
    std::vector<float> sa(per_row ? M : 1), sb(N), bias(N);
    for (auto& s : sa) s = 0.001f + float(rng() % 1000) * 1e-5f;
    for (auto& s : sb) s = 0.002f + float(rng() % 1000) * 3e-5f;
    for (auto& x : bias) x = float(int(rng() % 2001) - 1000) * 0.013f;
    std::vector<int32_t> acc(M * N);
    ref::gemm_s32_spec(M, N, K, a.data(), a_signed, za.data(), za.size(), b.data(), true, true, zb.data(),
                       zb.size(), acc.data());
    GemmPackedB pb;
    ASSERT_EQ(gemm_pack_b(b.data(), true, GemmLayoutB::nk, N, K, zb.data(), zb.size(), sb.data(), N,
                          with_bias ? bias.data() : nullptr, &pb), "");
    for (Isa isa : testing::all_isas_here()) {
      GemmA ga{a.data(), M, K, a_signed, za.data(), za.size()};
      std::vector<float> y(M * N, -7.0f);
      GemmOut out{GemmEpilogueKind::f32, y.data(), N, sa.data(), sa.size(), relu};
      ASSERT_EQ(gemm_u8s8(kernels_for(isa), ga, pb, out), "");
      for (size_t m = 0; m < M; ++m) {
        for (size_t n = 0; n < N; ++n) {
          const float want = ref::gemm_f32_epilogue(acc[m * N + n], sa[per_row ? m : 0], sb[n],
                                                    with_bias ? bias[n] : 0.0f, relu);
          ASSERT_EQ(std::memcmp(&y[m * N + n], &want, 4), 0)
              << isa_name(isa) << " (" << m << "," << n << ") got " << y[m * N + n] << " want " << want;
        }
      }
    }
  }
}

TEST(Gemm, RequantizeEpilogueEqualsTheSpecOnEveryPath) {
  std::mt19937 rng(31);
  bool seen[256] = {};
  const size_t ks[] = {1, 37, 300, kGemmKcSteps * 4 + 3, 2 * kGemmKcSteps * 4 + 77};
  for (int variant = 0; variant < 15; ++variant) {
    const size_t M = 1 + rng() % 30, N = 1 + rng() % 110, K = ks[variant % 5];
    const bool out_signed = variant & 1, a_signed = variant & 2, with_bias = variant & 4;
    const size_t ldy = N + (variant % 3);
    std::vector<uint8_t> a(M * K), b(K * N);
    for (auto& v : a) v = static_cast<uint8_t>(rng());
    for (auto& v : b) v = static_cast<uint8_t>(rng());
    const int32_t za = a_signed ? int32_t(rng() % 256) - 128 : int32_t(rng() % 256);
    std::vector<int32_t> zb(N);
    for (auto& z : zb) z = int32_t(rng() % 256);  // u8 B
    std::vector<float> sb(N);
    for (auto& x : sb) x = 0.001f + float(rng() % 1000) * 1e-5f;
    const float sa = 0.02f + float(rng() % 100) * 1e-3f;
    // From heavy saturation to a few codes' spread (|acc| reaches ~1e4 * K with these zero points).
    const float out_scale = (0.005f + float(rng() % 100) * 0.0005f) * float(K);
    const QuantRange range = out_signed ? QuantRange{variant % 4 == 1 ? -127 : -128, 127}
                                        : QuantRange{0, variant % 4 == 0 ? 200 : 255};
    const int32_t out_zp = out_signed ? int32_t(rng() % 21) - 10 : int32_t(rng() % 256);
    std::vector<int32_t> acc(M * N);
    ref::gemm_s32_spec(M, N, K, a.data(), a_signed, &za, 1, b.data(), false, false, zb.data(), N, acc.data());
    // The bias enters as int32 at scale sa * sb[n] (onnxruntime's quantized bias), added mod 2^32.
    std::vector<float> bias(N);
    for (auto& x : bias) x = float(int(rng() % 20001) - 10000) * 0.37f;
    if (with_bias) {
      for (size_t m = 0; m < M; ++m) {
        for (size_t n = 0; n < N; ++n) {
          const auto q = static_cast<int32_t>(std::nearbyint(double{bias[n]} / double{sa * sb[n]}));
          acc[m * N + n] = static_cast<int32_t>(static_cast<uint32_t>(acc[m * N + n]) + static_cast<uint32_t>(q));
        }
      }
    }
    GemmPackedB pb;
    ASSERT_EQ(gemm_pack_b(b.data(), false, GemmLayoutB::kn, N, K, zb.data(), N, sb.data(), N,
                          with_bias ? bias.data() : nullptr, &pb), "");
    for (Isa isa : testing::all_isas_here()) {
      GemmA ga{a.data(), M, K, a_signed, &za, 1};
      std::vector<uint8_t> y(M * ldy + 8, 0xEE);
      GemmOut out;
      out.kind = out_signed ? GemmEpilogueKind::s8 : GemmEpilogueKind::u8;
      out.data = y.data();
      out.ldy = ldy;
      out.scale_a = &sa;
      out.out_scale = out_scale;
      out.out_zp = out_zp;
      out.qmin = range.qmin;
      out.qmax = range.qmax;
      ASSERT_EQ(gemm_u8s8(kernels_for(isa), ga, pb, out), "");
      for (size_t m = 0; m < M; ++m) {
        for (size_t n = 0; n < ldy; ++n) {
          const uint8_t want = n < N ? static_cast<uint8_t>(scalar::requantize(
                                           acc[m * N + n], sa * sb[n] / out_scale, out_zp, range))
                                     : 0xEE;
          ASSERT_EQ(y[m * ldy + n], want) << isa_name(isa) << " K=" << K << " (" << m << "," << n << ")";
          if (n < N) seen[want] = true;
        }
      }
      for (size_t i = M * ldy; i < y.size(); ++i) ASSERT_EQ(y[i], 0xEE);
    }
  }
  int codes = 0;
  for (bool b : seen) codes += b;
  EXPECT_GT(codes, 100);  // the sweep covers the range, saturation included
}

TEST(Gelu, EveryPathEqualsTheScalarDefinition) {
  std::mt19937 rng(5);
  std::vector<float> x;
  for (float v : {0.0f, -0.0f, 1e-30f, -1e-30f, 1e-45f, 0.5f, -0.5f, 3.0f, -3.0f, 9.5f, -9.5f, 13.2f, -13.2f,
                  40.0f, -40.0f, 1e30f, -1e30f, 3.4e38f, -3.4e38f}) {
    x.push_back(v);
  }
  for (int i = -20000; i <= 20000; ++i) x.push_back(static_cast<float>(i) * 1e-3f);  // steps of 0.001
  for (int i = 0; i < 20000; ++i) {
    uint32_t bits = static_cast<uint32_t>(rng());
    float v;
    std::memcpy(&v, &bits, 4);
    if (std::isfinite(v)) x.push_back(v);
  }
  std::vector<float> want(x);
  for (float& v : want) v = gelu::apply(v);
  for (Isa isa : testing::all_isas_here()) {
    for (size_t len : {x.size(), size_t{1}, size_t{7}, size_t{15}, size_t{17}}) {  // tails
      std::vector<float> y(x.begin(), x.begin() + static_cast<std::ptrdiff_t>(len));
      kernels_for(isa).gelu_f32(y.data(), y.size());
      for (size_t i = 0; i < len; ++i) {
        ASSERT_EQ(std::memcmp(&y[i], &want[i], 4), 0) << isa_name(isa) << " x=" << x[i] << " got " << y[i] << " want " << want[i];
      }
    }
  }
  // NaN stays NaN on every path.
  for (Isa isa : testing::all_isas_here()) {
    float v = std::nanf("");
    kernels_for(isa).gelu_f32(&v, 1);
    EXPECT_TRUE(std::isnan(v)) << isa_name(isa);
  }
}

TEST(Gelu, WithinTheStatedErrorOfTheExactGelu) {
  // Exact: 0.5 x (1 + erf(x / sqrt 2)) in double. The approximation's error is that of A&S 7.1.26
  // (1.5e-7 on erf) times |x| / 2, plus a few float roundings of y.
  double worst_abs = 0.0, worst_rel_big = 0.0;
  for (int i = -200000; i <= 200000; ++i) {
    const float x = static_cast<float>(i) * 1e-4f;  // [-20, 20]
    const double exact = 0.5 * double{x} * (1.0 + std::erf(double{x} / std::sqrt(2.0)));
    const double err = std::fabs(double{gelu::apply(x)} - exact);
    worst_abs = std::max(worst_abs, err / std::max(1.0, std::fabs(double{x})));
    if (x > 0.5f) worst_rel_big = std::max(worst_rel_big, err / exact);
  }
  EXPECT_LT(worst_abs, 2e-7);      // |error| <= 2e-7 * max(1, |x|)
  EXPECT_LT(worst_rel_big, 4e-7);  // x > 0.5: a few float ulps
  std::printf("GELU: max |error| / max(1, |x|) = %.3g, max relative error for x > 0.5 = %.3g\n", worst_abs, worst_rel_big);
}

TEST(Gemm, GeluEpilogueEqualsTheSpecOnEveryPath) {
  std::mt19937 rng(41);
  const size_t M = 29, N = 83, K = 301;
  std::vector<uint8_t> a(M * K), b(N * K);
  for (auto& v : a) v = static_cast<uint8_t>(rng());
  for (auto& v : b) v = static_cast<uint8_t>(rng());
  const int32_t za = 7, zb = 3;
  std::vector<int32_t> acc(M * N);
  ref::gemm_s32_spec(M, N, K, a.data(), false, &za, 1, b.data(), true, true, &zb, 1, acc.data());
  std::vector<float> sb(N), bias(N);
  for (auto& x : sb) x = 1e-4f + float(rng() % 100) * 1e-6f;
  for (auto& x : bias) x = float(int(rng() % 201) - 100) * 0.01f;
  const float sa = 0.03f;
  GemmPackedB pb;
  ASSERT_EQ(gemm_pack_b(b.data(), true, GemmLayoutB::nk, N, K, &zb, 1, sb.data(), N, bias.data(), &pb), "");
  for (Isa isa : testing::all_isas_here()) {
    std::vector<float> y(M * N);
    GemmA ga{a.data(), M, K, false, &za, 1};
    GemmOut out{GemmEpilogueKind::f32, y.data(), N, &sa, 1, false};
    out.gelu = true;
    ASSERT_EQ(gemm_u8s8(kernels_for(isa), ga, pb, out), "");
    for (size_t i = 0; i < M * N; ++i) {
      const float want = gelu::apply(ref::gemm_f32_epilogue(acc[i], sa, sb[i % N], bias[i % N], false));
      ASSERT_EQ(std::memcmp(&y[i], &want, 4), 0) << isa_name(isa) << " " << i;
    }
  }
}

TEST(Gemm, EachPathRunsItsOwnKernel) {
  EXPECT_EQ(kernels_for(Isa::ref).gemm_isa, Isa::ref);
  for (Isa isa : testing::optimized_isas_here()) {
    // Every optimized path has its own GEMM kernel (none falls back to the reference).
    EXPECT_EQ(kernels_for(isa).gemm_isa, isa) << isa_name(isa);
    EXPECT_NE(kernels_for(isa).gemm_u8s8, kernels_for(Isa::ref).gemm_u8s8) << isa_name(isa);
  }
}

TEST(Gemm, EmptyShapesAndZeroK) {
  for (Isa isa : testing::all_isas_here()) {
    Case c;
    c.m = 4; c.n = 9; c.k = 0; c.za = {3}; c.zb = {5};
    ASSERT_EQ(run_case(c, isa), "");
  }
}

}  // namespace
}  // namespace quanta
