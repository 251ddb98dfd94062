// Instruction-set paths a kernel can be compiled for, and their public names.
#pragma once

#include <cstdint>

namespace quanta {

// Order matters only within one architecture: a later path includes the earlier ones.
enum class Isa : uint8_t { ref, avx2, avxvnni, avx512vnni, neon, dotprod };

inline constexpr int kIsaCount = 6;

// Names as used by QUANTA_ISA, setIsa() and the probe.
inline const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::ref: return "ref";
    case Isa::avx2: return "avx2";
    case Isa::avxvnni: return "avxvnni";
    case Isa::avx512vnni: return "avx512vnni";
    case Isa::neon: return "neon";
    case Isa::dotprod: return "dotprod";
  }
  return "unknown";
}

// Returns false when `name` is not one of the names above.
bool isa_from_name(const char* name, Isa* out);

}  // namespace quanta
