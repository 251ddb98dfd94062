// The int4 weight-only engine beside the machine's limit, in one process, one thread by default:
//   (a) GEMV (M = 1) for K = N = 4096 and K = 4096, N = 11008, group sizes 32 and 128, float32
//       and int8 activations: GB/s of packed weight bytes (packed bytes / time), for one layer
//       repeated (resident in L3 as far as it fits) and for a stack of distinct layers larger than
//       L3 (streamed from memory), beside a read of a buffer of the same size (the library's
//       memory-read kernel, as the gemm suite) in the same run;
//   (b) GEMM with M = 8, 32, 128, K = N = 4096 (G = 32 and 128): GOPS = 2 * M * N * K / s for
//       both activation paths, beside the int8 engine (gemm_u8s8, float32 output) on the same
//       shape.
// Times are the best of R runs after one dropped run.
//
// Build (from the repository root, after the native build of build-native/host):
//   c++ -O2 -std=c++17 -mavx512f -Inative -Inative/include bench/native/int4_bench.cc \
//       build-native/host/libquanta_kernels.a -o /tmp/int4_bench -lpthread
//   /tmp/int4_bench [--reps R] [--threads T] [--layers L] [--gemm-only] [--isa avx2]
#include <time.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "dispatch/kernel_table.h"
#include "runtime/gemm.h"
#include "runtime/int4_gemm.h"
#include "runtime/thread_pool.h"

namespace {

using namespace quanta;

double now() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

volatile float sink;

template <typename F>
double best_of(int reps, F f) {
  f();
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    const double t0 = now();
    f();
    best = std::min(best, now() - t0);
  }
  return best;
}

// The read the gemm suite compares GEMV with: the library's memory-read kernel of the active
// path (quanta/memory_read.h: four streams, one per quarter), `passes` times per run.
double read_gbps(const KernelTable& kt, const uint8_t* buf, size_t bytes, int reps, int passes) {
  const double t = best_of(reps, [&] {
    uint64_t sum = 0;
    for (int p = 0; p < passes; ++p) sum += kt.read_sum(buf, bytes);
    sink = static_cast<float>(sum);
  });
  return double(bytes) * passes / t / 1e9;
}

Int4Packed make_layer(size_t n, size_t k, size_t group, std::mt19937& rng) {
  std::vector<uint8_t> codes(n * k / 2);
  for (auto& b : codes) b = static_cast<uint8_t>(rng());
  std::vector<float> scales(n * k / group);
  for (auto& s : scales) s = 0.01f + 0.001f * float(rng() % 100);
  Int4Packed p;
  const std::string err = int4_pack(codes.data(), 8, scales.data(), nullptr, n, k, group, &p);
  if (!err.empty()) {
    std::fprintf(stderr, "pack: %s\n", err.c_str());
    std::exit(1);
  }
  return p;
}

size_t packed_bytes(const Int4Packed& p) { return p.layout.panels * p.layout.panel_stride; }

void gemv_case(const KernelTable& kt, size_t n, size_t k, size_t group, int layers, int reps) {
  std::mt19937 rng(1);
  std::vector<Int4Packed> stack;
  for (int l = 0; l < layers; ++l) stack.push_back(make_layer(n, k, group, rng));
  std::vector<float> x(k), y(n);
  for (auto& v : x) v = float(int(rng() % 200) - 100) / 50.0f;
  const size_t one = packed_bytes(stack[0]);
  const size_t total = one * layers;
  // One layer, repeated: 8 calls per timed run.
  auto* rbuf = static_cast<uint8_t*>(std::aligned_alloc(64, total));
  std::memset(rbuf, 1, total);
  const double read_one = read_gbps(kt, rbuf, one, reps, 8);
  const double read_all = read_gbps(kt, rbuf, total, reps, 1);
  std::free(rbuf);
  for (Int4Activations acts : {Int4Activations::f32, Int4Activations::s8}) {
    const char* name = acts == Int4Activations::f32 ? "f32" : "s8";
    const double t1 = best_of(reps, [&] {
      for (int i = 0; i < 8; ++i) int4_gemm(kt, stack[0], x.data(), 1, acts, nullptr, y.data());
    });
    const double ts = best_of(reps, [&] {
      for (const auto& l : stack) int4_gemm(kt, l, x.data(), 1, acts, nullptr, y.data());
    });
    const double g1 = 8.0 * one / t1 / 1e9, gs = double(total) / ts / 1e9;
    std::printf("gemv %-3s K=%zu N=%zu G=%-3zu | 1 layer (%5.1f MiB): %6.1f GB/s = %3.0f%% of read %6.1f | "
                "%d layers (%5.1f MiB): %5.1f GB/s = %3.0f%% of read %5.1f | %.0f us/layer\n",
                name, k, n, group, one / 1048576.0, g1, 100 * g1 / read_one, read_one, layers, total / 1048576.0, gs,
                100 * gs / read_all, read_all, ts / layers * 1e6);
  }
}

void gemm_case(const KernelTable& kt, size_t m, size_t n, size_t k, int reps) {
  std::mt19937 rng(2);
  std::vector<float> x(m * k), y(m * n);
  for (auto& v : x) v = float(int(rng() % 200) - 100) / 50.0f;
  const double ops = 2.0 * m * n * k;
  std::printf("gemm M=%-3zu N=%zu K=%zu:", m, n, k);
  double s8_best = 0;
  for (size_t group : {32, 128}) {
    const Int4Packed p = make_layer(n, k, group, rng);
    for (Int4Activations acts : {Int4Activations::f32, Int4Activations::s8}) {
      const double t = best_of(reps, [&] { int4_gemm(kt, p, x.data(), m, acts, nullptr, y.data()); });
      if (acts == Int4Activations::s8) s8_best = std::max(s8_best, ops / t / 1e9);
      std::printf(" int4 %s G=%zu %6.1f GOPS |", acts == Int4Activations::f32 ? "f32" : "s8", group, ops / t / 1e9);
    }
  }
  // The int8 engine on the same shape: s8 weights, u8 activations, float32 output.
  std::vector<uint8_t> b(n * k), a(m * k);
  for (auto& v : b) v = static_cast<uint8_t>(rng());
  for (auto& v : a) v = static_cast<uint8_t>(rng());
  const int32_t zp = 0;
  const float one = 1.0f;
  GemmPackedB pb;
  gemm_pack_b(b.data(), true, GemmLayoutB::nk, n, k, &zp, 1, &one, 1, nullptr, &pb);
  GemmA ga;
  ga.data = a.data();
  ga.m = m;
  ga.lda = k;
  ga.zp = &zp;
  GemmOut out;
  out.kind = GemmEpilogueKind::f32;
  out.data = y.data();
  out.ldy = n;
  out.scale_a = &one;
  const double t8 = best_of(reps, [&] { gemm_u8s8(kt, ga, pb, out); });
  std::printf(" int8 engine %6.1f GOPS | int4 s8 / int8 = %.2f\n", ops / t8 / 1e9, s8_best / (ops / t8 / 1e9));
}

}  // namespace

int main(int argc, char** argv) {
  int reps = 7, threads = 1, layers = 8;
  bool gemv = true;
  Isa isa = Isa::avx512vnni;
  for (int i = 1; i < argc; ++i) {
    if (std::string(argv[i]) == "--gemm-only") gemv = false;
  }
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--reps") reps = std::atoi(argv[i + 1]);
    if (a == "--threads") threads = std::atoi(argv[i + 1]);
    if (a == "--layers") layers = std::atoi(argv[i + 1]);
    if (a == "--isa" && !isa_from_name(argv[i + 1], &isa)) {
      std::fprintf(stderr, "unknown isa %s\n", argv[i + 1]);
      return 1;
    }
  }
  set_num_threads(threads);
  if (!isa_unavailable_reason(isa).empty()) {
    std::fprintf(stderr, "%s\n", isa_unavailable_reason(isa).c_str());
    return 1;
  }
  const KernelTable& kt = kernels_for(isa);
  std::printf("int4 bench: %d thread(s), best of %d, kernels %s\n", threads, reps, isa_name(kt.int4_isa));
  for (size_t n : {4096, 11008}) {
    for (size_t group : {32, 128}) {
      if (gemv) gemv_case(kt, n, 4096, group, layers, reps);
    }
  }
  for (size_t m : {8, 32, 128}) gemm_case(kt, m, 4096, 4096, reps);
  return 0;
}
