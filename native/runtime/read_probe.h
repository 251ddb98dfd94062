// The read-bandwidth probe: times `passes` reads of a caller's buffer with the active path's
// memory-read kernel (quanta/memory_read.h) on the calling thread. Nothing else runs inside the
// timed region, so bytes * passes / seconds is the read bandwidth of the memory level the buffer
// lives in.
#pragma once

#include <cstddef>
#include <cstdint>

#include "quanta/kernels.h"

namespace quanta {

struct ReadTiming {
  double seconds = 0;     // wall time of all passes (steady clock)
  uint64_t checksum = 0;  // the last pass's sum (the same every pass)
};

ReadTiming time_reads(const KernelTable& kt, const uint8_t* p, size_t n, uint32_t passes);

}  // namespace quanta
