// JS functions of QuantizeLinear / DequantizeLinear / requantize / MatMulInteger. Arguments are
// validated in TypeScript; here only what protects memory is re-checked.
#include <napi.h>


#include "binding/args.h"
#include "binding/bindings.h"
#include "binding/tensor_args.h"
#include "dispatch/kernel_table.h"
#include "runtime/linear_ops.h"

namespace quanta::binding {

namespace {

QuantRange range_arg(const Napi::CallbackInfo& info, size_t index, IntType type) {
  const int64_t qmin = integer_arg(info, index, "qmin");
  const int64_t qmax = integer_arg(info, index + 1, "qmax");
  const int64_t lo = type == IntType::s8 ? -128 : 0;
  const int64_t hi = type == IntType::s8 ? 127 : 255;
  if (qmin < lo || qmax > hi || qmin > qmax) {
    throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", "qmin/qmax outside the storage type");
  }
  return {static_cast<int32_t>(qmin), static_cast<int32_t>(qmax)};
}

IntType int_type_of(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index < info.Length() && info[index].IsTypedArray()) {
    const auto t = info[index].As<Napi::TypedArray>().TypedArrayType();
    if (t == napi_int8_array) return IntType::s8;
    if (t == napi_uint8_array) return IntType::u8;
  }
  throw_error(info.Env(), "ERR_QUANTA_INVALID_DTYPE", std::string(name) + " must be an Int8Array or Uint8Array");
}

void check_params(const Napi::CallbackInfo& info, const AxisView& v, size_t scales, size_t zps) {
  if (scales < v.scale_count() || zps < v.scale_count()) {
    throw_error(info.Env(), "ERR_QUANTA_INVALID_SHAPE", "fewer scales or zero points than the layout needs");
  }
}

// quantizeLinear(x, scale, zeroPoint, y, outer, axis, inner, layout, block, qmin, qmax, isa?)
Napi::Value QuantizeLinear(const Napi::CallbackInfo& info) {
  auto x = typed_array<float>(info, 0, "x");
  auto scale = typed_array<float>(info, 1, "scale");
  auto zp = typed_array<int32_t>(info, 2, "zeroPoint");
  const IntType type = int_type_of(info, 3, "y");
  auto y = byte_view(info, 3, "y");
  const AxisView v = axis_view_arg(info, 4);
  const QuantRange range = range_arg(info, 9, type);
  const KernelTable& k = table_arg(info, 11);
  check_length(info, x.length, v.size(), "x");
  check_length(info, y.length, v.size(), "y");
  check_params(info, v, scale.length, zp.length);
  quantize_linear(k, v, x.data, scale.data, zp.data, range, type, y.data);
  return info.Env().Undefined();
}

// dequantizeLinear(x, scale, zeroPoint, y, outer, axis, inner, layout, block, isa?)
Napi::Value DequantizeLinear(const Napi::CallbackInfo& info) {
  const IntType type = int_type_of(info, 0, "x");
  auto x = byte_view(info, 0, "x");
  auto scale = typed_array<float>(info, 1, "scale");
  auto zp = typed_array<int32_t>(info, 2, "zeroPoint");
  auto y = typed_array<float>(info, 3, "y");
  const AxisView v = axis_view_arg(info, 4);
  const KernelTable& k = table_arg(info, 9);
  check_length(info, x.length, v.size(), "x");
  check_length(info, y.length, v.size(), "y");
  check_params(info, v, scale.length, zp.length);
  dequantize_linear(k, v, type, x.data, scale.data, zp.data, y.data);
  return info.Env().Undefined();
}

// requantize(acc, multiplier, zeroPoint, y, outer, axis, inner, layout, block, qmin, qmax, isa?)
Napi::Value Requantize(const Napi::CallbackInfo& info) {
  auto acc = typed_array<int32_t>(info, 0, "acc");
  auto multiplier = typed_array<float>(info, 1, "multiplier");
  auto zp = typed_array<int32_t>(info, 2, "zeroPoint");
  const IntType type = int_type_of(info, 3, "y");
  auto y = byte_view(info, 3, "y");
  const AxisView v = axis_view_arg(info, 4);
  const QuantRange range = range_arg(info, 9, type);
  const KernelTable& k = table_arg(info, 11);
  check_length(info, acc.length, v.size(), "acc");
  check_length(info, y.length, v.size(), "y");
  check_params(info, v, multiplier.length, zp.length);
  requantize_linear(k, v, acc.data, multiplier.data, zp.data, range, type, y.data);
  return info.Env().Undefined();
}

// requantizeFixed(acc, multiplier(Int32), shift(Int32), zeroPoint, y, outer, axis, inner, qmin,
//                 qmax, isa?): per tensor when one multiplier is given, else per axis index.
Napi::Value RequantizeFixed(const Napi::CallbackInfo& info) {
  auto acc = typed_array<int32_t>(info, 0, "acc");
  auto multiplier = typed_array<int32_t>(info, 1, "multiplier");
  auto shift = typed_array<int32_t>(info, 2, "shift");
  auto zp = typed_array<int32_t>(info, 3, "zeroPoint");
  const IntType type = int_type_of(info, 4, "y");
  auto y = byte_view(info, 4, "y");
  AxisView v;
  v.outer = size_arg(info, 5, "outer");
  v.axis = size_arg(info, 6, "axis");
  v.inner = size_arg(info, 7, "inner");
  checked_product(info.Env(), checked_product(info.Env(), v.outer, v.axis), v.inner);
  v.layout = multiplier.length == 1 ? ScaleLayout::per_tensor : ScaleLayout::per_axis;
  const QuantRange range = range_arg(info, 8, type);
  const KernelTable& k = table_arg(info, 10);
  check_length(info, acc.length, v.size(), "acc");
  check_length(info, y.length, v.size(), "y");
  check_params(info, v, multiplier.length, zp.length);
  check_params(info, v, shift.length, zp.length);
  for (size_t i = 0; i < v.scale_count(); ++i) {
    if (shift.data[i] < -31 || shift.data[i] > 30) {
      throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", "shift must be in [-31, 30]");
    }
  }
  requantize_fixed_linear(k, v, acc.data, multiplier.data, shift.data, zp.data, range, type, y.data);
  return info.Env().Undefined();
}

}  // namespace

void register_linear(Napi::Env env, Napi::Object exports) {
  exports.Set("quantizeLinear", Napi::Function::New(env, QuantizeLinear, "quantizeLinear"));
  exports.Set("dequantizeLinear", Napi::Function::New(env, DequantizeLinear, "dequantizeLinear"));
  exports.Set("requantize", Napi::Function::New(env, Requantize, "requantize"));
  exports.Set("requantizeFixed", Napi::Function::New(env, RequantizeFixed, "requantizeFixed"));
}

}  // namespace quanta::binding
