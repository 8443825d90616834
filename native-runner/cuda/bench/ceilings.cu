// Napkin-math ceilings for the benchmark: the rate of mma.sync.m16n8k16 (f16/bf16 in, f32
// accumulate) when a kernel does nothing else. The flash kernels' TFLOP/s is read against it
// (and against torch's matmul, which uses wgmma on Hopper: bench_cuda.py measures that one).
//
// Each warp runs 8 independent accumulator chains (enough to cover the mma latency) for
// `iters` iterations; operands stay in registers, so neither shared memory nor DRAM is touched.
#include <cstdint>

#include "../common.cuh"
#include "../flash_mma.cuh"

namespace {

constexpr int kChains = 8;

template <class T>
__global__ void __launch_bounds__(128) mma_peak_kernel(float* out, int iters, uint32_t seed) {
  uint32_t a[4], b0 = seed * 7u + threadIdx.x, b1 = seed ^ 0x3c003c00u;
#pragma unroll
  for (int i = 0; i < 4; ++i) a[i] = (seed + threadIdx.x * 13u + i) & 0x3bff3bffu;  // small values
  float acc[kChains][4] = {};
  for (int it = 0; it < iters; ++it) {
#pragma unroll
    for (int c = 0; c < kChains; ++c) attnlab::flash_mma::mma16816<T>(acc[c], a, b0, b1);
  }
  float s = 0.f;
#pragma unroll
  for (int c = 0; c < kChains; ++c) s += acc[c][0] + acc[c][1] + acc[c][2] + acc[c][3];
  out[blockIdx.x * blockDim.x + threadIdx.x] = s;  // keeps the work alive
}

}  // namespace

extern "C" {

// Enqueues the mma.sync peak kernel: `blocks` × 128 threads, `iters` iterations.
// dtype 1: f16, 2: bf16. `out` needs blocks·128 floats. Returns the FLOPs it performs, or −1.
double attnlab_mma_peak(int dtype, int blocks, int iters, float* out, void* stream) {
  const auto s = static_cast<cudaStream_t>(stream);
  if (dtype == 1) mma_peak_kernel<__half><<<blocks, 128, 0, s>>>(out, iters, 12345u);
  else if (dtype == 2) mma_peak_kernel<__nv_bfloat16><<<blocks, 128, 0, s>>>(out, iters, 12345u);
  else return -1;
  if (cudaGetLastError() != cudaSuccess) return -1;
  return double(blocks) * 4 /*warps*/ * double(iters) * kChains * (2.0 * 16 * 8 * 16);
}

}  // extern "C"
