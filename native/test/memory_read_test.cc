// The memory-read probe: every path returns the reference's checksum for every length and
// alignment (tails of every loop width, zero-padded last word), and the reference is the sum of
// the little-endian 64-bit words written out here a byte at a time.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "isa_sweep.h"

namespace quanta {
namespace {

using testing::all_isas_here;
using testing::sweep_lengths;

// The definition, one byte at a time: byte j of the buffer is bits 8 * (j % 8) of word j / 8.
uint64_t words_sum(const uint8_t* p, size_t n) {
  uint64_t s = 0;
  for (size_t j = 0; j < n; ++j) s += uint64_t{p[j]} << (8 * (j % 8));
  return s;
}

std::vector<uint8_t> random_bytes(size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<uint8_t> v(n);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

TEST(MemoryRead, ReferenceIsTheSumOfLittleEndianWords) {
  const std::vector<uint8_t> buf = random_bytes(4096 + 64, 1);
  for (size_t n : sweep_lengths()) {
    ASSERT_EQ(ref::read_sum(buf.data(), n), words_sum(buf.data(), n)) << "n=" << n;
  }
  // All ones: each word is 2^64 - 1, so the sum wraps (-count mod 2^64) and the tail word is
  // the low bytes only.
  const std::vector<uint8_t> ones(1000, 0xFF);
  EXPECT_EQ(ref::read_sum(ones.data(), 1000), uint64_t(0) - 125);
  EXPECT_EQ(ref::read_sum(ones.data(), 3), uint64_t{0xFFFFFF});
  EXPECT_EQ(ref::read_sum(ones.data(), 0), uint64_t{0});
}

TEST(MemoryRead, EveryPathEqualsTheReferenceAtEveryLengthAndAlignment) {
  const std::vector<uint8_t> buf = random_bytes(8192, 2);
  for (Isa isa : all_isas_here()) {
    const ReadSumFn f = kernels_for(isa).read_sum;
    for (size_t offset = 0; offset < 64; offset += 7) {
      for (size_t n : sweep_lengths()) {
        ASSERT_EQ(f(buf.data() + offset, n), ref::read_sum(buf.data() + offset, n))
            << isa_name(isa) << " offset=" << offset << " n=" << n;
      }
    }
    // Large enough for many full iterations of every loop, with a tail.
    ASSERT_EQ(f(buf.data() + 3, 8000), ref::read_sum(buf.data() + 3, 8000)) << isa_name(isa);
  }
}

TEST(MemoryRead, OptimizedPathsAreRegistered) {
  for (Isa isa : all_isas_here()) {
    const KernelTable& t = kernels_for(isa);
    ASSERT_NE(t.read_sum, nullptr) << isa_name(isa);
#if defined(__x86_64__) || defined(_M_X64)
    if (isa == Isa::avx2 || isa == Isa::avxvnni) EXPECT_EQ(t.read_isa, Isa::avx2);
    if (isa == Isa::avx512vnni) EXPECT_EQ(t.read_isa, Isa::avx512vnni);
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    if (isa != Isa::ref) EXPECT_EQ(t.read_isa, Isa::neon);
#endif
  }
}

}  // namespace
}  // namespace quanta
