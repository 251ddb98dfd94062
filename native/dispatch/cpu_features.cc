#include "dispatch/cpu_features.h"

#include <cstring>
#include <fstream>

#if defined(__x86_64__) || defined(_M_X64)
#include <cpuid.h>
#if defined(__linux__)
#include <sys/syscall.h>
#include <unistd.h>
#endif
#endif
#if defined(__aarch64__) && defined(__linux__)
#include <sys/auxv.h>
#endif
#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif

namespace quanta {

namespace {
constexpr bool bit(uint64_t word, int n) { return (word >> n) & 1u; }

// XCR0 state components: SSE|AVX, then opmask|ZMM_Hi256|Hi16_ZMM, then XTILECFG|XTILEDATA.
constexpr uint64_t kXcr0Avx = 0x6;
constexpr uint64_t kXcr0Avx512 = 0xE0;
constexpr uint64_t kXcr0Amx = 0x60000;
}  // namespace

CpuFeatures decode_x86(const X86CpuidWords& w) {
  CpuFeatures f;
  f.sse42 = bit(w.leaf1_ecx, 20);
  const bool osxsave = bit(w.leaf1_ecx, 27);
  const uint64_t xcr0 = osxsave ? w.xcr0 : 0;
  const bool os_avx = (xcr0 & kXcr0Avx) == kXcr0Avx;
  const bool os_avx512 = os_avx && (xcr0 & kXcr0Avx512) == kXcr0Avx512;
  const bool os_amx = (xcr0 & kXcr0Amx) == kXcr0Amx && w.amx_permission;
  const bool has7 = w.max_leaf >= 7;

  f.avx = os_avx && bit(w.leaf1_ecx, 28);
  f.fma = f.avx && bit(w.leaf1_ecx, 12);
  f.f16c = f.avx && bit(w.leaf1_ecx, 29);
  f.avx2 = f.avx && has7 && bit(w.leaf7_ebx, 5);
  f.avxvnni = f.avx2 && bit(w.leaf7_1_eax, 4);
  f.avx512f = os_avx512 && has7 && bit(w.leaf7_ebx, 16);
  f.avx512dq = f.avx512f && bit(w.leaf7_ebx, 17);
  f.avx512bw = f.avx512f && bit(w.leaf7_ebx, 30);
  f.avx512vl = f.avx512f && bit(w.leaf7_ebx, 31);
  f.avx512vnni = f.avx512f && bit(w.leaf7_ecx, 11);
  f.avx512vpopcntdq = f.avx512f && bit(w.leaf7_ecx, 14);
  f.avx512bf16 = f.avx512f && bit(w.leaf7_1_eax, 5);
  f.amx_int8 = os_amx && has7 && bit(w.leaf7_edx, 24) && bit(w.leaf7_edx, 25);
  return f;
}

CpuFeatures decode_arm64_hwcaps(uint64_t hwcap, uint64_t hwcap2) {
  // Bit numbers from the Linux arm64 uapi <asm/hwcap.h>.
  CpuFeatures f;
  f.neon = bit(hwcap, 1);           // HWCAP_ASIMD
  f.dotprod = f.neon && bit(hwcap, 20);  // HWCAP_ASIMDDP
  f.sve = bit(hwcap, 22);           // HWCAP_SVE
  f.i8mm = f.neon && bit(hwcap2, 13);    // HWCAP2_I8MM
  f.bf16 = f.neon && bit(hwcap2, 14);    // HWCAP2_BF16
  return f;
}

namespace {

#if defined(__x86_64__) || defined(_M_X64)
X86CpuidWords read_x86_cpuid() {
  X86CpuidWords w;
  unsigned a = 0, b = 0, c = 0, d = 0;
  w.max_leaf = __get_cpuid_max(0, nullptr);
  if (w.max_leaf >= 1) {
    __cpuid(1, a, b, c, d);
    w.leaf1_ecx = c;
  }
  if (w.max_leaf >= 7) {
    __cpuid_count(7, 0, a, b, c, d);
    w.leaf7_ebx = b;
    w.leaf7_ecx = c;
    w.leaf7_edx = d;
    const unsigned max_subleaf = a;
    if (max_subleaf >= 1) {
      __cpuid_count(7, 1, a, b, c, d);
      w.leaf7_1_eax = a;
    }
  }
  if (bit(w.leaf1_ecx, 27)) {
    // XGETBV via its encoding, so this file needs no -mxsave.
    uint32_t lo = 0, hi = 0;
    __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(lo), "=d"(hi) : "c"(0));
    w.xcr0 = (uint64_t{hi} << 32) | lo;
  }
#if defined(__linux__)
  // Linux hands out AMX tile state only on request (arch_prctl ARCH_REQ_XCOMP_PERM, component
  // XTILEDATA = 18). Ask only when the CPU has AMX at all.
  if (bit(w.leaf7_edx, 24) && bit(w.leaf7_edx, 25)) {
    constexpr long kArchReqXcompPerm = 0x1023;
    constexpr long kXfeatureXtiledata = 18;
    w.amx_permission = syscall(SYS_arch_prctl, kArchReqXcompPerm, kXfeatureXtiledata) == 0;
  }
#endif
  return w;
}
#endif

CpuFeatures probe() {
#if defined(__x86_64__) || defined(_M_X64)
  return decode_x86(read_x86_cpuid());
#elif defined(__aarch64__) && defined(__linux__)
  return decode_arm64_hwcaps(getauxval(AT_HWCAP), getauxval(AT_HWCAP2));
#elif defined(__aarch64__) && defined(__APPLE__)
  auto sysctl_flag = [](const char* name) {
    int value = 0;
    size_t size = sizeof(value);
    return sysctlbyname(name, &value, &size, nullptr, 0) == 0 && value != 0;
  };
  CpuFeatures f;
  f.neon = true;  // every arm64 Mac
  f.dotprod = sysctl_flag("hw.optional.arm.FEAT_DotProd");
  f.i8mm = sysctl_flag("hw.optional.arm.FEAT_I8MM");
  f.bf16 = sysctl_flag("hw.optional.arm.FEAT_BF16");
  return f;
#else
  return CpuFeatures{};
#endif
}

}  // namespace

const CpuFeatures& host_cpu_features() {
  static const CpuFeatures features = probe();
  return features;
}

std::string host_cpu_model() {
#if defined(__x86_64__) || defined(_M_X64)
  unsigned regs[12] = {};
  if (__get_cpuid_max(0x80000000, nullptr) >= 0x80000004) {
    for (unsigned i = 0; i < 3; ++i) {
      __cpuid(0x80000002 + i, regs[i * 4], regs[i * 4 + 1], regs[i * 4 + 2], regs[i * 4 + 3]);
    }
    char name[49] = {};
    std::memcpy(name, regs, 48);
    std::string s(name);
    const auto first = s.find_first_not_of(' ');
    const auto last = s.find_last_not_of(' ');
    if (first != std::string::npos) return s.substr(first, last - first + 1);
  }
#elif defined(__APPLE__)
  char name[256] = {};
  size_t size = sizeof(name);
  if (sysctlbyname("machdep.cpu.brand_string", name, &size, nullptr, 0) == 0) return name;
#endif
#if defined(__linux__)
  // arm64 Linux has no brand string; /proc/cpuinfo names the implementer and part at best.
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    for (const char* key : {"model name", "Model", "CPU part"}) {
      if (line.rfind(key, 0) == 0) {
        const auto colon = line.find(':');
        if (colon != std::string::npos) return line.substr(line.find_first_not_of(" \t", colon + 1));
      }
    }
  }
#endif
  return "unknown";
}

bool isa_compiled_in(Isa isa) {
  switch (isa) {
    case Isa::ref: return true;
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::avx2:
    case Isa::avxvnni:
    case Isa::avx512vnni: return true;
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    case Isa::neon:
    case Isa::dotprod: return true;
#endif
    default: return false;
  }
}

bool isa_supported_by(Isa isa, const CpuFeatures& f) {
  const bool avx2_set = f.avx2 && f.fma && f.f16c;  // what -mavx2 -mfma -mf16c code may use
  switch (isa) {
    case Isa::ref: return true;
    case Isa::avx2: return avx2_set;
    case Isa::avxvnni: return avx2_set && f.avxvnni;
    case Isa::avx512vnni:
      return avx2_set && f.avx512f && f.avx512bw && f.avx512dq && f.avx512vl && f.avx512vnni;
    case Isa::neon: return f.neon;
    case Isa::dotprod: return f.neon && f.dotprod;
  }
  return false;
}

unsigned compiled_isa_mask() {
  unsigned mask = 0;
  for (int i = 0; i < kIsaCount; ++i) {
    if (isa_compiled_in(static_cast<Isa>(i))) mask |= 1u << i;
  }
  return mask;
}

Isa best_isa(const CpuFeatures& f, unsigned compiled) {
  // Fastest first. On Zen 5 AVX-VNNI runs at half the MACs of AVX512-VNNI (same issue rate).
  for (Isa isa : {Isa::avx512vnni, Isa::avxvnni, Isa::avx2, Isa::dotprod, Isa::neon}) {
    if ((compiled >> static_cast<int>(isa) & 1u) && isa_supported_by(isa, f)) return isa;
  }
  return Isa::ref;
}

bool isa_from_name(const char* name, Isa* out) {
  for (int i = 0; i < kIsaCount; ++i) {
    const Isa isa = static_cast<Isa>(i);
    if (std::strcmp(name, isa_name(isa)) == 0) {
      *out = isa;
      return true;
    }
  }
  return false;
}

}  // namespace quanta
