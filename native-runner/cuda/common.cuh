// Shared by the CUDA harness and every kernel file: error checks, element types, the problem
// description a kernel receives, and the kernel registry (each .cu registers its kernels with a
// static `RegisterKernel`, so a harness built from harness.cu + a subset of kernel files offers
// exactly those kernels).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../cpu/harness_common.hpp"

namespace attnlab {

// Every CUDA call goes through CUDA_CHECK; every launch is followed by CUDA_CHECK_LAUNCH.
#define CUDA_CHECK(call)                                                                     \
  do {                                                                                       \
    cudaError_t err_ = (call);                                                               \
    if (err_ != cudaSuccess) {                                                               \
      throw ::attnlab::HarnessError(err_ == cudaErrorMemoryAllocation ? "too-large-for-device" \
                                                                      : "cuda-error",        \
                                    std::string(#call) + " failed at " + __FILE__ + ":" +    \
                                        std::to_string(__LINE__) + ": " +                    \
                                        cudaGetErrorName(err_) + " (" +                      \
                                        cudaGetErrorString(err_) + ")");                     \
    }                                                                                        \
  } while (0)

#define CUDA_CHECK_LAUNCH() CUDA_CHECK(cudaGetLastError())

// What a kernel gets: device pointers to Q, O ([B, H, S, D] contiguous, element type `dtype`;
// O is f32 for naive-f32), K, V ([B, Hkv, Skv, D] contiguous) and the shape. kv_heads and kv_seq
// are 0 for the square problem (Hkv = H, Skv = S). Query head h reads KV head h·Hkv/H; causal
// with S ≠ Skv is aligned bottom-right: query i sees keys j ≤ i + Skv − S (FlashAttention ≥ 2.1),
// and a row that sees no key outputs zeros.
struct DeviceProblem {
  const void* q;
  const void* k;
  const void* v;
  void* o;
  int64_t batch, heads, seq, dim;
  bool causal;
  float scale;
  Dtype dtype;
  int64_t kv_heads = 0;  // 0: heads
  int64_t kv_seq = 0;    // 0: seq

  int64_t hkv() const { return kv_heads > 0 ? kv_heads : heads; }
  int64_t skv() const { return kv_seq > 0 ? kv_seq : seq; }
  // True when K/V are not [B, H, S, D]: grouped-query heads or S ≠ Skv.
  bool kv_shaped() const { return hkv() != heads || skv() != seq; }
};

// A kernel version the harness can check and time.
struct CudaKernel {
  const char* id;
  const char* description;
  std::vector<Dtype> dtypes;
  std::vector<int> head_dims;  // empty: any multiple of 8 in 8..256
  bool causal;
  // Enqueues one forward pass on `stream` (and checks the launch).
  void (*launch)(const DeviceProblem&, cudaStream_t stream);
  // Writes the kernel parameters chosen for this problem (tile sizes, threads) as JSON fields.
  void (*params)(JsonWriter&, const DeviceProblem&);
  // For a problem with grouped-query heads or S ≠ Skv (DeviceProblem::kv_shaped): nullptr when
  // the kernel handles it, else why not. A kernel that leaves this unset handles only the square
  // problem (see kv_refusal below).
  const char* (*kv_support)(const DeviceProblem&) = nullptr;

  bool supports_dtype(Dtype d) const {
    for (Dtype x : dtypes)
      if (x == d) return true;
    return false;
  }
  bool supports_dim(int64_t d) const {
    if (head_dims.empty()) return d % 8 == 0 && d >= 8 && d <= 256;
    for (int x : head_dims)
      if (x == d) return true;
    return false;
  }
};

// Why kernel k cannot run problem p's K/V shape, or "" when it can (every kernel runs the square
// problem).
inline std::string kv_refusal(const CudaKernel& k, const DeviceProblem& p) {
  if (!p.kv_shaped()) return "";
  if (!k.kv_support) {
    return std::string(k.id) + " handles only kvHeads = heads and kvSeqLen = seqLen (its K/V "
           "indexing and causal mask assume the square problem)";
  }
  const char* why = k.kv_support(p);
  return why ? std::string(k.id) + ": " + why : "";
}

inline std::vector<const CudaKernel*>& kernel_registry() {
  static std::vector<const CudaKernel*> kernels;
  return kernels;
}

struct RegisterKernel {
  explicit RegisterKernel(const CudaKernel* k) { kernel_registry().push_back(k); }
};

// The fp32 reference: the naive kernel reading Q, K, V of any dtype and writing f32 O. Used by
// the correctness check of every other kernel (defined in naive_f32.cu).
void launch_reference_f32(const DeviceProblem& p, float* o, cudaStream_t stream);

// Element conversions used by the kernels and the host.
__host__ __device__ inline float to_float(float x) { return x; }
__host__ __device__ inline float to_float(__half x) { return __half2float(x); }
__host__ __device__ inline float to_float(__nv_bfloat16 x) { return __bfloat162float(x); }

}  // namespace attnlab
