#include "binding/args.h"

#include <cmath>

namespace quanta::binding {

void throw_error(Napi::Env env, const char* code, const std::string& message) {
  Napi::Error error = Napi::Error::New(env, message);
  error.Set("code", Napi::String::New(env, code));
  throw error;
}

namespace {

template <typename T>
constexpr napi_typedarray_type kTypedArrayType = napi_int8_array;
template <>
constexpr napi_typedarray_type kTypedArrayType<float> = napi_float32_array;
template <>
constexpr napi_typedarray_type kTypedArrayType<int32_t> = napi_int32_array;
template <>
constexpr napi_typedarray_type kTypedArrayType<int8_t> = napi_int8_array;
template <>
constexpr napi_typedarray_type kTypedArrayType<uint8_t> = napi_uint8_array;
template <>
constexpr napi_typedarray_type kTypedArrayType<uint64_t> = napi_biguint64_array;

Napi::TypedArray typed_array_value(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::Env env = info.Env();
  if (index >= info.Length() || !info[index].IsTypedArray()) {
    throw_error(env, "ERR_QUANTA_INVALID_ARGUMENT", std::string(name) + " must be a TypedArray");
  }
  Napi::TypedArray array = info[index].As<Napi::TypedArray>();
  bool detached = false;
  napi_is_detached_arraybuffer(env, array.ArrayBuffer(), &detached);
  if (detached) {
    throw_error(env, "ERR_QUANTA_DETACHED_BUFFER", std::string(name) + " has a detached buffer");
  }
  return array;
}

}  // namespace

template <typename T>
View<T> typed_array(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::TypedArray array = typed_array_value(info, index, name);
  if (array.TypedArrayType() != kTypedArrayType<T>) {
    throw_error(info.Env(), "ERR_QUANTA_INVALID_DTYPE", std::string(name) + " has the wrong element type");
  }
  auto* base = static_cast<uint8_t*>(array.ArrayBuffer().Data());
  return {reinterpret_cast<T*>(base + array.ByteOffset()), array.ElementLength()};
}

template View<float> typed_array<float>(const Napi::CallbackInfo&, size_t, const char*);
template View<int32_t> typed_array<int32_t>(const Napi::CallbackInfo&, size_t, const char*);
template View<int8_t> typed_array<int8_t>(const Napi::CallbackInfo&, size_t, const char*);
template View<uint8_t> typed_array<uint8_t>(const Napi::CallbackInfo&, size_t, const char*);
template View<uint64_t> typed_array<uint64_t>(const Napi::CallbackInfo&, size_t, const char*);

View<uint8_t> byte_view(const Napi::CallbackInfo& info, size_t index, const char* name) {
  Napi::TypedArray array = typed_array_value(info, index, name);
  auto* base = static_cast<uint8_t*>(array.ArrayBuffer().Data());
  return {base + array.ByteOffset(), array.ByteLength()};
}

bool bool_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsBoolean()) {
    throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", std::string(name) + " must be a boolean");
  }
  return info[index].As<Napi::Boolean>().Value();
}

double number_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsNumber()) {
    throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", std::string(name) + " must be a number");
  }
  return info[index].As<Napi::Number>().DoubleValue();
}

int64_t integer_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  const double v = number_arg(info, index, name);
  if (!std::isfinite(v) || v != std::floor(v) || std::fabs(v) > 9007199254740991.0) {
    throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", std::string(name) + " must be an integer");
  }
  return static_cast<int64_t>(v);
}

std::string string_arg(const Napi::CallbackInfo& info, size_t index, const char* name) {
  if (index >= info.Length() || !info[index].IsString()) {
    throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", std::string(name) + " must be a string");
  }
  return info[index].As<Napi::String>().Utf8Value();
}

}  // namespace quanta::binding
