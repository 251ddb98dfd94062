// Command-line helpers shared by the native benches.
#pragma once

#include <cstdlib>
#include <vector>

namespace quanta_bench {

// "1024,2048" -> {1024, 2048}; stops at the first character that is neither a digit nor a comma.
inline std::vector<size_t> size_list(const char* text) {
  std::vector<size_t> sizes;
  char* p = const_cast<char*>(text);
  while (*p != '\0') {
    char* end = p;
    const unsigned long v = std::strtoul(p, &end, 10);
    if (end == p) break;
    sizes.push_back(v);
    p = *end == ',' ? end + 1 : end;
  }
  return sizes;
}

}  // namespace quanta_bench
