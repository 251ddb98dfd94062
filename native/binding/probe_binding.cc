// JS functions of the hardware probe, the ISA switch and the thread count.
#include <napi.h>

#include <thread>

#include "binding/args.h"
#include "binding/bindings.h"
#include "dispatch/cpu_features.h"
#include "dispatch/cuda_probe.h"
#include "dispatch/kernel_table.h"
#include "runtime/read_probe.h"
#include "runtime/thread_pool.h"

namespace quanta::binding {

namespace {

Napi::Object features_object(Napi::Env env, const CpuFeatures& f) {
  Napi::Object o = Napi::Object::New(env);
#if defined(__x86_64__) || defined(_M_X64)
  o.Set("sse4.2", f.sse42);
  o.Set("avx", f.avx);
  o.Set("avx2", f.avx2);
  o.Set("fma", f.fma);
  o.Set("f16c", f.f16c);
  o.Set("avx512f", f.avx512f);
  o.Set("avx512bw", f.avx512bw);
  o.Set("avx512vl", f.avx512vl);
  o.Set("avx512dq", f.avx512dq);
  o.Set("avx512vnni", f.avx512vnni);
  o.Set("avxvnni", f.avxvnni);
  o.Set("avx512bf16", f.avx512bf16);
  o.Set("avx512vpopcntdq", f.avx512vpopcntdq);
  o.Set("amxInt8", f.amx_int8);
#else
  o.Set("neon", f.neon);
  o.Set("dotprod", f.dotprod);
  o.Set("i8mm", f.i8mm);
  o.Set("sve", f.sve);
  o.Set("bf16", f.bf16);
#endif
  return o;
}

Napi::Object kernels_object(Napi::Env env, const KernelTable& t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("quantize", isa_name(t.quantize_isa));
  o.Set("dequantize", isa_name(t.dequantize_isa));
  o.Set("requantize", isa_name(t.requantize_isa));
  o.Set("kmeans", isa_name(t.kmeans_isa));
  o.Set("range", isa_name(t.range_isa));
  o.Set("gemm", isa_name(t.gemm_isa));
  o.Set("sgemm", isa_name(t.sgemm_isa));
  o.Set("int4", isa_name(t.int4_isa));
  o.Set("binary", isa_name(t.binary_b1b1_isa));
  o.Set("read", isa_name(t.read_isa));
  return o;
}

Napi::Value CpuInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  o.Set("cpuModel", host_cpu_model());
  o.Set("logicalCores", std::thread::hardware_concurrency());
  o.Set("features", features_object(env, host_cpu_features()));
  o.Set("bestIsa", isa_name(best_isa(host_cpu_features())));
  Napi::Object isas = Napi::Object::New(env);
  for (int i = 0; i < kIsaCount; ++i) {
    const Isa isa = static_cast<Isa>(i);
    const std::string why = isa_unavailable_reason(isa);
    isas.Set(isa_name(isa), why.empty() ? env.Null() : Napi::String::New(env, why));
  }
  o.Set("unavailable", isas);  // name -> null when usable, else the reason
  return o;
}

Napi::Value KernelsInUse(const Napi::CallbackInfo& info) {
  return kernels_object(info.Env(), kernels());
}

Napi::Value ActiveIsa(const Napi::CallbackInfo& info) {
  return Napi::String::New(info.Env(), isa_name(active_isa()));
}

Napi::Value IsaEnvironmentError(const Napi::CallbackInfo& info) {
  const std::string& error = isa_environment_error();
  return error.empty() ? info.Env().Null() : Napi::String::New(info.Env(), error);
}

Napi::Value SetIsa(const Napi::CallbackInfo& info) {
  const std::string name = string_arg(info, 0, "isa");
  Isa isa;
  if (!isa_from_name(name.c_str(), &isa)) {
    throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", "unknown isa '" + name + "'");
  }
  if (!set_active_isa(isa)) {
    throw_error(info.Env(), "ERR_QUANTA_UNSUPPORTED_ISA", isa_unavailable_reason(isa));
  }
  return info.Env().Undefined();
}

Napi::Value NumThreads(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), num_threads());
}

Napi::Value SetNumThreads(const Napi::CallbackInfo& info) {
  const int64_t n = integer_arg(info, 0, "threads");
  if (n < 0 || n > 1024) throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", "threads must be in [0, 1024]");
  set_num_threads(static_cast<int>(n));
  return info.Env().Undefined();
}

Napi::Value Cuda(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const CudaProbe probe = probe_cuda();
  Napi::Object o = Napi::Object::New(env);
  o.Set("available", probe.available);
  o.Set("reason", probe.available ? env.Null() : Napi::String::New(env, probe.reason));
  Napi::Array devices = Napi::Array::New(env, probe.devices.size());
  for (size_t i = 0; i < probe.devices.size(); ++i) {
    const CudaDevice& d = probe.devices[i];
    Napi::Object dev = Napi::Object::New(env);
    dev.Set("name", d.name);
    dev.Set("computeCapability", std::to_string(d.compute_major) + "." + std::to_string(d.compute_minor));
    dev.Set("totalMemory", static_cast<double>(d.total_memory));
    devices.Set(static_cast<uint32_t>(i), dev);
  }
  o.Set("devices", devices);
  return o;
}

// timeRead(bytes: TypedArray, passes) -> [seconds, checksum (BigInt)]: `passes` reads of the
// view's bytes on this thread (it blocks; the caller sizes it).
Napi::Value TimeRead(const Napi::CallbackInfo& info) {
  const View<uint8_t> bytes = byte_view(info, 0, "buffer");
  const int64_t passes = integer_arg(info, 1, "passes");
  if (passes < 1 || passes > 1000000) throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", "passes must be in [1, 1000000]");
  const ReadTiming t = time_reads(kernels(), bytes.data, bytes.length, static_cast<uint32_t>(passes));
  Napi::Array out = Napi::Array::New(info.Env(), 2);
  out.Set(0u, Napi::Number::New(info.Env(), t.seconds));
  out.Set(1u, Napi::BigInt::New(info.Env(), t.checksum));
  return out;
}

}  // namespace

void register_probe(Napi::Env env, Napi::Object exports) {
  exports.Set("cpuInfo", Napi::Function::New(env, CpuInfo, "cpuInfo"));
  exports.Set("kernelsInUse", Napi::Function::New(env, KernelsInUse, "kernelsInUse"));
  exports.Set("isa", Napi::Function::New(env, ActiveIsa, "isa"));
  exports.Set("isaEnvironmentError", Napi::Function::New(env, IsaEnvironmentError, "isaEnvironmentError"));
  exports.Set("setIsa", Napi::Function::New(env, SetIsa, "setIsa"));
  exports.Set("numThreads", Napi::Function::New(env, NumThreads, "numThreads"));
  exports.Set("setNumThreads", Napi::Function::New(env, SetNumThreads, "setNumThreads"));
  exports.Set("cuda", Napi::Function::New(env, Cuda, "cuda"));
  exports.Set("timeRead", Napi::Function::New(env, TimeRead, "timeRead"));
}

}  // namespace quanta::binding
