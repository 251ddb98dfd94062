#include "dispatch/kernel_table.h"

#include <atomic>
#include <cstdlib>
#include <mutex>

#include "dispatch/cpu_features.h"

namespace quanta {

namespace {

KernelTable build_table(Isa isa) {
  KernelTable t{};
  register_ref_kernels(&t);
  switch (isa) {
#if defined(__x86_64__) || defined(_M_X64)
    case Isa::avx2: register_avx2_kernels(&t); break;
    case Isa::avxvnni:
      register_avx2_kernels(&t);
      register_avxvnni_kernels(&t);
      break;
    case Isa::avx512vnni:
      // Not the AVX-VNNI kernels: a CPU with AVX512-VNNI need not have AVX-VNNI (Ice Lake).
      register_avx2_kernels(&t);
      register_avx512vnni_kernels(&t);
      // VPOPCNTDQ is not implied by AVX512-VNNI (Cascade Lake has VNNI without it), so its
      // binary GEMM kernel replaces the AVX-512BW one only where the CPU reports it.
      if (host_cpu_features().avx512vpopcntdq) register_avx512vpopcntdq_binary_kernels(&t);
      break;
#endif
#if defined(__aarch64__) || defined(_M_ARM64)
    case Isa::neon: register_neon_kernels(&t); break;
    case Isa::dotprod:
      register_neon_kernels(&t);
      register_dotprod_kernels(&t);
      break;
#endif
    default: break;
  }
  return t;
}

struct Tables {
  KernelTable table[kIsaCount];
  std::once_flag filled[kIsaCount];
};

Tables& tables() {
  static Tables t;
  return t;
}

std::string g_environment_error;

Isa initial_isa() {
  const Isa best = best_isa(host_cpu_features());
  const char* forced = std::getenv("QUANTA_ISA");
  if (forced == nullptr || *forced == '\0') return best;
  Isa isa;
  if (!isa_from_name(forced, &isa)) {
    g_environment_error = std::string("QUANTA_ISA=") + forced + " is not a known path";
    return best;
  }
  const std::string why = isa_unavailable_reason(isa);
  if (!why.empty()) {
    g_environment_error = std::string("QUANTA_ISA=") + forced + ": " + why;
    return best;
  }
  return isa;
}

std::atomic<int>& active() {
  static std::atomic<int> isa{static_cast<int>(initial_isa())};
  return isa;
}

}  // namespace

std::string isa_unavailable_reason(Isa isa) {
  if (!isa_compiled_in(isa)) {
    return std::string("the '") + isa_name(isa) + "' kernels are not compiled into this binary";
  }
  if (!isa_supported_by(isa, host_cpu_features())) {
    return std::string("this CPU or operating system does not support '") + isa_name(isa) + "'";
  }
  return "";
}

const KernelTable& kernels_for(Isa isa) {
  Tables& t = tables();
  const int i = static_cast<int>(isa);
  std::call_once(t.filled[i], [&] { t.table[i] = build_table(isa); });
  return t.table[i];
}

const KernelTable& kernels() { return kernels_for(active_isa()); }

Isa active_isa() { return static_cast<Isa>(active().load(std::memory_order_acquire)); }

bool set_active_isa(Isa isa) {
  if (!isa_unavailable_reason(isa).empty()) return false;
  kernels_for(isa);  // fill before publishing
  active().store(static_cast<int>(isa), std::memory_order_release);
  return true;
}

const std::string& isa_environment_error() {
  active();  // make sure the environment was read
  return g_environment_error;
}

}  // namespace quanta
