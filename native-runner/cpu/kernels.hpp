// CPU attention kernels (f32, OpenMP over all cores). Tensors [B, H, S, D] contiguous.
#pragma once

#include <cstdint>

namespace attnlab {

// Problem shape and softmax scale for a CPU kernel.
struct CpuProblem {
  int64_t bh;     // B·H
  int64_t seq;    // S
  int64_t dim;    // D
  bool causal;
  float scale;
};

// A CPU kernel: O = softmax(Q·Kᵀ·scale)·V.
using CpuKernelFn = void (*)(const CpuProblem&, const float* q, const float* k, const float* v,
                             float* o);

struct CpuKernel {
  const char* id;
  const char* description;
  CpuKernelFn fn;
  int tile_rows;  // query rows per task (kernel parameter, reported in hello)
  int tile_cols;  // keys per tile
};

// One row at a time: scores for the whole row in a buffer, softmax, then P·V.
void cpu_naive_f32(const CpuProblem& p, const float* q, const float* k, const float* v, float* o);

// FlashAttention-style tiling: blocks of query rows against tiles of keys with an online
// softmax, so the working set stays in L1/L2 and the inner loops vectorise.
void cpu_flash_f32(const CpuProblem& p, const float* q, const float* k, const float* v, float* o);

// The kernels this harness offers.
const CpuKernel* cpu_kernels(int* count);

}  // namespace attnlab
