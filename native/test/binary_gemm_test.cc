// The binary GEMM engine: every path (ref, each optimized one this machine runs, and on x86 the
// AVX-512BW popcount variant that VPOPCNTDQ CPUs never dispatch to) against a naive
// specification on +-1 values, bit for bit: int32 dots and float32 outputs of binary x binary,
// and binary weights x float32 activations (a fixed addition order makes those exact too). K
// sweeps 1..200 and the neighbours of 64, 256, 512 and the K slice; padding bits of A hold
// garbage; M and N cross the tile, panel and block sizes; thread counts 1..3.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "isa_sweep.h"
#include "runtime/binary_gemm.h"
#include "runtime/thread_pool.h"

namespace quanta {
namespace {

struct Path {
  std::string name;
  KernelTable table;
};

std::vector<Path> all_paths() {
  std::vector<Path> v{{"ref", kernels_for(Isa::ref)}};
  for (Isa i : testing::optimized_isas_here()) v.push_back({isa_name(i), kernels_for(i)});
#if defined(__x86_64__) || defined(_M_X64)
  if (isa_unavailable_reason(Isa::avx512vnni).empty()) {
    KernelTable t = kernels_for(Isa::avx512vnni);
    register_avx512_binary_kernels(&t);  // the nibble-table popcount, for CPUs without VPOPCNTDQ
    v.push_back({"avx512bw-popcount", t});
  }
#endif
  return v;
}

const std::vector<Path>& paths() {
  static const std::vector<Path> p = all_paths();
  return p;
}

// Signs as the binary format stores them: flat element i is bit i % 8 of byte i / 8, 1 = +1.
std::vector<uint8_t> random_bits(size_t count, std::mt19937& rng) {
  std::vector<uint8_t> b((count + 7) / 8);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}
inline int sign_of(const std::vector<uint8_t>& bits, size_t i) { return (bits[i / 8] >> (i % 8)) & 1 ? 1 : -1; }

struct Case {
  size_t m = 1, n = 1, k = 1;
  bool nk = true;
  bool f32 = false;
  uint32_t seed = 1;
  size_t group = 0;  // weight scales per group of this many bits along K (f32 output)
};

// A as packed words whose padding bits are random garbage; signs[r * k + kk] the +-1 values.
struct PackedA {
  std::vector<uint64_t> words;
  std::vector<int> signs;
  size_t stride;
};
PackedA make_a(size_t m, size_t k, std::mt19937& rng) {
  PackedA a;
  a.stride = binary_words(k) + 1;  // a row stride longer than the row
  a.words.resize(m * a.stride + 1);
  for (auto& w : a.words) w = (uint64_t{rng()} << 32) | rng();
  a.signs.resize(m * k);
  for (size_t r = 0; r < m; ++r)
    for (size_t kk = 0; kk < k; ++kk) a.signs[r * k + kk] = (a.words[r * a.stride + kk / 64] >> (kk % 64)) & 1 ? 1 : -1;
  return a;
}

std::string run_b1b1(const Case& c) {
  std::mt19937 rng(c.seed);
  PackedA a = make_a(c.m, c.k, rng);
  std::vector<uint8_t> wbits = random_bits(c.n * c.k, rng);
  const size_t groups = c.group == 0 ? 1 : (c.k + c.group - 1) / c.group;
  std::vector<float> sa(c.m), sb(c.n * groups), bias(c.n);
  for (auto& v : sa) v = 0.01f + static_cast<float>(rng() % 1000) / 997.0f;
  for (auto& v : sb) v = 0.01f + static_cast<float>(rng() % 1000) / 991.0f;
  for (auto& v : bias) v = static_cast<float>(static_cast<int>(rng() % 2001) - 1000) / 64.0f;
  BinaryPackedB pb;
  std::string err = binary_pack_b(wbits.data(), c.nk ? BinaryLayoutB::nk : BinaryLayoutB::kn, c.n, c.k, sb.data(),
                                  sb.size(), bias.data(), &pb, c.group);
  if (!err.empty()) return err;
  // Group-scaled float32: acc = fmaf(float(dot_g), sa * sb[n][g], acc) group by group, + bias.
  std::vector<float> grouped(c.m * c.n);
  if (c.group != 0) {
    for (size_t r = 0; r < c.m; ++r) {
      for (size_t j = 0; j < c.n; ++j) {
        float acc = 0.0f;
        for (size_t gi = 0; gi * c.group < c.k; ++gi) {
          int64_t dot = 0;
          for (size_t kk = gi * c.group; kk < std::min(c.k, (gi + 1) * c.group); ++kk) {
            dot += a.signs[r * c.k + kk] * sign_of(wbits, c.nk ? j * c.k + kk : kk * c.n + j);
          }
          acc = std::fmaf(static_cast<float>(dot), sa[r] * sb[j * groups + gi], acc);
        }
        grouped[r * c.n + j] = acc + bias[j];
      }
    }
  }
  std::vector<int32_t> want(c.m * c.n);
  for (size_t r = 0; r < c.m; ++r) {
    for (size_t j = 0; j < c.n; ++j) {
      int64_t dot = 0;
      for (size_t kk = 0; kk < c.k; ++kk) {
        const size_t i = c.nk ? j * c.k + kk : kk * c.n + j;
        dot += a.signs[r * c.k + kk] * sign_of(wbits, i);
      }
      want[r * c.n + j] = static_cast<int32_t>(dot);
    }
  }
  BinaryA ba;
  ba.words = a.words.data();
  ba.m = c.m;
  ba.stride = a.stride;
  ba.scale = sa.data();
  const size_t ldy = c.n + 3;
  for (const Path& p : paths()) {
    std::vector<int32_t> y(c.m * ldy + 8, 0x5EAD5EAD);
    err = binary_gemm_b1b1(p.table, ba, pb, c.f32 ? BinaryOutKind::f32 : BinaryOutKind::s32, y.data(), ldy);
    if (!err.empty()) return p.name + ": " + err;
    for (size_t r = 0; r < c.m; ++r) {
      for (size_t j = 0; j < ldy; ++j) {
        const int32_t got = y[r * ldy + j];
        int32_t expect = 0x5EAD5EAD;
        if (j < c.n) {
          expect = want[r * c.n + j];
          if (c.f32) {
            const float f = c.group != 0 ? grouped[r * c.n + j] : std::fmaf(static_cast<float>(expect), sa[r] * sb[j], bias[j]);
            std::memcpy(&expect, &f, 4);
          }
        }
        if (got != expect) {
          return p.name + " m=" + std::to_string(c.m) + " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) +
                 " at [" + std::to_string(r) + "," + std::to_string(j) + "]: got " + std::to_string(got) + " want " +
                 std::to_string(expect);
        }
      }
    }
  }
  return "";
}

std::string run_b1f32(const Case& c) {
  std::mt19937 rng(c.seed);
  std::vector<uint8_t> wbits = random_bits(c.n * c.k, rng);
  const size_t ldx = c.k + 5;
  std::vector<float> x(c.m * ldx + 1);
  for (auto& v : x) {
    const uint32_t pick = rng() % 16;
    v = pick == 0 ? 0.0f : pick == 1 ? -0.0f : std::ldexp(static_cast<float>(static_cast<int>(rng() % 20001) - 10000), -int(rng() % 12));
  }
  std::vector<float> sb(c.n), bias(c.n);
  for (auto& v : sb) v = 0.01f + static_cast<float>(rng() % 1000) / 991.0f;
  for (auto& v : bias) v = static_cast<float>(static_cast<int>(rng() % 2001) - 1000) / 64.0f;
  BinaryPackedB pb;
  std::string err = binary_pack_b(wbits.data(), c.nk ? BinaryLayoutB::nk : BinaryLayoutB::kn, c.n, c.k, sb.data(),
                                  sb.size(), bias.data(), &pb);
  if (!err.empty()) return err;
  std::vector<float> want(c.m * c.n);
  for (size_t r = 0; r < c.m; ++r) {
    for (size_t j = 0; j < c.n; ++j) {
      float acc = 0.0f;
      for (size_t kk = 0; kk < c.k; ++kk) {
        const float v = x[r * ldx + kk];
        acc = acc + (sign_of(wbits, c.nk ? j * c.k + kk : kk * c.n + j) > 0 ? v : -v);
      }
      want[r * c.n + j] = std::fmaf(acc, sb[j], bias[j]);
    }
  }
  const size_t ldy = c.n + 3;
  for (const Path& p : paths()) {
    std::vector<float> y(c.m * ldy + 8, 1234.5f);
    err = binary_gemm_b1f32(p.table, x.data(), c.m, ldx, pb, y.data(), ldy);
    if (!err.empty()) return p.name + ": " + err;
    for (size_t r = 0; r < c.m; ++r) {
      for (size_t j = 0; j < ldy; ++j) {
        const float expect = j < c.n ? want[r * c.n + j] : 1234.5f;
        if (std::memcmp(&y[r * ldy + j], &expect, 4) != 0) {
          return p.name + " f32 m=" + std::to_string(c.m) + " n=" + std::to_string(c.n) + " k=" + std::to_string(c.k) +
                 " at [" + std::to_string(r) + "," + std::to_string(j) + "]: got " + std::to_string(y[r * ldy + j]) +
                 " want " + std::to_string(expect);
        }
      }
    }
  }
  return "";
}

std::vector<size_t> k_sweep() {
  std::vector<size_t> k;
  for (size_t i = 1; i <= 200; ++i) k.push_back(i);
  for (size_t base : {size_t{256}, size_t{512}, size_t{1024}, 64 * kBinaryKcWords, 2 * 64 * kBinaryKcWords})
    for (size_t d : {base - 1, base, base + 1}) k.push_back(d);
  k.push_back(64 * kBinaryKcWords * 2 + 64 * 3 + 17);  // three slices, the last partial
  return k;
}

TEST(BinaryGemm, KSweepAllPathsInt32AndFloat) {
  uint32_t seed = 1;
  for (size_t k : k_sweep()) {
    for (bool f32 : {false, true}) {
      Case c;
      c.m = 1 + seed % 9;
      c.n = 1 + (seed * 7) % 41;
      c.k = k;
      c.f32 = f32;
      c.seed = seed++;
      ASSERT_EQ(run_b1b1(c), "");
    }
  }
}

TEST(BinaryGemm, ShapesAroundTilesPanelsAndBlocks) {
  uint32_t seed = 100;
  for (size_t m : {1, 3, 4, 5, 7, 8, 9, 255, 256, 257, 260}) {
    for (size_t n : {1, 7, 8, 9, 31, 32, 33, 40, 65}) {
      for (size_t k : {1, 63, 64, 65, 130}) {
        Case c;
        c.m = m;
        c.n = n;
        c.k = k;
        c.nk = (seed & 1) != 0;
        c.f32 = (seed & 2) != 0;
        c.seed = seed++;
        ASSERT_EQ(run_b1b1(c), "");
      }
    }
  }
}

TEST(BinaryGemm, ThreadCountsGiveIdenticalResults) {
  for (int threads = 1; threads <= 3; ++threads) {
    set_num_threads(threads);
    for (const Case& base : {Case{300, 70, 1000, true, false, 7}, Case{520, 130, 64 * kBinaryKcWords + 70, false, true, 8}}) {
      EXPECT_EQ(run_b1b1(base), "") << threads << " threads";
      Case f = base;
      f.k = 300;
      EXPECT_EQ(run_b1f32(f), "") << threads << " threads";
    }
  }
  set_num_threads(0);
}

TEST(BinaryGemm, GroupScalesAllPathsBitIdentical) {
  uint32_t seed = 500;
  for (size_t group : {size_t{64}, size_t{128}, size_t{192}, size_t{512}, kBinaryMaxGroup}) {
    for (size_t k : {size_t{1}, size_t{63}, size_t{64}, size_t{65}, group - 1, group, group + 1, 3 * group + 70, kBinaryMaxGroup + 64}) {
      for (bool f32 : {true, false}) {
        Case c;
        c.m = 1 + seed % 7;
        c.n = 1 + (seed * 3) % 37;
        c.k = k;
        c.f32 = f32;
        c.nk = (seed & 1) != 0;
        c.group = group;
        c.seed = seed++;
        ASSERT_EQ(run_b1b1(c), "") << "group " << group;
      }
    }
  }
  Case c{9, 20, 300, true, true, 3, 128};
  for (int threads = 1; threads <= 3; ++threads) {
    set_num_threads(threads);
    EXPECT_EQ(run_b1b1(c), "");
  }
  set_num_threads(0);
  BinaryPackedB pb;
  std::vector<uint8_t> bits(16);
  std::vector<float> s(4, 1.0f);
  EXPECT_NE(binary_pack_b(bits.data(), BinaryLayoutB::nk, 2, 64, s.data(), 2, nullptr, &pb, 32), "");
  EXPECT_NE(binary_pack_b(bits.data(), BinaryLayoutB::nk, 2, 64, s.data(), 1, nullptr, &pb, 64), "");
  ASSERT_EQ(binary_pack_b(bits.data(), BinaryLayoutB::nk, 2, 64, s.data(), 2, nullptr, &pb, 64), "");
  std::vector<float> x(64, 1.0f), y(2);
  EXPECT_NE(binary_gemm_b1f32(kernels_for(Isa::ref), x.data(), 1, 64, pb, y.data(), 2), "");
}

TEST(BinaryGemm, ZeroSizes) {
  for (size_t m : {0, 3})
    for (size_t n : {0, 5})
      for (size_t k : {0, 9}) {
        Case c{m, n, k, true, false, 3};
        EXPECT_EQ(run_b1b1(c), "");
        c.f32 = true;
        EXPECT_EQ(run_b1b1(c), "");
        EXPECT_EQ(run_b1f32(c), "");
      }
}

TEST(BinaryGemmF32, KSweepAllPathsBitIdentical) {
  uint32_t seed = 1;
  for (size_t k : {1, 2, 3, 7, 15, 16, 17, 63, 64, 65, 200, 1023}) {
    for (size_t m : {1, 5, 6, 7, 13, 97}) {
      Case c;
      c.m = m;
      c.n = 1 + (seed * 5) % 50;
      c.k = k;
      c.nk = (seed & 1) != 0;
      c.seed = seed++;
      ASSERT_EQ(run_b1f32(c), "");
    }
  }
  for (size_t n : {1, 15, 16, 17, 31, 32, 33, 48, 49}) {
    Case c{7, n, 37, true, false, static_cast<uint32_t>(n)};
    ASSERT_EQ(run_b1f32(c), "");
  }
}

TEST(BinaryBinarize, SignBitsAndMeanAbsScales) {
  std::mt19937 rng(5);
  for (size_t k : {0, 1, 63, 64, 65, 130, 1000})
  for (size_t m : {1, 2, 3, 4, 5, 8, 9, 300}) {
    const size_t ldx = k + 2, stride = binary_words(k) + 1;
    std::vector<float> x(m * ldx + 1);
    for (auto& v : x) v = static_cast<float>(static_cast<int>(rng() % 2001) - 1000) / 7.0f;
    if (k > 1) {
      x[0] = -0.0f;
      x[1] = 0.0f;
    }
    std::vector<uint64_t> words(m * stride, ~uint64_t{0});
    std::vector<float> scale(m);
    binary_binarize_rows(x.data(), m, k, ldx, words.data(), stride, scale.data());
    for (size_t r = 0; r < m; ++r) {
      double sum = 0;
      for (size_t kk = 0; kk < k; ++kk) {
        const bool bit = (words[r * stride + kk / 64] >> (kk % 64)) & 1;
        EXPECT_EQ(bit, x[r * ldx + kk] >= 0.0f) << r << "," << kk;
        sum += std::fabs(double{x[r * ldx + kk]});
      }
      if (k % 64 != 0) EXPECT_EQ(words[r * stride + k / 64] & ~binary_last_mask(k), 0u) << "padding bits are 0";
      EXPECT_EQ(scale[r], k == 0 ? 0.0f : static_cast<float>(sum / double(k)));
    }
  }
}

}  // namespace
}  // namespace quanta
