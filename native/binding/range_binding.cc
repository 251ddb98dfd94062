// JS functions of the range family (min / max, per-channel min / max, histograms) behind
// lib/calibrate/range-kernels.ts. Arguments are validated in TypeScript; here only what protects
// memory is re-checked.
#include <napi.h>

#include <cmath>
#include <string>

#include "binding/args.h"
#include "binding/bindings.h"
#include "binding/tensor_args.h"
#include "dispatch/kernel_table.h"
#include "runtime/range_ops.h"

namespace quanta::binding {

namespace {

// A Float64Array argument (args.cc instantiates typed_array for the 32- and 8-bit types only).
View<double> float64_array(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsTypedArray() ||
      info[index].As<Napi::TypedArray>().TypedArrayType() != napi_float64_array) {
    throw_error(env, "ERR_QUANTA_INVALID_DTYPE", std::string(name) + " must be a Float64Array");
  }
  Napi::TypedArray array = info[index].As<Napi::TypedArray>();
  bool detached = false;
  napi_is_detached_arraybuffer(env, array.ArrayBuffer(), &detached);
  if (detached) throw_error(env, "ERR_QUANTA_DETACHED_BUFFER", std::string(name) + " has a detached buffer");
  auto* base = static_cast<uint8_t*>(array.ArrayBuffer().Data());
  return {reinterpret_cast<double*>(base + array.ByteOffset()), array.ElementLength()};
}

// rangeF32(x, isa?) -> [min, max, nonFinite]
Napi::Value RangeF32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = typed_array<float>(info, 0, "x");
  const KernelTable& k = table_arg(info, 1);
  float min = INFINITY, max = -INFINITY;
  const uint64_t non_finite = range_of(k, x.data, x.length, &min, &max);
  Napi::Array out = Napi::Array::New(env, 3);
  out.Set(uint32_t{0}, Napi::Number::New(env, min));
  out.Set(uint32_t{1}, Napi::Number::New(env, max));
  out.Set(uint32_t{2}, Napi::Number::New(env, static_cast<double>(non_finite)));
  return out;
}

// rangePerChannelF32(x, outer, axis, inner, mins, maxs, isa?) -> nonFinite
Napi::Value RangePerChannelF32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = typed_array<float>(info, 0, "x");
  const size_t outer = size_arg(info, 1, "outer");
  const size_t axis = size_arg(info, 2, "axis");
  const size_t inner = size_arg(info, 3, "inner");
  auto mins = float64_array(info, 4, "mins");
  auto maxs = float64_array(info, 5, "maxs");
  const KernelTable& k = table_arg(info, 6);
  check_length(info, x.length, checked_product(env, checked_product(env, outer, axis), inner), "x");
  if (mins.length < axis || maxs.length < axis) {
    throw_error(env, "ERR_QUANTA_INVALID_SHAPE", "mins and maxs need one entry per channel (axis)");
  }
  const uint64_t non_finite = range_per_channel(k, x.data, outer, axis, inner, mins.data, maxs.data);
  return Napi::Number::New(env, static_cast<double>(non_finite));
}

// histogramF32(x, lo32, inv32, counts, abs, isa?) -> nonFinite; lo32 / inv32 already float32 values.
Napi::Value HistogramF32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto x = typed_array<float>(info, 0, "x");
  const float lo = static_cast<float>(number_arg(info, 1, "lo"));
  const float inv = static_cast<float>(number_arg(info, 2, "inv"));
  auto counts = float64_array(info, 3, "counts");
  if (info.Length() <= 4 || !info[4].IsBoolean()) {
    throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "abs must be a boolean");
  }
  const bool abs_mode = info[4].As<Napi::Boolean>().Value();
  const KernelTable& k = table_arg(info, 5);
  if (counts.length < 1 || counts.length > kHistogramMaxBins) {
    throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "counts must have 1 to 2^24 bins");
  }
  if (!std::isfinite(lo) || !std::isfinite(inv) || !(inv > 0.0f)) {
    throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", "lo and inv must be finite float32 values, inv > 0");
  }
  const uint64_t non_finite =
      histogram(k, x.data, x.length, lo, inv, static_cast<uint32_t>(counts.length), abs_mode, counts.data);
  return Napi::Number::New(env, static_cast<double>(non_finite));
}

}  // namespace

void register_range(Napi::Env env, Napi::Object exports) {
  exports.Set("rangeF32", Napi::Function::New(env, RangeF32, "rangeF32"));
  exports.Set("rangePerChannelF32", Napi::Function::New(env, RangePerChannelF32, "rangePerChannelF32"));
  exports.Set("histogramF32", Napi::Function::New(env, HistogramF32, "histogramF32"));
}

}  // namespace quanta::binding
