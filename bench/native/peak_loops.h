// Throughput loops of the instructions the kernels are built on, shared by the native benches:
// 12 independent accumulator chains (latency 4 x 2 per cycle needs >= 8), unrolled 4x, so each
// trip issues kPeakOpsPerTrip instructions and only throughput limits it. Inline assembly: with
// intrinsics the compiler proves equal chains equal and merges them (braces are escaped as %{ %}:
// they are dialect alternatives there).
#pragma once

#include <time.h>

namespace quanta_bench {

inline double now() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

constexpr int kPeakOpsPerTrip = 48;

#define QUANTA_CHAINS(op, src, r)                                                         \
  op " " src ", %%" r "0\n " op " " src ", %%" r "1\n " op " " src ", %%" r "2\n "      \
  op " " src ", %%" r "3\n " op " " src ", %%" r "4\n " op " " src ", %%" r "5\n "      \
  op " " src ", %%" r "6\n " op " " src ", %%" r "7\n " op " " src ", %%" r "8\n "      \
  op " " src ", %%" r "9\n " op " " src ", %%" r "10\n " op " " src ", %%" r "11\n"
#define QUANTA_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", \
                        "xmm10", "xmm11", "xmm14", "xmm15", "cc"

// VPDPBUSD zmm: 64 int8 MACs per instruction.
inline void vpdpbusd_zmm_loop(long trips) {
  __asm__ volatile(
      "vpternlogd $0xff, %%zmm14, %%zmm14, %%zmm14\n vpabsb %%zmm14, %%zmm15\n"
      "1:\n .rept 4\n" QUANTA_CHAINS("vpdpbusd", "%%zmm14, %%zmm15", "zmm") ".endr\n dec %0\n jnz 1b\n"
      : "+r"(trips) : : QUANTA_CLOBBERS);
}

// {vex} VPDPBUSD ymm (AVX-VNNI): 32 int8 MACs per instruction.
inline void vpdpbusd_ymm_loop(long trips) {
  __asm__ volatile(
      "vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n vpabsb %%ymm14, %%ymm15\n"
      "1:\n .rept 4\n" QUANTA_CHAINS("%{vex%} vpdpbusd", "%%ymm14, %%ymm15", "ymm") ".endr\n dec %0\n jnz 1b\n"
      : "+r"(trips) : : QUANTA_CLOBBERS);
}

// VFMADD231PS zmm: 16 FMAs per instruction. Every accumulator starts at zero (a garbage register
// could hold a denormal or a NaN).
inline void vfmadd_zmm_loop(long trips) {
  __asm__ volatile(
      "vpxord %%zmm0, %%zmm0, %%zmm0\n"
      "vmovaps %%zmm0, %%zmm1\n vmovaps %%zmm0, %%zmm2\n vmovaps %%zmm0, %%zmm3\n"
      "vmovaps %%zmm0, %%zmm4\n vmovaps %%zmm0, %%zmm5\n vmovaps %%zmm0, %%zmm6\n"
      "vmovaps %%zmm0, %%zmm7\n vmovaps %%zmm0, %%zmm8\n vmovaps %%zmm0, %%zmm9\n"
      "vmovaps %%zmm0, %%zmm10\n vmovaps %%zmm0, %%zmm11\n"
      "vmovaps %%zmm0, %%zmm14\n vmovaps %%zmm0, %%zmm15\n"
      "1:\n .rept 4\n" QUANTA_CHAINS("vfmadd231ps", "%%zmm14, %%zmm15", "zmm") ".endr\n dec %0\n jnz 1b\n"
      : "+r"(trips) : : QUANTA_CLOBBERS);
}

// VPOPCNTQ zmm (needs VPOPCNTDQ): 512 bits per instruction. Each result feeds the next popcount
// of the same register (dependent, like the accumulate in a kernel), 12 of them interleaved.
inline void vpopcntq_zmm_loop(long trips) {
  __asm__ volatile(
      "vpternlogd $0xff, %%zmm0, %%zmm0, %%zmm0\n"
      "1:\n .rept 4\n"
      "vpopcntq %%zmm0, %%zmm0\n vpopcntq %%zmm1, %%zmm1\n vpopcntq %%zmm2, %%zmm2\n vpopcntq %%zmm3, %%zmm3\n"
      "vpopcntq %%zmm4, %%zmm4\n vpopcntq %%zmm5, %%zmm5\n vpopcntq %%zmm6, %%zmm6\n vpopcntq %%zmm7, %%zmm7\n"
      "vpopcntq %%zmm8, %%zmm8\n vpopcntq %%zmm9, %%zmm9\n vpopcntq %%zmm10, %%zmm10\n vpopcntq %%zmm11, %%zmm11\n"
      ".endr\n dec %0\n jnz 1b\n"
      : "+r"(trips) : : QUANTA_CLOBBERS);
}

// VPDPBUSD zmm with the per-group float step of a G = 32 int4 GEMM (int8 activations): for every
// 8 VPDPBUSD into one sum, one VMULPS (weight scale x activation scale) and one VFMADD231PS (the
// converted sum into the float accumulator), as in each 32-deep group of every output vector.
// On Zen 5 the multiply and FMA issue to the same two pipes as VPDPBUSD (convert, logic, shifts
// and broadcasts do not), so this mix, not VPDPBUSD alone, is the ceiling of that kernel. The
// 48 VPDPBUSD of a trip are counted; the 12 float operations are the overhead. Six FMA chains
// (zmm16-21) and six products (zmm22-27, written only) beside the 12 integer chains; naming
// zmm16-31 needs a build with -mavx512f.
#if defined(__AVX512F__)
inline void vpdpbusd_group32_zmm_loop(long trips) {
  __asm__ volatile(
      "vpternlogd $0xff, %%zmm14, %%zmm14, %%zmm14\n vpabsb %%zmm14, %%zmm15\n"
      "vpxord %%zmm16, %%zmm16, %%zmm16\n vmovaps %%zmm16, %%zmm17\n vmovaps %%zmm16, %%zmm18\n"
      "vmovaps %%zmm16, %%zmm19\n vmovaps %%zmm16, %%zmm20\n vmovaps %%zmm16, %%zmm21\n"
      "vmovaps %%zmm16, %%zmm28\n vmovaps %%zmm16, %%zmm29\n"
      "1:\n"
      QUANTA_CHAINS("vpdpbusd", "%%zmm14, %%zmm15", "zmm")
      "vmulps %%zmm28, %%zmm29, %%zmm22\n vmulps %%zmm28, %%zmm29, %%zmm23\n vmulps %%zmm28, %%zmm29, %%zmm24\n"
      "vfmadd231ps %%zmm28, %%zmm29, %%zmm16\n vfmadd231ps %%zmm28, %%zmm29, %%zmm17\n vfmadd231ps %%zmm28, %%zmm29, %%zmm18\n"
      QUANTA_CHAINS("vpdpbusd", "%%zmm14, %%zmm15", "zmm")
      "vmulps %%zmm28, %%zmm29, %%zmm25\n vmulps %%zmm28, %%zmm29, %%zmm26\n vmulps %%zmm28, %%zmm29, %%zmm27\n"
      "vfmadd231ps %%zmm28, %%zmm29, %%zmm19\n vfmadd231ps %%zmm28, %%zmm29, %%zmm20\n vfmadd231ps %%zmm28, %%zmm29, %%zmm21\n"
      QUANTA_CHAINS("vpdpbusd", "%%zmm14, %%zmm15", "zmm")
      QUANTA_CHAINS("vpdpbusd", "%%zmm14, %%zmm15", "zmm")
      "dec %0\n jnz 1b\n"
      : "+r"(trips) : : QUANTA_CLOBBERS, "xmm16", "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23",
        "xmm24", "xmm25", "xmm26", "xmm27", "xmm28", "xmm29");
}
#endif

#undef QUANTA_CHAINS
#undef QUANTA_CLOBBERS

}  // namespace quanta_bench
