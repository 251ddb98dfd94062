// Every path this machine runs, so each kernel family's tester can sweep them all against ref.
#pragma once

#include <vector>

#include "dispatch/cpu_features.h"
#include "dispatch/kernel_table.h"

namespace quanta::testing {

inline std::vector<Isa> optimized_isas_here() {
  std::vector<Isa> out;
  for (int i = 0; i < kIsaCount; ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (isa != Isa::ref && isa_unavailable_reason(isa).empty()) out.push_back(isa);
  }
  return out;
}

// The reference first, then every optimized path this machine runs.
inline std::vector<Isa> all_isas_here() {
  std::vector<Isa> out{Isa::ref};
  for (Isa isa : optimized_isas_here()) out.push_back(isa);
  return out;
}

// Lengths that hit every tail of 4-, 8-, 16- and 64-wide loops, and a few large ones.
inline std::vector<size_t> sweep_lengths() {
  std::vector<size_t> n;
  for (size_t i = 0; i <= 70; ++i) n.push_back(i);
  for (size_t base : {127, 128, 129, 255, 256, 257, 1021, 4099}) n.push_back(base);
  return n;
}

}  // namespace quanta::testing
