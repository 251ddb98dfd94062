// Whether a CUDA driver and device are present, found by loading the driver library at run time:
// the CPU addon never links against CUDA, so it loads on machines without it.
#pragma once

#include <string>
#include <vector>

namespace quanta {

struct CudaDevice {
  std::string name;
  int compute_major = 0, compute_minor = 0;
  size_t total_memory = 0;
};

struct CudaProbe {
  bool available = false;
  std::string reason;  // why not, when !available
  std::vector<CudaDevice> devices;
};

CudaProbe probe_cuda();

}  // namespace quanta
