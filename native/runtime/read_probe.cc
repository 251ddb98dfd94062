#include "runtime/read_probe.h"

#include <chrono>

namespace quanta {

ReadTiming time_reads(const KernelTable& kt, const uint8_t* p, size_t n, uint32_t passes) {
  ReadTiming r;
  const auto t0 = std::chrono::steady_clock::now();
  // An indirect call to a kernel the compiler cannot see into: no pass can be elided.
  for (uint32_t i = 0; i < passes; ++i) r.checksum = kt.read_sum(p, n);
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace quanta
