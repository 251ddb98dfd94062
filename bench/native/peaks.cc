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
//   vpdpbusd_group32_zmm_gops  VPDPBUSD with a G = 32 int4 kernel's per-group float step (one
//                       VMULPS + one VFMADD per 8 VPDPBUSD); GOPS of the VPDPBUSD alone (in a
//                       build with -mavx512f)
// The loops themselves: peak_loops.h.
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "peak_loops.h"

namespace {

using namespace quanta_bench;

constexpr long kTrips = 2'000'000;

// Instructions per second over `threads` threads, best of 5.
double rate(void (*loop)(long), int threads) {
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    std::vector<std::thread> pool;
    const double t0 = now();
    for (int t = 0; t < threads; ++t) pool.emplace_back(loop, kTrips);
    for (auto& t : pool) t.join();
    best = std::max(best, threads * kTrips * double{kPeakOpsPerTrip} / (now() - t0));
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
              threads, rate(vpdpbusd_zmm_loop, threads) * 128 / 1e9, rate(vpdpbusd_ymm_loop, threads) * 64 / 1e9,
              rate(vfmadd_zmm_loop, threads) * 32 / 1e9);
  if (popcnt) std::printf(", \"vpopcntq_zmm_gbits\": %.1f", rate(vpopcntq_zmm_loop, threads) * 512 / 1e9);
#if defined(__AVX512F__)
  std::printf(", \"vpdpbusd_group32_zmm_gops\": %.1f", rate(vpdpbusd_group32_zmm_loop, threads) * 128 / 1e9);
#endif
  std::printf("}\n");
  return 0;
}
