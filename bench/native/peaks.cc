// The machine's arithmetic limits that the matrix suites are compared with, in one process:
// throughput of the one instruction each kernel family is built on, with 12 independent
// accumulator chains (latency 4 x 2 per cycle needs >= 8) so only throughput limits it.
//
//   peaks [--threads T] [--popcnt]
//
// Prints one JSON object, best of 5 runs per instruction, each thread running its own chains:
//   vpdpbusd_zmm_gops   int8 VNNI:  64 MAC per instruction, GOPS = 2 * MAC / s
//   vpdpbusd_ymm_gops   AVX-VNNI:   32 MAC per instruction
//   vfmadd_zmm_gflops   fp32 FMA:   16 FMA per instruction, GFLOP/s = 2 * FMA / s
//   vpopcntq_zmm_gbits  popcount:   512 bits per instruction (with --popcnt: needs VPOPCNTDQ)
// Inline assembly (braces escaped as %{ %}: they are dialect alternatives there): with intrinsics the compiler proves equal chains equal and merges them.
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

double now() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

constexpr long kTrips = 2'000'000;  // 48 instructions per trip

#define QUANTA_CHAINS(op, src, r)                                                         \
  op " " src ", %%" r "0\n " op " " src ", %%" r "1\n " op " " src ", %%" r "2\n "      \
  op " " src ", %%" r "3\n " op " " src ", %%" r "4\n " op " " src ", %%" r "5\n "      \
  op " " src ", %%" r "6\n " op " " src ", %%" r "7\n " op " " src ", %%" r "8\n "      \
  op " " src ", %%" r "9\n " op " " src ", %%" r "10\n " op " " src ", %%" r "11\n"
#define QUANTA_CLOBBERS "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", \
                        "xmm10", "xmm11", "xmm14", "xmm15", "cc"

void vpdpbusd_zmm(long trips) {
  __asm__ volatile(
      "vpternlogd $0xff, %%zmm14, %%zmm14, %%zmm14\n vpabsb %%zmm14, %%zmm15\n"
      "1:\n .rept 4\n" QUANTA_CHAINS("vpdpbusd", "%%zmm14, %%zmm15", "zmm") ".endr\n dec %0\n jnz 1b\n"
      : "+r"(trips) : : QUANTA_CLOBBERS);
}

void vpdpbusd_ymm(long trips) {
  __asm__ volatile(
      "vpcmpeqd %%ymm14, %%ymm14, %%ymm14\n vpabsb %%ymm14, %%ymm15\n"
      "1:\n .rept 4\n" QUANTA_CHAINS("%{vex%} vpdpbusd", "%%ymm14, %%ymm15", "ymm") ".endr\n dec %0\n jnz 1b\n"
      : "+r"(trips) : : QUANTA_CLOBBERS);
}

void vfmadd_zmm(long trips) {
  __asm__ volatile(
      "vpxord %%zmm14, %%zmm14, %%zmm14\n vpxord %%zmm15, %%zmm15, %%zmm15\n"
      "1:\n .rept 4\n" QUANTA_CHAINS("vfmadd231ps", "%%zmm14, %%zmm15", "zmm") ".endr\n dec %0\n jnz 1b\n"
      : "+r"(trips) : : QUANTA_CLOBBERS);
}

// Popcount chains: each result feeds the next popcount of the same register (dependent, like
// the accumulate in a kernel), 12 of them interleaved.
void vpopcntq_zmm(long trips) {
  __asm__ volatile(
      "vpternlogd $0xff, %%zmm0, %%zmm0, %%zmm0\n"
      "1:\n .rept 4\n"
      "vpopcntq %%zmm0, %%zmm0\n vpopcntq %%zmm1, %%zmm1\n vpopcntq %%zmm2, %%zmm2\n vpopcntq %%zmm3, %%zmm3\n"
      "vpopcntq %%zmm4, %%zmm4\n vpopcntq %%zmm5, %%zmm5\n vpopcntq %%zmm6, %%zmm6\n vpopcntq %%zmm7, %%zmm7\n"
      "vpopcntq %%zmm8, %%zmm8\n vpopcntq %%zmm9, %%zmm9\n vpopcntq %%zmm10, %%zmm10\n vpopcntq %%zmm11, %%zmm11\n"
      ".endr\n dec %0\n jnz 1b\n"
      : "+r"(trips) : : QUANTA_CLOBBERS);
}

// Instructions per second over `threads` threads, best of 5.
double rate(void (*loop)(long), int threads) {
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    std::vector<std::thread> pool;
    const double t0 = now();
    for (int t = 0; t < threads; ++t) pool.emplace_back(loop, kTrips);
    for (auto& t : pool) t.join();
    best = std::max(best, threads * kTrips * 48.0 / (now() - t0));
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 1;
  bool popcnt = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--threads" && i + 1 < argc) threads = std::max(1, std::atoi(argv[++i]));
    else if (arg == "--popcnt") popcnt = true;
  }
  std::printf("{\"threads\": %d, \"vpdpbusd_zmm_gops\": %.1f, \"vpdpbusd_ymm_gops\": %.1f, \"vfmadd_zmm_gflops\": %.1f",
              threads, rate(vpdpbusd_zmm, threads) * 128 / 1e9, rate(vpdpbusd_ymm, threads) * 64 / 1e9,
              rate(vfmadd_zmm, threads) * 32 / 1e9);
  if (popcnt) std::printf(", \"vpopcntq_zmm_gbits\": %.1f", rate(vpopcntq_zmm, threads) * 512 / 1e9);
  std::printf("}\n");
  return 0;
}
