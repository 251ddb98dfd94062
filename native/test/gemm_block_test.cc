// The int8 GEMM block kernels (quanta/gemm.h's GemmU8S8Fn) of every path, called directly and
// compared with the reference block kernel byte for byte: every role of a K slice (only, first,
// middle, last: the running sums left between slices must be the reference's too), every
// epilogue, slices that start inside a panel's K, row and column tails around the 4-, 6- and
// 16-wide tiles, and nothing written outside the block (sentinels past its rows and columns).
#include <gtest/gtest.h>

#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "isa_sweep.h"
#include "quanta/gemm.h"

namespace quanta {
namespace {

enum class Role { only, first, middle, last };

struct BlockCase {
  size_t m = 1, n = 1, k4_total = 1;  // the panel holds k4_total steps; the slice is a part of it
  Role role = Role::only;
  GemmEpilogueKind kind = GemmEpilogueKind::s32;
  bool with_ra = false, with_nzb = false, relu = false, scale_a_per_row = false;
  int fill = 0;  // 0 random, 1 A' and B' at their maxima, 2 A' max with B' min
  uint32_t seed = 1;
};

// Everything one kernel call reads and writes; `run` fills the outputs of one path.
struct BlockData {
  size_t a_stride = 0, ldc = 0, ldo = 0, panels = 0, t0 = 0, k4 = 0;
  std::vector<uint8_t> a;
  std::vector<int8_t> b;
  std::vector<int32_t> colsum, nzb, ra, rb, acc_in, col_add;
  std::vector<float> scale_a, scale_b, bias, multiplier;
  std::vector<uint8_t> out_in;
};

BlockData make(const BlockCase& c) {
  std::mt19937 rng(c.seed);
  BlockData d;
  d.panels = gemm_panels(c.n);
  const size_t cols = d.panels * kGemmPanel;
  // The slice [t0, t0 + k4) of the panel's k4_total steps, as the driver cuts it.
  const size_t total = c.k4_total;
  switch (c.role) {
    case Role::only: d.t0 = 0; d.k4 = total; break;
    case Role::first: d.t0 = 0; d.k4 = 1 + rng() % (total - 1); break;
    case Role::middle: d.t0 = 1 + rng() % (total - 1); d.k4 = rng() % (total - d.t0 + 1); break;
    case Role::last: d.t0 = 1 + rng() % (total - 1); d.k4 = total - d.t0; break;
  }
  // Odd strides: rows off any alignment the kernels might assume.
  d.a_stride = d.k4 * kGemmK4 + 3;
  d.ldc = c.n + 5;
  d.ldo = c.n + 7;
  auto byte = [&](int8_t extreme) { return c.fill == 0 ? static_cast<int8_t>(rng()) : extreme; };
  d.a.resize(c.m * d.a_stride);
  for (auto& v : d.a) v = static_cast<uint8_t>(byte(int8_t(-1)));  // 255 when filled
  // Columns past n hold junk too: the kernels may compute them but must not let them through.
  d.b.resize(d.panels * total * kGemmStepBytes);
  for (auto& v : d.b) v = byte(c.fill == 1 ? int8_t(127) : int8_t(-128));
  // colsum is the sum over all of K, as the packer stores it (the zero-point term needs it).
  d.colsum.assign(cols, 0);
  for (size_t j = 0; j < cols; ++j) {
    uint32_t s = 0;
    for (size_t t = 0; t < total; ++t) {
      for (size_t i = 0; i < kGemmK4; ++i) {
        s += static_cast<uint32_t>(d.b[(j / 16) * total * kGemmStepBytes + t * kGemmStepBytes + (j % 16) * 4 + i]);
      }
    }
    d.colsum[j] = static_cast<int32_t>(s);
  }
  auto ints = [&](std::vector<int32_t>* v, size_t count, int32_t lo, int32_t hi) {
    v->resize(count);
    for (auto& x : *v) x = lo + static_cast<int32_t>(rng() % uint32_t(hi - lo + 1));
  };
  auto floats = [&](std::vector<float>* v, size_t count, float lo, float hi) {
    v->resize(count);
    for (auto& x : *v) x = lo + (hi - lo) * float(rng() % 10000) / 10000.0f;
  };
  ints(&d.nzb, cols, -255, 255);
  ints(&d.ra, c.m, -255, 255);
  ints(&d.rb, c.m, -(1 << 20), 1 << 20);
  // Earlier slices' sums: moderate, or anywhere in int32 (the sums wrap) one case in four.
  d.acc_in.resize(c.m * d.ldc + 16);
  const bool wide = c.seed % 4 == 0;
  for (auto& x : d.acc_in) x = wide ? static_cast<int32_t>(rng()) : static_cast<int32_t>(rng() % (1u << 21)) - (1 << 20);
  floats(&d.scale_a, c.m, 1e-4f, 2e-3f);
  floats(&d.scale_b, cols, 1e-4f, 3e-3f);
  floats(&d.bias, cols, -20.0f, 20.0f);
  floats(&d.multiplier, cols, 1e-5f, 4e-4f);
  ints(&d.col_add, cols, -(1 << 16), 1 << 16);
  d.out_in.resize(c.m * d.ldo + 16);
  for (auto& x : d.out_in) x = static_cast<uint8_t>(rng());
  return d;
}

struct BlockOut {
  std::vector<int32_t> acc;
  std::vector<uint8_t> out;
};

BlockOut run(const BlockCase& c, const BlockData& d, GemmU8S8Fn kernel) {
  BlockOut o{d.acc_in, d.out_in};
  const bool requant = c.kind == GemmEpilogueKind::u8 || c.kind == GemmEpilogueKind::s8;
  GemmBlock g{};
  g.a = d.a.data();
  g.a_stride = d.a_stride;
  g.m = c.m;
  g.b = d.b.data() + d.t0 * kGemmStepBytes;
  g.b_panel_stride = c.k4_total * kGemmStepBytes;
  g.k4 = d.k4;
  g.n = c.n;
  g.first = c.role == Role::only || c.role == Role::first;
  g.last = c.role == Role::only || c.role == Role::last;
  g.colsum = d.colsum.data();
  g.nzb = c.with_nzb ? d.nzb.data() : nullptr;
  g.ra = c.with_ra ? d.ra.data() : nullptr;
  g.rb = c.with_nzb ? d.rb.data() : nullptr;
  // A requantizing block of one slice has no int32 buffer at all.
  g.acc = requant && g.first && g.last ? nullptr : o.acc.data();
  g.ldc = d.ldc;
  g.kind = c.kind;
  g.relu = c.relu;
  g.scale_a = d.scale_a.data();
  g.scale_a_per_row = c.scale_a_per_row;
  g.scale_b = d.scale_b.data();
  g.bias = d.bias.data();
  g.multiplier = d.multiplier.data();
  // The requantizing bias in every other case (by seed).
  g.col_add = c.seed % 2 == 0 ? d.col_add.data() : nullptr;
  g.out_zp = c.kind == GemmEpilogueKind::s8 ? -3 : 117;
  g.qmin = c.kind == GemmEpilogueKind::s8 ? -127 : 0;
  g.qmax = c.kind == GemmEpilogueKind::s8 ? 127 : 250;
  g.out = o.out.data();
  g.ldo = d.ldo;
  kernel(g);
  return o;
}

std::string describe(const BlockCase& c, const BlockData& d) {
  static const char* roles[] = {"only", "first", "middle", "last"};
  static const char* kinds[] = {"s32", "f32", "u8", "s8"};
  return "M=" + std::to_string(c.m) + " N=" + std::to_string(c.n) + " k4=" + std::to_string(d.k4) + " of " +
         std::to_string(c.k4_total) + " from " + std::to_string(d.t0) + " " + roles[int(c.role)] + " " +
         kinds[int(c.kind)] + (c.with_ra ? " ra" : "") + (c.with_nzb ? " nzb" : "") + (c.relu ? " relu" : "") +
         " fill=" + std::to_string(c.fill);
}

TEST(GemmBlock, EveryPathEqualsTheReferenceInEverySliceRoleAndEpilogue) {
  const std::vector<Isa> paths = testing::optimized_isas_here();
  const GemmU8S8Fn reference = kernels_for(Isa::ref).gemm_u8s8;
  const size_t ms[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 13};
  const size_t ns[] = {1, 2, 15, 16, 17, 31, 32, 33, 47, 48, 49, 50, 65};
  const size_t k4s[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 16, 17, 33};
  uint32_t variant = 0;
  int roles_seen[4] = {};
  for (size_t m : ms) {
    for (size_t n : ns) {
      for (size_t k4 : k4s) {
        BlockCase c;
        c.m = m;
        c.n = n;
        c.k4_total = k4;
        c.seed = ++variant;
        // Rotate roles, epilogues and zero-point terms independently (coprime periods).
        c.role = k4 < 2 ? Role::only : static_cast<Role>(variant % 4);
        c.kind = static_cast<GemmEpilogueKind>((variant / 4) % 4);
        c.with_ra = variant % 3 != 0;
        c.with_nzb = variant % 5 < 3;
        c.relu = variant % 7 < 4;
        c.scale_a_per_row = variant % 2 == 0;
        c.fill = variant % 11 == 0 ? 1 : (variant % 13 == 0 ? 2 : 0);
        ++roles_seen[int(c.role)];
        const BlockData d = make(c);
        const BlockOut want = run(c, d, reference);
        for (Isa isa : paths) {
          const BlockOut got = run(c, d, kernels_for(isa).gemm_u8s8);
          ASSERT_EQ(std::memcmp(got.acc.data(), want.acc.data(), want.acc.size() * 4), 0)
              << isa_name(isa) << " int32 / float32 output: " << describe(c, d);
          ASSERT_EQ(got.out, want.out) << isa_name(isa) << " byte output: " << describe(c, d);
        }
      }
    }
  }
  for (int seen : roles_seen) EXPECT_GT(seen, 100);
}

}  // namespace
}  // namespace quanta
