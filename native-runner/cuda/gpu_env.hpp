// The CUDA harness's environment fingerprint (the `hello` line) and the device ceilings used for
// napkin math: GPU, driver, CUDA runtime/driver versions, compute capability, SMs, clocks,
// memory, compiler and flags, host.
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "common.cuh"
#include "nvml.hpp"

#ifndef ATTNLAB_NVCC_FLAGS
#define ATTNLAB_NVCC_FLAGS "unknown"
#endif

namespace attnlab {

struct GpuInfo {
  int device = 0;
  cudaDeviceProp prop{};
  std::string pci_bus_id;
  int sm_clock_mhz = 0;   // max SM clock
  int mem_clock_mhz = 0;  // max memory clock
  int bus_width_bits = 0;
  int runtime_version = 0, driver_api_version = 0;
  std::string driver;     // NVML driver version, e.g. 580.65.06
  double peak_tflops = 0; // dense f16/bf16 tensor-core peak, f32 accumulate (estimate)
  double peak_gbps = 0;   // DRAM peak (estimate)
  double copy_gbps = 0;   // measured device-to-device copy, bytes read + written (0: not measured)
};

inline std::string cuda_version_text(int v) {
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

// Dense f16 tensor-core FLOPs per clock per SM, f32 accumulate (datasheet arithmetic).
inline double tensor_flops_per_clock(int major, int minor) {
  if (major == 8 && minor == 0) return 2048;  // A100
  if (major == 8) return 1024;                // GA10x, AD10x (L4, L40S)
  if (major == 9) return 4096;                // H100/H200 (wgmma; mma.sync reaches less)
  if (major >= 10) return 4096;               // a floor for newer parts
  return 0;
}

// Selects the device and reads its facts; throws "unsupported" when there is no usable GPU.
inline GpuInfo query_gpu(int device, Nvml& nvml) {
  GpuInfo g;
  g.device = device;
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess || count == 0) {
    std::string why = err != cudaSuccess ? cudaGetErrorString(err) : "cudaGetDeviceCount returned 0";
    if (err == cudaErrorInsufficientDriver) {
      why += " (built with CUDA " + std::to_string(CUDART_VERSION / 1000) + "." +
             std::to_string(CUDART_VERSION % 1000 / 10) +
             "; without a GPU this is what the runtime reports, with one the driver is older "
             "than this toolkit: update it or build with an older nvcc)";
    }
    throw HarnessError("unsupported", "no CUDA GPU available: " + why);
  }
  if (device >= count) {
    throw HarnessError("bad-config", "--device: must be in 0.." + std::to_string(count - 1) +
                                         " (got " + std::to_string(device) + ")");
  }
  CUDA_CHECK(cudaSetDevice(device));
  CUDA_CHECK(cudaGetDeviceProperties(&g.prop, device));
  if (g.prop.major < 8) {
    throw HarnessError("unsupported", std::string(g.prop.name) + " is compute capability " +
                                          std::to_string(g.prop.major) + "." +
                                          std::to_string(g.prop.minor) +
                                          "; the attnlab CUDA kernels need 8.0 or newer");
  }
  char pci[32] = {0};
  CUDA_CHECK(cudaDeviceGetPCIBusId(pci, sizeof pci, device));
  g.pci_bus_id = pci;
  CUDA_CHECK(cudaRuntimeGetVersion(&g.runtime_version));
  CUDA_CHECK(cudaDriverGetVersion(&g.driver_api_version));
  int khz = 0;
  CUDA_CHECK(cudaDeviceGetAttribute(&khz, cudaDevAttrClockRate, device));
  g.sm_clock_mhz = khz / 1000;
  CUDA_CHECK(cudaDeviceGetAttribute(&khz, cudaDevAttrMemoryClockRate, device));
  g.mem_clock_mhz = khz / 1000;
  CUDA_CHECK(cudaDeviceGetAttribute(&g.bus_width_bits, cudaDevAttrGlobalMemoryBusWidth, device));
  if (nvml.init(g.pci_bus_id)) {
    g.driver = nvml.driver_version();
    if (unsigned sm = nvml.max_clock(false)) g.sm_clock_mhz = int(sm);
    if (unsigned mem = nvml.max_clock(true)) g.mem_clock_mhz = int(mem);
  }
  g.peak_tflops = g.prop.multiProcessorCount * double(g.sm_clock_mhz) * 1e6 *
                  tensor_flops_per_clock(g.prop.major, g.prop.minor) / 1e12;
  // DDR: two transfers per memory clock.
  g.peak_gbps = 2.0 * g.mem_clock_mhz * 1e6 * (g.bus_width_bits / 8.0) / 1e9;
  return g;
}

// The measured bandwidth ceiling of memory-bound problems (decode): the best of 5 timed
// device-to-device copies of 256 MiB after one warm-up, counting bytes read + written. 0 when the
// memory is not there (the run then reports peakGbps only).
inline double measure_copy_gbps() {
  const size_t bytes = size_t(256) << 20;
  void *src = nullptr, *dst = nullptr;
  if (cudaMalloc(&src, bytes) != cudaSuccess) { cudaGetLastError(); return 0; }
  if (cudaMalloc(&dst, bytes) != cudaSuccess) { cudaGetLastError(); cudaFree(src); return 0; }
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  cudaMemset(src, 1, bytes);
  float best = 0;
  for (int i = 0; i < 6; ++i) {
    cudaEventRecord(a);
    cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice);
    cudaEventRecord(b);
    cudaEventSynchronize(b);
    float ms = 0;
    cudaEventElapsedTime(&ms, a, b);
    if (i > 0 && (best == 0 || ms < best)) best = ms;
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  cudaFree(src);
  cudaFree(dst);
  cudaGetLastError();
  return best > 0 ? 2.0 * double(bytes) / (best * 1e-3) / 1e9 : 0;
}

inline std::string nvcc_version() {
  return std::to_string(__CUDACC_VER_MAJOR__) + "." + std::to_string(__CUDACC_VER_MINOR__) +
         "." + std::to_string(__CUDACC_VER_BUILD__);
}

// Writes the `env` object.
inline void write_gpu_env(JsonWriter& w, const GpuInfo& g, const Nvml& nvml) {
  w.key("env").begin_object();
  write_host(w);
  w.key("gpu").begin_object();
  w.kv("name", g.prop.name);
  if (!g.driver.empty()) w.kv("driver", g.driver);
  w.kv("cudaRuntime", cuda_version_text(g.runtime_version));
  w.kv("cudaDriver", cuda_version_text(g.driver_api_version));
  w.kv("computeCapability", std::to_string(g.prop.major) + "." + std::to_string(g.prop.minor));
  w.kv("smCount", g.prop.multiProcessorCount);
  w.kv("memoryBytes", int64_t(g.prop.totalGlobalMem));
  if (g.sm_clock_mhz > 0) w.kv("smClockMaxMHz", g.sm_clock_mhz);
  if (g.mem_clock_mhz > 0) w.kv("memClockMaxMHz", g.mem_clock_mhz);
  if (g.peak_tflops > 0) w.kv("peakTflops", g.peak_tflops);
  if (g.peak_gbps > 0) w.kv("peakGbps", g.peak_gbps);
  if (g.copy_gbps > 0) w.kv("copyGbps", g.copy_gbps);
  w.end_object();
  w.key("compiler").begin_object().kv("name", "nvcc").kv("version", nvcc_version());
  w.kv("flags", ATTNLAB_NVCC_FLAGS).end_object();
  w.key("software").begin_object();
  w.kv("pciBusId", g.pci_bus_id).kv("l2CacheBytes", std::to_string(g.prop.l2CacheSize));
  w.kv("nvml", nvml.ok() ? std::string("ok") : "unavailable: " + nvml.why());
  w.kv("peakNote", "peakTflops: dense f16/bf16 tensor-core peak at the max SM clock, f32 accumulate "
                   "(datasheet arithmetic); peakGbps: 2 x memory clock x bus width; copyGbps: "
                   "measured, best of 5 device-to-device copies of 256 MiB, bytes read + written");
  w.end_object();
  w.end_object();
}

inline void emit_hello(const GpuInfo& g, const Nvml& nvml, const CudaKernel* k,
                       const DeviceProblem* p) {
  JsonWriter w;
  w.begin_object().kv("type", "hello").kv("schema", "attnlab/harness@1").kv("backend", "cuda");
  if (k) {
    w.kv("kernel", k->id).key("kernelParams").begin_object();
    if (p) k->params(w, *p);
    w.end_object();
  }
  write_gpu_env(w, g, nvml);
  w.end_object();
  emit(w);
}

}  // namespace attnlab
