// CPU attention kernels (f32, OpenMP over all cores). Q, O [B, H, S, D] and K, V [B, Hkv, Skv, D]
// contiguous; query head h reads KV head h·Hkv/H. Causal with S ≠ Skv is aligned bottom-right
// (query i sees keys j ≤ i + Skv − S); a row that sees no key is written as zeros.
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
  int64_t group;   // H / Hkv: query heads per KV head (1: plain multi-head)
  int64_t kv_seq;  // Skv

  // Offset (in elements) of the K/V head that query head `bh` (= b·H + h) reads.
  int64_t kv_offset(int64_t bh) const { return (bh / group) * kv_seq * dim; }
  // One past the last key query row i sees.
  int64_t key_end(int64_t i) const {
    if (!causal) return kv_seq;
    const int64_t end = i + kv_seq - seq + 1;
    return end < 0 ? 0 : end > kv_seq ? kv_seq : end;
  }
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
