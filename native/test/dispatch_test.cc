// The dispatch decision with injected CPUID / XGETBV words and hwcaps, and on this host.
#include <gtest/gtest.h>

#include <cstdlib>

#include "dispatch/cpu_features.h"
#include "dispatch/kernel_table.h"

namespace quanta {
namespace {

// A Zen 5-like CPU: AVX2, FMA, F16C, AVX-512 F/DQ/BW/VL/VNNI/VPOPCNTDQ/BF16, AVX-VNNI.
X86CpuidWords zen5_like() {
  X86CpuidWords w;
  w.max_leaf = 0x10;
  w.leaf1_ecx = (1u << 20) | (1u << 12) | (1u << 27) | (1u << 28) | (1u << 29);
  w.leaf7_ebx = (1u << 5) | (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);
  w.leaf7_ecx = (1u << 11) | (1u << 14);
  w.leaf7_1_eax = (1u << 4) | (1u << 5);
  w.xcr0 = 0x7 | 0xE0;
  return w;
}

TEST(DecodeX86, AllFeaturesWhenOsSavesEverything) {
  const CpuFeatures f = decode_x86(zen5_like());
  EXPECT_TRUE(f.sse42 && f.avx && f.avx2 && f.fma && f.f16c);
  EXPECT_TRUE(f.avx512f && f.avx512bw && f.avx512vl && f.avx512dq && f.avx512vnni);
  EXPECT_TRUE(f.avxvnni && f.avx512bf16 && f.avx512vpopcntdq);
  EXPECT_FALSE(f.amx_int8);
  EXPECT_TRUE(isa_supported_by(Isa::avx512vnni, f));
  EXPECT_EQ(best_isa(f, kAllIsas), Isa::avx512vnni);
}

TEST(DecodeX86, Avx512ReportedButOsDisabledZmmState) {
  X86CpuidWords w = zen5_like();
  w.xcr0 = 0x7;  // the OS saves AVX state only (no opmask / ZMM)
  const CpuFeatures f = decode_x86(w);
  EXPECT_FALSE(f.avx512f);
  EXPECT_FALSE(f.avx512vnni);
  EXPECT_FALSE(isa_supported_by(Isa::avx512vnni, f));
  EXPECT_TRUE(f.avxvnni);  // AVX-VNNI needs only the AVX state
  EXPECT_EQ(best_isa(f, kAllIsas), Isa::avxvnni);
}

TEST(DecodeX86, NoXsaveMeansNoAvxAtAll) {
  X86CpuidWords w = zen5_like();
  w.leaf1_ecx &= ~(1u << 27);  // OSXSAVE off: XCR0 must not even be trusted
  const CpuFeatures f = decode_x86(w);
  EXPECT_TRUE(f.sse42);
  EXPECT_FALSE(f.avx || f.avx2 || f.avxvnni || f.avx512f);
  EXPECT_EQ(best_isa(f, kAllIsas), Isa::ref);
}

TEST(DecodeX86, PartialXcr0AvxBitsRejectAvx) {
  X86CpuidWords w = zen5_like();
  w.xcr0 = 0x3;  // SSE only
  EXPECT_EQ(best_isa(decode_x86(w), kAllIsas), Isa::ref);
}

TEST(DecodeX86, Avx2WithoutVnni) {
  X86CpuidWords w = zen5_like();
  w.leaf7_ecx = 0;
  w.leaf7_1_eax = 0;
  w.leaf7_ebx &= ~((1u << 16) | (1u << 17) | (1u << 30) | (1u << 31));
  EXPECT_EQ(best_isa(decode_x86(w), kAllIsas), Isa::avx2);
}

TEST(DecodeX86, Avx512VnniWithoutAvxVnniIsIceLake) {
  X86CpuidWords w = zen5_like();
  w.leaf7_1_eax = 0;
  const CpuFeatures f = decode_x86(w);
  EXPECT_FALSE(f.avxvnni);
  EXPECT_EQ(best_isa(f, kAllIsas), Isa::avx512vnni);
  EXPECT_FALSE(isa_supported_by(Isa::avxvnni, f));
}

TEST(DecodeX86, AmxNeedsCpuBitsXcr0AndPermission) {
  X86CpuidWords w = zen5_like();
  w.leaf7_edx = (1u << 24) | (1u << 25);
  w.xcr0 |= 0x60000;
  w.amx_permission = false;
  EXPECT_FALSE(decode_x86(w).amx_int8);
  w.amx_permission = true;
  EXPECT_TRUE(decode_x86(w).amx_int8);
  w.xcr0 &= ~uint64_t{0x40000};
  EXPECT_FALSE(decode_x86(w).amx_int8);
}

TEST(DecodeX86, MaxLeafBelowSevenHidesLeafSeven) {
  X86CpuidWords w = zen5_like();
  w.max_leaf = 6;
  EXPECT_FALSE(decode_x86(w).avx2);
}

TEST(DecodeArm64, HwcapBits) {
  const uint64_t asimd = 1u << 1, asimddp = 1u << 20, sve = 1u << 22;
  const uint64_t i8mm = 1u << 13, bf16 = 1u << 14;
  CpuFeatures f = decode_arm64_hwcaps(asimd | asimddp | sve, i8mm | bf16);
  EXPECT_TRUE(f.neon && f.dotprod && f.sve && f.i8mm && f.bf16);
  EXPECT_TRUE(isa_supported_by(Isa::dotprod, f));
  f = decode_arm64_hwcaps(asimd, 0);  // Cortex-A53: NEON only
  EXPECT_TRUE(f.neon);
  EXPECT_FALSE(f.dotprod);
  EXPECT_FALSE(isa_supported_by(Isa::dotprod, f));
  EXPECT_TRUE(isa_supported_by(Isa::neon, f));
}

TEST(IsaNames, RoundTrip) {
  for (int i = 0; i < kIsaCount; ++i) {
    Isa isa;
    ASSERT_TRUE(isa_from_name(isa_name(static_cast<Isa>(i)), &isa));
    EXPECT_EQ(static_cast<int>(isa), i);
  }
  Isa isa;
  EXPECT_FALSE(isa_from_name("avx9000", &isa));
}

// Runs on the host (and under qemu with a CPU lacking dot product): the chosen path must be one
// this CPU runs, and running its kernels must not fault.
TEST(HostDispatch, BestIsaRunsHere) {
  const CpuFeatures& f = host_cpu_features();
  const Isa best = best_isa(f);
  EXPECT_TRUE(isa_compiled_in(best));
  EXPECT_TRUE(isa_supported_by(best, f));
  if (std::getenv("QUANTA_EXPECT_NO_DOTPROD") != nullptr) {
    EXPECT_FALSE(f.dotprod);
    EXPECT_EQ(best, Isa::neon);
  }
  const KernelTable& k = kernels_for(best);
  // The best path's own GEMM kernel runs here (a CPU without it would fault: the test would die).
  EXPECT_EQ(k.gemm_isa, best);
  float x[37];
  int8_t y[37], y_ref[37];
  for (int i = 0; i < 37; ++i) x[i] = static_cast<float>(i) * 0.37f - 5.0f;
  k.quantize_f32_s8(x, 37, 0.05f, 3, {-128, 127}, y);
  kernels_for(Isa::ref).quantize_f32_s8(x, 37, 0.05f, 3, {-128, 127}, y_ref);
  for (int i = 0; i < 37; ++i) EXPECT_EQ(y[i], y_ref[i]) << i;
}

TEST(HostDispatch, UnavailablePathsAreRefusedWithAReason) {
  for (int i = 0; i < kIsaCount; ++i) {
    const Isa isa = static_cast<Isa>(i);
    const bool usable = isa_compiled_in(isa) && isa_supported_by(isa, host_cpu_features());
    EXPECT_EQ(isa_unavailable_reason(isa).empty(), usable) << isa_name(isa);
  }
#if defined(__x86_64__)
  EXPECT_FALSE(set_active_isa(Isa::dotprod));
  EXPECT_NE(isa_unavailable_reason(Isa::dotprod), "");
#endif
  const Isa before = active_isa();
  EXPECT_TRUE(set_active_isa(Isa::ref));
  EXPECT_EQ(active_isa(), Isa::ref);
  EXPECT_TRUE(set_active_isa(before));
}

}  // namespace
}  // namespace quanta
