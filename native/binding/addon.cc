// The addon's entry point: every group registers its functions on the exports object.
#include <napi.h>

#include "binding/bindings.h"

namespace {

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  quanta::binding::register_probe(env, exports);
  quanta::binding::register_linear(env, exports);
  quanta::binding::register_codebook(env, exports);
  quanta::binding::register_range(env, exports);
  quanta::binding::register_gemm(env, exports);
  quanta::binding::register_sgemm(env, exports);
  quanta::binding::register_int4(env, exports);
  quanta::binding::register_binary(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(quanta, Init)
