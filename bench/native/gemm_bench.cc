// The int8 GEMM engine beside the machine's limit, in one process:
//   (a) the VPDPBUSD zmm throughput peak: 12 independent accumulator chains, GOPS = 2 * 64 MAC
//       per instruction; measured before and after the GEMMs (the clock moves on these VMs);
//   (b) gemm_u8s8 (AVX512-VNNI block kernel, packed weights, int32 out) at M = N = K = 1024 and
//       2048, GOPS = 2 * M * N * K / s, best and median of R runs after one dropped run.
//
// Build (from the repository root, after the native build of build-native/host, whose kernel
// library it links as int4_bench.cc does):
//   c++ -O2 -std=c++17 -Inative -Inative/include bench/native/gemm_bench.cc \
//       build-native/host/libquanta_kernels.a -o /tmp/gemm_bench -lpthread
//   /tmp/gemm_bench [--reps R] [--threads T] [--sizes 1024,2048] [--zp]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bench_args.h"
#include "peak_loops.h"
#include "quanta/gemm.h"
#include "quanta/kernels.h"
#include "runtime/gemm.h"
#include "runtime/thread_pool.h"

namespace {

using quanta_bench::now;

volatile int sink;

double vpdpbusd_peak_gops() {
  const long trips = 4'000'000;
  double best = 0;
  for (int rep = 0; rep < 5; ++rep) {
    const double t0 = now();
    quanta_bench::vpdpbusd_zmm_loop(trips);
    best = std::max(best, trips * double{quanta_bench::kPeakOpsPerTrip} * 64 * 2 / (now() - t0) / 1e9);
  }
  return best;
}

struct Result {
  double best_gops, median_gops;
};

Result bench_gemm(size_t n, int reps, bool zp) {
  using namespace quanta;
  const size_t M = n, N = n, K = n;
  std::mt19937 rng(1);
  std::vector<uint8_t> a(M * K), b(N * K);
  for (auto& v : a) v = static_cast<uint8_t>(rng());
  for (auto& v : b) v = static_cast<uint8_t>(rng());
  const int32_t za = zp ? 117 : 0, zb = zp ? 3 : 0;
  GemmPackedB pb;
  if (!gemm_pack_b(b.data(), true, GemmLayoutB::nk, N, K, &zb, 1, nullptr, 0, nullptr, &pb).empty()) std::abort();
  std::vector<int32_t> y(M * N, 1);  // touched before timing
  KernelTable kt{};
  register_avx512vnni_gemm_kernels(&kt);
  GemmA ga{a.data(), M, K, false, &za, 1};
  GemmOut out;
  out.data = y.data();
  out.ldy = N;
  std::vector<double> times;
  for (int r = 0; r <= reps; ++r) {
    const double t0 = now();
    if (!gemm_u8s8(kt, ga, pb, out).empty()) std::abort();
    const double dt = now() - t0;
    if (r > 0) times.push_back(dt);
  }
  sink = y[M * N / 2];
  std::sort(times.begin(), times.end());
  const double ops = 2.0 * M * N * K;
  return {ops / times.front() / 1e9, ops / times[times.size() / 2] / 1e9};
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 7, threads = 1;
  bool zp = false;
  std::vector<size_t> sizes = {1024, 2048};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--reps" && i + 1 < argc) reps = std::atoi(argv[++i]);
    else if (arg == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (arg == "--zp") zp = true;
    else if (arg == "--sizes" && i + 1 < argc) sizes = quanta_bench::size_list(argv[++i]);
  }
  quanta::set_num_threads(threads);
  const double peak_before = vpdpbusd_peak_gops();
  std::printf("vpdpbusd zmm peak (1 thread, 12 chains): %.0f GOPS\n", peak_before);
  std::vector<std::pair<size_t, Result>> results;
  for (size_t n : sizes) results.push_back({n, bench_gemm(n, reps, zp)});
  const double peak_after = vpdpbusd_peak_gops();
  const double peak = std::max(peak_before, peak_after);
  std::printf("vpdpbusd zmm peak after: %.0f GOPS (using the larger, %.0f)\n", peak_after, peak);
  for (const auto& [n, r] : results) {
    const double limit = peak * threads;
    std::printf("gemm_u8s8 avx512vnni M=N=K=%zu threads=%d%s: best %.0f GOPS (%.1f%% of %s peak), median %.0f GOPS (%.1f%%)\n",
                n, threads, zp ? " zero points" : "", r.best_gops, 100 * r.best_gops / limit,
                threads == 1 ? "the" : "threads x", r.median_gops, 100 * r.median_gops / limit);
  }
  return 0;
}
