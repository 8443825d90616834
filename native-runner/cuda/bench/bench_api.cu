// A tiny C API over the CUDA kernel registry, so that a benchmark in another language (Python,
// through ctypes: bench_cuda.py) can list the kernel versions and launch any of them on device
// buffers it owns. Built with the kernel files into one shared library by build.sh.
//
// Every function returns 0 on success; on failure a negative code and a message in `err`
// (the HarnessError code and text, or the CUDA error). Nothing throws across the C boundary.
#include <algorithm>
#include <cstring>
#include <exception>
#include <string>

#include "../common.cuh"

using attnlab::CudaKernel;
using attnlab::DeviceProblem;
using attnlab::Dtype;
using attnlab::HarnessError;
using attnlab::JsonWriter;

namespace {

void put(char* buf, int cap, const std::string& s) {
  if (buf == nullptr || cap <= 0) return;
  const size_t n = std::min(size_t(cap - 1), s.size());
  std::memcpy(buf, s.data(), n);
  buf[n] = '\0';
}

const CudaKernel* kernel_at(int i) {
  const auto& reg = attnlab::kernel_registry();
  return i >= 0 && size_t(i) < reg.size() ? reg[size_t(i)] : nullptr;
}

bool dtype_from(int code, Dtype& d) {
  if (code == 0) d = Dtype::F32;
  else if (code == 1) d = Dtype::F16;
  else if (code == 2) d = Dtype::BF16;
  else return false;
  return true;
}

}  // namespace

extern "C" {

// Number of registered kernels.
int attnlab_kernel_count() { return int(attnlab::kernel_registry().size()); }

// Id and description of kernel i (null when i is out of range).
const char* attnlab_kernel_id(int i) {
  const CudaKernel* k = kernel_at(i);
  return k ? k->id : nullptr;
}
const char* attnlab_kernel_description(int i) {
  const CudaKernel* k = kernel_at(i);
  return k ? k->description : nullptr;
}

// 1 when kernel i supports dtype (0 f32, 1 f16, 2 bf16), head dim and causality; else 0.
int attnlab_kernel_supports(int i, int dtype, int dim, int causal) {
  const CudaKernel* k = kernel_at(i);
  Dtype d;
  if (!k || !dtype_from(dtype, d)) return 0;
  return k->supports_dtype(d) && k->supports_dim(dim) && (!causal || k->causal) ? 1 : 0;
}

// Kernel i's parameters for this problem as a JSON object in `out`.
int attnlab_kernel_params(int i, long long b, long long h, long long s, long long d, int causal,
                          int dtype, char* out, int cap) {
  const CudaKernel* k = kernel_at(i);
  Dtype dt;
  if (!k || !dtype_from(dtype, dt)) {
    put(out, cap, "{}");
    return -1;
  }
  try {
    DeviceProblem p{nullptr, nullptr, nullptr, nullptr, b, h, s, d, causal != 0, 0.f, dt};
    JsonWriter w;
    w.begin_object();
    k->params(w, p);
    w.end_object();
    put(out, cap, w.str());
    return 0;
  } catch (const std::exception& e) {
    put(out, cap, "{}");
    return -2;
  }
}

// Enqueues one forward pass of kernel i on `stream` (a cudaStream_t; 0 for the legacy stream).
// q, k, v, o: device pointers to [b, h, s, d] contiguous tensors of the dtype.
int attnlab_launch(int i, const void* q, const void* k, const void* v, void* o, long long b,
                   long long h, long long s, long long d, int causal, float scale, int dtype,
                   void* stream, char* err, int cap) {
  const CudaKernel* kern = kernel_at(i);
  Dtype dt;
  if (!kern) {
    put(err, cap, "kernel index " + std::to_string(i) + " out of range");
    return -1;
  }
  if (!dtype_from(dtype, dt)) {
    put(err, cap, "dtype: must be 0 (f32), 1 (f16) or 2 (bf16), got " + std::to_string(dtype));
    return -1;
  }
  if (!kern->supports_dtype(dt) || !kern->supports_dim(d) || (causal && !kern->causal)) {
    put(err, cap, std::string(kern->id) + " does not support dtype " + attnlab::dtype_name(dt) +
                      ", head dim " + std::to_string(d) + (causal ? ", causal" : ""));
    return -3;
  }
  try {
    DeviceProblem p{q, k, v, o, b, h, s, d, causal != 0, scale, dt};
    kern->launch(p, static_cast<cudaStream_t>(stream));
    return 0;
  } catch (const HarnessError& e) {
    put(err, cap, e.code + ": " + e.what());
    return -2;
  } catch (const std::exception& e) {
    put(err, cap, std::string("error: ") + e.what());
    return -2;
  }
}

}  // extern "C"
