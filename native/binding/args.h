// Turning JS arguments into plain C++ views. The TypeScript layer validates everything first;
// these checks exist only so that a caller who bypasses it cannot make us read or write outside
// a buffer. Failures throw a JS Error with a stable `code`.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

namespace quanta::binding {

[[noreturn]] void throw_error(Napi::Env env, const char* code, const std::string& message);

template <typename T>
struct View {
  T* data = nullptr;
  size_t length = 0;
};

// Element type T must match the TypedArray's type exactly (int8/uint8 are accepted for each
// other where `allow_byte_alias`: the storage of s8/u8 codes is the same byte).
template <typename T>
View<T> typed_array(const Napi::CallbackInfo& info, size_t index, const char* name);

// The bytes of any TypedArray (used for 8-bit codes of either signedness).
View<uint8_t> byte_view(const Napi::CallbackInfo& info, size_t index, const char* name);

bool bool_arg(const Napi::CallbackInfo& info, size_t index, const char* name);
double number_arg(const Napi::CallbackInfo& info, size_t index, const char* name);
int64_t integer_arg(const Napi::CallbackInfo& info, size_t index, const char* name);
std::string string_arg(const Napi::CallbackInfo& info, size_t index, const char* name);

}  // namespace quanta::binding
