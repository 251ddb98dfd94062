// How the bandwidth of a streaming kernel depends on the work it does per 64-byte line: four
// streams (one per quarter of the buffer, like the library's read and the GEMV kernels), each
// line either summed (a plain read), fed to one VPDPBUSD (the int8 GEMV's work), masked twice and
// fed to two VPDPBUSD (the least the int4 GEMV does for 128 weights), or summed with two extra
// logic operations. The variants run in turns in one process, 10 passes each per run after 3
// warm passes; medians of 20 runs.
//
// Build (AVX-512 VNNI machine):
//   c++ -O2 -std=c++17 -mavx512f -mavx512bw -mavx512vl -mavx512vnni
//       bench/native/work_per_line.cc -o /tmp/work_per_line
//   /tmp/work_per_line [MiB ...]          (default: 10 23 40)
#include <immintrin.h>
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

double now() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

volatile uint64_t sink;

enum class Work { read, one_dp, two_masks_two_dp, read_two_logic };

template <Work W>
__attribute__((noinline)) uint64_t stream(const uint8_t* p, size_t n) {
  const size_t quarter = n / 4 / 64 * 64;
  const __m512i mask = _mm512_set1_epi8(0x0F), x = _mm512_set1_epi32(0x01020304);
  __m512i s[4][2], e[4][2];
  for (auto& u : s) u[0] = u[1] = _mm512_setzero_si512();
  for (auto& u : e) u[0] = u[1] = _mm512_setzero_si512();
  for (size_t i = 0; i < quarter; i += 64) {
#pragma GCC unroll 4
    for (int st = 0; st < 4; ++st) {
      const __m512i line = _mm512_load_si512(p + st * quarter + i);
      if constexpr (W == Work::one_dp) {
        s[st][0] = _mm512_dpbusd_epi32(s[st][0], line, x);
      } else if constexpr (W == Work::two_masks_two_dp) {
        s[st][0] = _mm512_dpbusd_epi32(s[st][0], _mm512_and_si512(line, mask), x);
        s[st][1] = _mm512_dpbusd_epi32(s[st][1], _mm512_andnot_si512(mask, line), x);
      } else {
        s[st][0] = _mm512_add_epi64(s[st][0], line);
      }
      if constexpr (W == Work::read_two_logic) e[st][0] = _mm512_xor_si512(e[st][0], _mm512_ror_epi32(line, 1));
    }
  }
  __m512i t = _mm512_setzero_si512();
  for (int st = 0; st < 4; ++st) {
    t = _mm512_add_epi64(t, _mm512_add_epi64(s[st][0], s[st][1]));
    t = _mm512_add_epi64(t, e[st][0]);
  }
  return static_cast<uint64_t>(_mm512_reduce_add_epi64(t));
}

void measure(double mib) {
  const size_t n = static_cast<size_t>(mib * 1048576) / 256 * 256;
  auto* p = static_cast<uint8_t*>(std::aligned_alloc(64, n));
  std::memset(p, 7, n);
  using Fn = uint64_t (*)(const uint8_t*, size_t);
  const Fn fns[] = {stream<Work::read>, stream<Work::one_dp>, stream<Work::two_masks_two_dp>, stream<Work::read_two_logic>};
  const char* names[] = {"read", "+1 VPDPBUSD", "+2 masks, 2 VPDPBUSD", "read + 2 logic ops"};
  std::vector<double> gbps[4];
  for (int run = 0; run < 20; ++run) {
    for (int v = 0; v < 4; ++v) {
      for (int i = 0; i < 3; ++i) sink = sink + fns[v](p, n);
      const double t0 = now();
      for (int i = 0; i < 10; ++i) sink = sink + fns[v](p, n);
      gbps[v].push_back(10.0 * n / (now() - t0) / 1e9);
    }
  }
  for (auto& g : gbps) std::sort(g.begin(), g.end());
  const double read = gbps[0][10];
  std::printf("%6.1f MiB:", mib);
  for (int v = 0; v < 4; ++v) std::printf("  %s %.1f GB/s (%.0f%%)", names[v], gbps[v][10], 100 * gbps[v][10] / read);
  std::printf("\n");
  std::free(p);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) {
    for (int i = 1; i < argc; ++i) measure(std::atof(argv[i]));
  } else {
    for (double mib : {10.0, 23.0, 40.0}) measure(mib);
  }
}
