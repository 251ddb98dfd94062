#include "dispatch/cuda_probe.h"

#if defined(__linux__)
#include <dlfcn.h>
#endif

namespace quanta {

CudaProbe probe_cuda() {
  CudaProbe probe;
#if defined(__linux__)
  void* lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
  if (lib == nullptr) {
    probe.reason = "no CUDA driver (libcuda.so.1 not found)";
    return probe;
  }
  // Driver API entry points, declared by hand so no CUDA header is needed to build.
  using InitFn = int (*)(unsigned);
  using CountFn = int (*)(int*);
  using GetFn = int (*)(int*, int);
  using NameFn = int (*)(char*, int, int);
  using AttrFn = int (*)(int*, int, int);
  using MemFn = int (*)(size_t*, int);
  auto init = reinterpret_cast<InitFn>(dlsym(lib, "cuInit"));
  auto count = reinterpret_cast<CountFn>(dlsym(lib, "cuDeviceGetCount"));
  auto get = reinterpret_cast<GetFn>(dlsym(lib, "cuDeviceGet"));
  auto name = reinterpret_cast<NameFn>(dlsym(lib, "cuDeviceGetName"));
  auto attr = reinterpret_cast<AttrFn>(dlsym(lib, "cuDeviceGetAttribute"));
  auto mem = reinterpret_cast<MemFn>(dlsym(lib, "cuDeviceTotalMem_v2"));
  if (!init || !count || !get || !name || !attr || !mem) {
    probe.reason = "the CUDA driver lacks the expected entry points";
    return probe;  // the library stays loaded: unloading a driver is not worth the risk
  }
  if (const int rc = init(0); rc != 0) {
    probe.reason = "cuInit failed with CUDA error " + std::to_string(rc);
    return probe;
  }
  int n = 0;
  if (count(&n) != 0 || n == 0) {
    probe.reason = "the CUDA driver reports no device";
    return probe;
  }
  constexpr int kComputeMajor = 75, kComputeMinor = 76;  // CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_*
  for (int i = 0; i < n; ++i) {
    int device = 0;
    if (get(&device, i) != 0) continue;
    CudaDevice d;
    char buffer[256] = {};
    if (name(buffer, sizeof(buffer) - 1, device) == 0) d.name = buffer;
    attr(&d.compute_major, kComputeMajor, device);
    attr(&d.compute_minor, kComputeMinor, device);
    mem(&d.total_memory, device);
    probe.devices.push_back(d);
  }
  probe.available = !probe.devices.empty();
  if (!probe.available) probe.reason = "no CUDA device could be opened";
#else
  probe.reason = "CUDA probing is implemented for Linux only";
#endif
  return probe;
}

}  // namespace quanta
