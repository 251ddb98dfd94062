// The binary GEMM engine beside the machine's limit, in one process:
//   (a) the popcount peak: 12 independent VPOPCNTQ zmm (inline assembly), each counted as 512
//       bit-MACs (one bit-MAC = one XNOR + popcount bit), per thread; measured before and after
//       the GEMMs (the clock moves on these VMs), the larger one used;
//   (b) binary_gemm_b1b1 (AVX-512 VPOPCNTQ block kernel, packed weights, pre-binarized
//       activations, int32 out) at M = N = K = 4096 (or --sizes), bit-MACs/s = M * N * K / s,
//       best and median of R runs after one dropped run, with T threads; the limit is T x peak;
//   (c) binary weights x float32 activations at the same sizes, GMAC/s.
//
// Build (from the repository root; the bench includes the engine's sources):
//   c++ -O2 -std=c++17 -mavx2 -mfma -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx512vnni \
//       -mavx512vpopcntdq -Inative -Inative/include bench/native/binary_bench.cc -o /tmp/binary_bench -lpthread
// (-mavx512vpopcntdq: both AVX-512 kernel files share one header here, included once, so its
// templates must be compiled for VPOPCNTDQ for the VPOPCNTQ policy to inline into them.)
//   /tmp/binary_bench [--reps R] [--threads T] [--sizes 4096] [--no-f32]
#include <immintrin.h>
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_args.h"
#include "../../native/kernels/x86_avx512vnni/binary_gemm_avx512.cc"
#include "../../native/runtime/binary_gemm.cc"
#include "../../native/runtime/thread_pool.cc"
// Last: its `#pragma GCC target` holds to the end of this file.
#include "../../native/kernels/x86_avx512vnni/binary_gemm_avx512_vpopcnt.cc"

namespace {

double now() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

// The calling thread's CPU time: on a shared machine the wall clock also counts the time other
// processes held the core; with one thread this shows what the kernel itself achieves.
double cpu_now() {
  timespec t;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

volatile int sink;

// 12 VPOPCNTQ per 4 x unrolled block with independent destinations. Inline assembly: with
// intrinsics the compiler would merge equal computations.
struct Peak {
  double wall, cpu;  // bit-MACs per second of wall time / of the thread's CPU time
};
Peak popcount_peak_bitmacs_one_thread() {
  const long trips = 4'000'000;
  Peak best{0, 0};
  for (int rep = 0; rep < 5; ++rep) {
    long left = trips;
    const double t0 = now(), c0 = cpu_now();
    __asm__ volatile(
        "vpternlogd $0xff, %%zmm14, %%zmm14, %%zmm14\n"
        "vpxord %%zmm15, %%zmm15, %%zmm15\n"
        "1:\n"
        ".rept 4\n"
        "vpopcntq %%zmm14, %%zmm0\n vpopcntq %%zmm15, %%zmm1\n vpopcntq %%zmm14, %%zmm2\n"
        "vpopcntq %%zmm15, %%zmm3\n vpopcntq %%zmm14, %%zmm4\n vpopcntq %%zmm15, %%zmm5\n"
        "vpopcntq %%zmm14, %%zmm6\n vpopcntq %%zmm15, %%zmm7\n vpopcntq %%zmm14, %%zmm8\n"
        "vpopcntq %%zmm15, %%zmm9\n vpopcntq %%zmm14, %%zmm10\n vpopcntq %%zmm15, %%zmm11\n"
        ".endr\n"
        "dec %0\n"
        "jnz 1b\n"
        : "+r"(left)
        :
        : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9", "xmm10",
          "xmm11", "xmm14", "xmm15", "cc");
    const double dt = now() - t0, dc = cpu_now() - c0;
    best.wall = std::max(best.wall, trips * 48.0 * 512 / dt);
    best.cpu = std::max(best.cpu, trips * 48.0 * 512 / dc);
  }
  return best;
}

struct Result {
  double best, median;  // per second of wall time
  double best_cpu;      // per second of the calling thread's CPU time (meaningful with 1 thread)
};

Result bench_b1b1(size_t n, int reps) {
  using namespace quanta;
  const size_t M = n, N = n, K = n;
  std::mt19937 rng(1);
  std::vector<uint8_t> wbits(N * K / 8 + 1);
  for (auto& v : wbits) v = static_cast<uint8_t>(rng());
  const float one = 1.0f;
  BinaryPackedB pb;
  if (!binary_pack_b(wbits.data(), BinaryLayoutB::nk, N, K, &one, 1, nullptr, &pb).empty()) std::abort();
  const size_t kw = binary_words(K);
  std::vector<uint64_t> a(M * kw);
  for (auto& v : a) v = (uint64_t{rng()} << 32) | rng();
  std::vector<int32_t> y(M * N, 1);  // touched before timing
  KernelTable kt{};
  register_avx512vpopcntdq_binary_kernels(&kt);
  BinaryA ba{a.data(), M, kw, nullptr};
  std::vector<double> times, cpu_times;
  for (int r = 0; r <= reps; ++r) {
    const double t0 = now(), c0 = cpu_now();
    if (!binary_gemm_b1b1(kt, ba, pb, BinaryOutKind::s32, y.data(), N).empty()) std::abort();
    const double dt = now() - t0, dc = cpu_now() - c0;
    if (r > 0) times.push_back(dt), cpu_times.push_back(dc);
  }
  sink = y[M * N / 2];
  std::sort(times.begin(), times.end());
  const double macs = double(M) * N * K;
  std::sort(cpu_times.begin(), cpu_times.end());
  return {macs / times.front(), macs / times[times.size() / 2], macs / cpu_times.front()};
}

Result bench_b1f32(size_t n, int reps) {
  using namespace quanta;
  const size_t M = n, N = n, K = n;
  std::mt19937 rng(2);
  std::vector<uint8_t> wbits(N * K / 8 + 1);
  for (auto& v : wbits) v = static_cast<uint8_t>(rng());
  const float one = 1.0f;
  BinaryPackedB pb;
  if (!binary_pack_b(wbits.data(), BinaryLayoutB::nk, N, K, &one, 1, nullptr, &pb).empty()) std::abort();
  std::vector<float> x(M * K);
  for (auto& v : x) v = static_cast<float>(static_cast<int>(rng() % 2001) - 1000) / 1000.0f;
  std::vector<float> y(M * N, 1);
  KernelTable kt{};
  register_avx512_binary_kernels(&kt);
  std::vector<double> times, cpu_times;
  for (int r = 0; r <= reps; ++r) {
    const double t0 = now(), c0 = cpu_now();
    if (!binary_gemm_b1f32(kt, x.data(), M, K, pb, y.data(), N).empty()) std::abort();
    const double dt = now() - t0, dc = cpu_now() - c0;
    if (r > 0) times.push_back(dt), cpu_times.push_back(dc);
  }
  sink = static_cast<int>(y[M * N / 2]);
  std::sort(times.begin(), times.end());
  const double macs = double(M) * N * K;
  std::sort(cpu_times.begin(), cpu_times.end());
  return {macs / times.front(), macs / times[times.size() / 2], macs / cpu_times.front()};
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 5, threads = 1;
  bool f32 = true;
  std::vector<size_t> sizes = {4096};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--reps" && i + 1 < argc) reps = std::atoi(argv[++i]);
    else if (arg == "--threads" && i + 1 < argc) threads = std::atoi(argv[++i]);
    else if (arg == "--no-f32") f32 = false;
    else if (arg == "--sizes" && i + 1 < argc) sizes = quanta_bench::size_list(argv[++i]);
  }
  quanta::set_num_threads(threads);
  const Peak peak_before = popcount_peak_bitmacs_one_thread();
  std::printf("vpopcntq zmm peak (1 thread, 12 chains): %.0f G bit-MAC/s (by thread CPU time %.0f)\n",
              peak_before.wall / 1e9, peak_before.cpu / 1e9);
  std::vector<std::pair<size_t, Result>> bin, flt;
  for (size_t n : sizes) bin.push_back({n, bench_b1b1(n, reps)});
  if (f32)
    for (size_t n : sizes) flt.push_back({n, bench_b1f32(n, reps)});
  const Peak peak_after = popcount_peak_bitmacs_one_thread();
  const double peak = std::max(peak_before.wall, peak_after.wall);
  const double peak_cpu = std::max(peak_before.cpu, peak_after.cpu);
  std::printf("vpopcntq zmm peak after: %.0f G bit-MAC/s (by thread CPU time %.0f); using the larger: %.0f (%.0f)\n",
              peak_after.wall / 1e9, peak_after.cpu / 1e9, peak / 1e9, peak_cpu / 1e9);
  const double limit = peak * threads;
  for (const auto& [n, r] : bin) {
    std::printf("binary_gemm_b1b1 avx512 vpopcntq M=N=K=%zu threads=%d: best %.0f G bit-MAC/s (%.1f%% of %s peak), "
                "median %.0f (%.1f%%)%s\n",
                n, threads, r.best / 1e9, 100 * r.best / limit, threads == 1 ? "the" : "threads x", r.median / 1e9,
                100 * r.median / limit, threads == 1 ? "" : " [wall clock]");
    if (threads == 1) {
      std::printf("  by thread CPU time: best %.0f G bit-MAC/s (%.1f%% of the peak by thread CPU time)\n",
                  r.best_cpu / 1e9, 100 * r.best_cpu / peak_cpu);
    }
  }
  for (const auto& [n, r] : flt) {
    std::printf("binary_gemm_b1f32 avx512 M=N=K=%zu threads=%d: best %.1f GMAC/s, median %.1f GMAC/s\n", n, threads,
                r.best / 1e9, r.median / 1e9);
  }
  return 0;
}
