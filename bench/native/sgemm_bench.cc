// The float32 GEMM engine beside the machine's limit, in one process:
//   (a) the VFMADD231PS zmm throughput peak: 12 independent accumulator chains, GFLOP/s = 2 * 16
//       per instruction; measured before and after the GEMMs (the clock moves on these VMs);
//   (b) sgemm_f32 (AVX-512 block kernel, packed weights) at M = N = K = 1024 and 2048,
//       GFLOP/s = 2 * M * N * K / s, best and median of R runs after one dropped run.
//
// Build (from the repository root; the bench includes the engine's sources so it needs nothing
// else built):
//   c++ -O2 -std=c++17 -mavx2 -mfma -mavx512f -mavx512bw -mavx512dq -mavx512vl \
//       -Inative -Inative/include bench/native/sgemm_bench.cc -o sgemm_bench -lpthread
//   ./sgemm_bench [--reps R] [--threads T] [--sizes 1024,2048]
#include <immintrin.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bench_args.h"
#include "peak_loops.h"
#include "../../native/kernels/x86_avx512vnni/sgemm_avx512.cc"
#include "../../native/runtime/sgemm.cc"
#include "../../native/runtime/thread_pool.cc"

namespace {

using quanta_bench::now;

volatile float sink;

double fma_peak_gflops() {
  // Many short runs (~6 ms each): on a shared machine the best one is the one nobody
  // interrupted.
  const long trips = 1'000'000;
  double best = 0;
  for (int rep = 0; rep < 20; ++rep) {
    const double t0 = now();
    quanta_bench::vfmadd_zmm_loop(trips);
    best = std::max(best, trips * double{quanta_bench::kPeakOpsPerTrip} * 16 * 2 / (now() - t0) / 1e9);
  }
  return best;
}

struct Result {
  double best_gflops, median_gflops;
};

Result bench_sgemm(size_t n, int reps) {
  using namespace quanta;
  const size_t M = n, N = n, K = n;
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<float> a(M * K), b(N * K);
  for (auto& v : a) v = dist(rng);
  for (auto& v : b) v = dist(rng);
  SgemmPackedB pb;
  if (!sgemm_pack_b(b.data(), GemmLayoutB::nk, N, K, nullptr, &pb).empty()) std::abort();
  std::vector<float> y(M * N, 1.0f);  // touched before timing
  KernelTable kt{};
  register_avx512_sgemm_kernels(&kt);
  SgemmA sa{a.data(), M, K};
  SgemmOut out{y.data(), N, false};
  std::vector<double> times;
  for (int r = 0; r <= reps; ++r) {
    const double t0 = now();
    if (!sgemm_f32(kt, sa, pb, out).empty()) std::abort();
    const double dt = now() - t0;
    if (r > 0) times.push_back(dt);
  }
  sink = y[M * N / 2];
  std::sort(times.begin(), times.end());
  const double flops = 2.0 * M * N * K;
  return {flops / times.front() / 1e9, flops / times[times.size() / 2] / 1e9};
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 7, threads = 1;
  std::vector<size_t> sizes = {1024, 2048};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--reps" && i + 1 < argc) reps = std::atoi(argv[++i]);
    else if (arg == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (arg == "--sizes" && i + 1 < argc) sizes = quanta_bench::size_list(argv[++i]);
  }
  quanta::set_num_threads(threads);
  const double peak_before = fma_peak_gflops();
  std::printf("vfmadd231ps zmm peak (1 thread, 12 chains): %.0f GFLOP/s\n", peak_before);
  std::vector<std::pair<size_t, Result>> results;
  for (size_t n : sizes) results.push_back({n, bench_sgemm(n, reps)});
  const double peak_after = fma_peak_gflops();
  const double peak = std::max(peak_before, peak_after);
  std::printf("vfmadd231ps zmm peak after: %.0f GFLOP/s (using the larger, %.0f)\n", peak_after, peak);
  for (const auto& [n, r] : results) {
    const double limit = peak * threads;
    std::printf("sgemm_f32 avx512 M=N=K=%zu threads=%d: best %.0f GFLOP/s (%.1f%% of %s peak), median %.0f GFLOP/s (%.1f%%)\n",
                n, threads, r.best_gflops, 100 * r.best_gflops / limit, threads == 1 ? "the" : "threads x",
                r.median_gflops, 100 * r.median_gflops / limit);
  }
  return 0;
}
