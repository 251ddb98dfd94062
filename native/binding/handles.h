// Packed weights cross into JS as opaque handles: a type-tagged External owning the C++ object.
// The tag means a handle of one kind (or any other External) can never be passed off as another;
// the external-memory adjustment tells V8 how much native memory each handle keeps alive, so
// large packed weights are collected in time.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

#include "binding/args.h"

namespace quanta::binding {

// Takes ownership of `owned` (`bytes` of native memory) and returns its handle.
template <typename T>
Napi::Value wrap_handle(Napi::Env env, T* owned, int64_t bytes, const napi_type_tag* tag) {
  Napi::MemoryManagement::AdjustExternalMemory(env, bytes);
  auto handle = Napi::External<T>::New(env, owned, [bytes](Napi::Env e, T* p) {
    Napi::MemoryManagement::AdjustExternalMemory(e, -bytes);
    delete p;
  });
  handle.TypeTag(tag);
  return handle;
}

// The object behind argument `index`, which must be a handle with `tag`; else
// ERR_QUANTA_INVALID_ARGUMENT naming `maker`, the JS function that makes such handles.
template <typename T>
T* unwrap_handle(const Napi::CallbackInfo& info, size_t index, const napi_type_tag* tag, const char* maker) {
  if (index >= info.Length() || !info[index].IsExternal() || !info[index].As<Napi::External<T>>().CheckTypeTag(tag)) {
    throw_error(info.Env(), "ERR_QUANTA_INVALID_ARGUMENT", std::string("packed must be a handle from ") + maker);
  }
  return info[index].As<Napi::External<T>>().Data();
}

}  // namespace quanta::binding
