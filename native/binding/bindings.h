// One registration function per JS-visible group.
#pragma once

#include <napi.h>

namespace quanta::binding {

void register_probe(Napi::Env env, Napi::Object exports);
void register_linear(Napi::Env env, Napi::Object exports);
void register_codebook(Napi::Env env, Napi::Object exports);
void register_range(Napi::Env env, Napi::Object exports);
void register_gemm(Napi::Env env, Napi::Object exports);
void register_sgemm(Napi::Env env, Napi::Object exports);
void register_int4(Napi::Env env, Napi::Object exports);
void register_binary(Napi::Env env, Napi::Object exports);

}  // namespace quanta::binding
