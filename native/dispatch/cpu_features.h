// What the CPU and the operating system let us run. Compiled without ISA flags.
#pragma once

#include <cstdint>
#include <string>

#include "quanta/isa.h"

namespace quanta {

struct CpuFeatures {
  // x86: each flag is true only when the CPU reports it AND the OS saves its register state.
  bool sse42 = false, avx = false, avx2 = false, fma = false, f16c = false;
  bool avx512f = false, avx512bw = false, avx512vl = false, avx512dq = false;
  bool avx512vnni = false, avxvnni = false, avx512bf16 = false, avx512vpopcntdq = false;
  bool amx_int8 = false;
  // ARM.
  bool neon = false, dotprod = false, i8mm = false, sve = false, bf16 = false;
};

// The raw CPUID / XGETBV words the x86 decision depends on, so tests can inject any CPU.
struct X86CpuidWords {
  uint32_t max_leaf = 0;
  uint32_t leaf1_ecx = 0;
  uint32_t leaf7_ebx = 0, leaf7_ecx = 0, leaf7_edx = 0;
  uint32_t leaf7_1_eax = 0;
  uint64_t xcr0 = 0;             // meaningful only when leaf1_ecx has OSXSAVE
  bool amx_permission = false;   // Linux granted ARCH_REQ_XCOMP_PERM for tile data
};

CpuFeatures decode_x86(const X86CpuidWords& words);
// Linux AT_HWCAP / AT_HWCAP2 bits of arm64.
CpuFeatures decode_arm64_hwcaps(uint64_t hwcap, uint64_t hwcap2);

// This machine, probed once and cached.
const CpuFeatures& host_cpu_features();
std::string host_cpu_model();

// A path runs only if it was compiled into this binary AND the CPU and OS support it.
bool isa_compiled_in(Isa isa);
bool isa_supported_by(Isa isa, const CpuFeatures& features);
// Bit (1 << Isa) set for every path compiled into this binary.
unsigned compiled_isa_mask();
// The fastest path that is in `compiled` and supported; the decision tests pass every bit to
// check the x86 and ARM ladders on any host.
Isa best_isa(const CpuFeatures& features, unsigned compiled);
inline Isa best_isa(const CpuFeatures& features) { return best_isa(features, compiled_isa_mask()); }
inline constexpr unsigned kAllIsas = (1u << kIsaCount) - 1;

}  // namespace quanta
