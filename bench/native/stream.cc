// One-process memory-bandwidth probe: the machine's limit that bench/ suites are compared with.
//
//   stream [--mib N] [--reps R] [--threads T]
//
// Prints one JSON object. Every buffer is touched before timing (first-touch page faults cost
// ~1.5-12 us per 4 KiB page on these VMs and would otherwise dominate), every kernel runs R times
// after one dropped pass; "gbps" is from the best time, "median_gbps" from the median. "bytes"
// counts what the program reads plus what it writes; write-allocate (the line read before a
// regular store) is not counted, as it is not counted for the kernels.
//
// Kernels, each over buffers of N MiB (per thread share of one buffer with --threads):
//   read       sum of 512-bit loads                       bytes = N
//   write      fill with 512-bit regular stores           bytes = N
//   copy       load + regular store (memcpy-like)         bytes = 2N
//   copy_nt    load + non-temporal store                  bytes = 2N
//   narrow     read f32, write its low byte (vpmovdb)     bytes = N + N/4   (quantize's traffic)
//   widen      read bytes, write f32 (vpmovzxbd)          bytes = N/4 + N   (dequantize's traffic)
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <time.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
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

// Keeps sums alive so the read loop is not removed.
volatile uint64_t g_sink;

#if defined(__AVX512F__) && defined(__AVX512BW__)
const char* kIsa = "avx512";

void k_read(const uint8_t* src, uint8_t*, size_t n) {
  __m512i a0 = _mm512_setzero_si512(), a1 = a0, a2 = a0, a3 = a0;
  for (size_t i = 0; i < n; i += 256) {
    a0 = _mm512_add_epi64(a0, _mm512_load_si512(src + i));
    a1 = _mm512_add_epi64(a1, _mm512_load_si512(src + i + 64));
    a2 = _mm512_add_epi64(a2, _mm512_load_si512(src + i + 128));
    a3 = _mm512_add_epi64(a3, _mm512_load_si512(src + i + 192));
  }
  g_sink = _mm512_reduce_add_epi64(_mm512_add_epi64(_mm512_add_epi64(a0, a1), _mm512_add_epi64(a2, a3)));
}

void k_write(const uint8_t*, uint8_t* dst, size_t n) {
  const __m512i v = _mm512_set1_epi32(static_cast<int>(g_sink) | 1);
  for (size_t i = 0; i < n; i += 256) {
    _mm512_store_si512(dst + i, v);
    _mm512_store_si512(dst + i + 64, v);
    _mm512_store_si512(dst + i + 128, v);
    _mm512_store_si512(dst + i + 192, v);
  }
}

void k_copy(const uint8_t* src, uint8_t* dst, size_t n) {
  for (size_t i = 0; i < n; i += 256) {
    const __m512i v0 = _mm512_load_si512(src + i), v1 = _mm512_load_si512(src + i + 64);
    const __m512i v2 = _mm512_load_si512(src + i + 128), v3 = _mm512_load_si512(src + i + 192);
    _mm512_store_si512(dst + i, v0);
    _mm512_store_si512(dst + i + 64, v1);
    _mm512_store_si512(dst + i + 128, v2);
    _mm512_store_si512(dst + i + 192, v3);
  }
}

void k_copy_nt(const uint8_t* src, uint8_t* dst, size_t n) {
  for (size_t i = 0; i < n; i += 256) {
    const __m512i v0 = _mm512_load_si512(src + i), v1 = _mm512_load_si512(src + i + 64);
    const __m512i v2 = _mm512_load_si512(src + i + 128), v3 = _mm512_load_si512(src + i + 192);
    _mm512_stream_si512(reinterpret_cast<__m512i*>(dst + i), v0);
    _mm512_stream_si512(reinterpret_cast<__m512i*>(dst + i + 64), v1);
    _mm512_stream_si512(reinterpret_cast<__m512i*>(dst + i + 128), v2);
    _mm512_stream_si512(reinterpret_cast<__m512i*>(dst + i + 192), v3);
  }
  _mm_sfence();
}

// n = bytes read (f32); writes n / 4 bytes.
void k_narrow(const uint8_t* src, uint8_t* dst, size_t n) {
  for (size_t i = 0; i < n; i += 256) {
    uint8_t* d = dst + i / 4;
    _mm_store_si128(reinterpret_cast<__m128i*>(d), _mm512_cvtepi32_epi8(_mm512_load_si512(src + i)));
    _mm_store_si128(reinterpret_cast<__m128i*>(d + 16), _mm512_cvtepi32_epi8(_mm512_load_si512(src + i + 64)));
    _mm_store_si128(reinterpret_cast<__m128i*>(d + 32), _mm512_cvtepi32_epi8(_mm512_load_si512(src + i + 128)));
    _mm_store_si128(reinterpret_cast<__m128i*>(d + 48), _mm512_cvtepi32_epi8(_mm512_load_si512(src + i + 192)));
  }
}

// n = bytes written (f32); reads n / 4 bytes.
void k_widen(const uint8_t* src, uint8_t* dst, size_t n) {
  for (size_t i = 0; i < n; i += 256) {
    const uint8_t* s = src + i / 4;
    _mm512_store_si512(dst + i, _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(s))));
    _mm512_store_si512(dst + i + 64, _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(s + 16))));
    _mm512_store_si512(dst + i + 128, _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(s + 32))));
    _mm512_store_si512(dst + i + 192, _mm512_cvtepu8_epi32(_mm_load_si128(reinterpret_cast<const __m128i*>(s + 48))));
  }
}
#else
// Portable twins for machines without AVX-512 (the numbers are then a lower bound).
const char* kIsa = "scalar";

void k_read(const uint8_t* src, uint8_t*, size_t n) {
  const uint64_t* s = reinterpret_cast<const uint64_t*>(src);
  uint64_t a0 = 0, a1 = 0, a2 = 0, a3 = 0;
  for (size_t i = 0; i < n / 8; i += 4) { a0 += s[i]; a1 += s[i + 1]; a2 += s[i + 2]; a3 += s[i + 3]; }
  g_sink = a0 + a1 + a2 + a3;
}
void k_write(const uint8_t*, uint8_t* dst, size_t n) { memset(dst, static_cast<int>(g_sink) | 1, n); }
void k_copy(const uint8_t* src, uint8_t* dst, size_t n) { memcpy(dst, src, n); }
void k_copy_nt(const uint8_t* src, uint8_t* dst, size_t n) { memcpy(dst, src, n); }
void k_narrow(const uint8_t* src, uint8_t* dst, size_t n) {
  const uint32_t* s = reinterpret_cast<const uint32_t*>(src);
  for (size_t i = 0; i < n / 4; ++i) dst[i] = static_cast<uint8_t>(s[i]);
}
void k_widen(const uint8_t* src, uint8_t* dst, size_t n) {
  float* d = reinterpret_cast<float*>(dst);
  for (size_t i = 0; i < n / 4; ++i) d[i] = src[i];
}
#endif

using Kernel = void (*)(const uint8_t*, uint8_t*, size_t);

struct Case {
  const char* name;
  Kernel fn;
  double src_per_n, dst_per_n;  // bytes read / written per unit of n
};

const Case kCases[] = {
    {"read", k_read, 1.0, 0.0},      {"write", k_write, 0.0, 1.0},   {"copy", k_copy, 1.0, 1.0},
    {"copy_nt", k_copy_nt, 1.0, 1.0}, {"narrow", k_narrow, 1.0, 0.25}, {"widen", k_widen, 0.25, 1.0},
};

uint8_t* alloc_touched(size_t bytes) {
  void* p = nullptr;
  if (posix_memalign(&p, 4096, bytes) != 0) {
    std::fprintf(stderr, "stream: cannot allocate %zu bytes\n", bytes);
    std::exit(1);
  }
  memset(p, 0x11, bytes);  // first touch, outside every timed region
  return static_cast<uint8_t*>(p);
}

}  // namespace

int main(int argc, char** argv) {
  size_t mib = 64;
  int reps = 20, threads = 1;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--mib") mib = std::strtoul(argv[i + 1], nullptr, 10);
    else if (a == "--reps") reps = std::atoi(argv[i + 1]);
    else if (a == "--threads") threads = std::atoi(argv[i + 1]);
    else { std::fprintf(stderr, "stream: unknown option %s\n", a.c_str()); return 2; }
  }
  if (mib == 0 || reps < 1 || threads < 1) { std::fprintf(stderr, "stream: bad arguments\n"); return 2; }
  const size_t n = mib << 20;  // a multiple of 256 * 4 * threads for any sane thread count
  uint8_t* src = alloc_touched(n);
  uint8_t* dst = alloc_touched(n);
  // Each thread takes an equal, 1 KiB-aligned share of the n-byte unit.
  const size_t share = (n / threads) & ~size_t{1023};

  std::printf("{\"isa\":\"%s\",\"mib\":%zu,\"reps\":%d,\"threads\":%d,\"results\":{", kIsa, mib, reps, threads);
  bool first = true;
  for (const Case& c : kCases) {
    // narrow / widen: the f32 side is the n-byte unit, the byte side a quarter of it.
    auto run_share = [&](int t) {
      const size_t off = t * share;
      const size_t soff = static_cast<size_t>(off * (c.src_per_n == 0.25 ? 0.25 : 1.0));
      const size_t doff = static_cast<size_t>(off * (c.dst_per_n == 0.25 ? 0.25 : 1.0));
      c.fn(src + soff, dst + doff, share);
    };
    std::vector<double> times;
    for (int r = 0; r < reps + 1; ++r) {  // +1: the first pass warms TLBs and caches and is dropped
      const double t0 = now();
      if (threads == 1) {
        run_share(0);
      } else {
        std::vector<std::thread> pool;
        for (int t = 1; t < threads; ++t) pool.emplace_back(run_share, t);
        run_share(0);
        for (auto& th : pool) th.join();
      }
      const double dt = now() - t0;
      if (r > 0) times.push_back(dt);
    }
    std::sort(times.begin(), times.end());
    const double best = times.front(), median = times[times.size() / 2];
    const double bytes = (c.src_per_n + c.dst_per_n) * static_cast<double>(share) * threads;
    std::printf("%s\"%s\":{\"bytes\":%.0f,\"best_s\":%.6e,\"median_s\":%.6e,\"gbps\":%.2f,\"median_gbps\":%.2f}",
                first ? "" : ",", c.name, bytes, best, median, bytes / best / 1e9, bytes / median / 1e9);
    first = false;
  }
  std::printf("}}\n");
  free(src);
  free(dst);
  return 0;
}
