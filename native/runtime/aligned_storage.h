// Storage for packed weights: 64-byte aligned (the kernels' aligned vector loads), zeroed (padding
// rows and columns read as zeros), freed with the last handle that shares it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <memory>

namespace quanta {

// Null when out of memory. The size is rounded up to 64 bytes, as aligned_alloc requires.
inline std::shared_ptr<void> zeroed_aligned_storage(size_t bytes) {
  const size_t size = (std::max<size_t>(bytes, 1) + 63) / 64 * 64;
  void* mem = std::aligned_alloc(64, size);
  if (mem == nullptr) return nullptr;
  std::memset(mem, 0, size);
  return std::shared_ptr<void>(mem, std::free);
}

}  // namespace quanta
