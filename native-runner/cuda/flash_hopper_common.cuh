// What flash-hopper and flash-hopper-v2 share: tile constants, the shared-memory layout and its
// mbarriers, the wgmma dispatch by dtype, the TMA producer, and the host side (availability
// check, tensor maps, launch). Each kernel version's .cu file holds only its consumer loop.
#pragma once

#include <cuda.h>
#include <cudaTypedefs.h>

#include <string>
#include <type_traits>

#include "common.cuh"
#include "flash_hopper.cuh"
#include "flash_hopper_wgmma.cuh"
#include "flash_mma.cuh"

namespace attnlab {
namespace flash_hopper {

constexpr int kBr = 128;      // query rows per block (2 consumer warpgroups × 64)
constexpr int kBc = 128;      // keys per K/V tile
constexpr int kStages = 2;    // K/V shared-memory stages
constexpr int kThreads = 384; // producer warpgroup + 2 consumer warpgroups

// Shared-memory layout. A tile of R rows × D columns is D/64 regions of R × 128 bytes (one TMA
// box each, 128-byte swizzle); every region starts on a 1024-byte boundary.
template <int D>
struct Layout {
  static constexpr int kRegions = D / 64;
  static constexpr int kQRegion = kBr * 128;
  static constexpr int kKVRegion = kBc * 128;
  static constexpr int kQBytes = kRegions * kQRegion;
  static constexpr int kKVBytes = kRegions * kKVRegion;
  static constexpr int kK = kQBytes;
  static constexpr int kV = kK + kStages * kKVBytes;
  static constexpr int kBar = kV + kStages * kKVBytes;
  static constexpr int kSmemBytes = kBar + 128 + 1024;  // barriers + alignment slack
};

// mbarriers, 8 bytes each: Q, then per stage full K, full V, empty K, empty V.
__device__ __forceinline__ uint32_t bar_q(uint32_t b) { return b; }
__device__ __forceinline__ uint32_t bar_full_k(uint32_t b, int s) { return b + 8 + 8 * s; }
__device__ __forceinline__ uint32_t bar_full_v(uint32_t b, int s) { return b + 24 + 8 * s; }
__device__ __forceinline__ uint32_t bar_empty_k(uint32_t b, int s) { return b + 40 + 8 * s; }
__device__ __forceinline__ uint32_t bar_empty_v(uint32_t b, int s) { return b + 56 + 8 * s; }

template <class T>
__device__ __forceinline__ void mma_qk(float (&s)[64], uint64_t da, uint64_t db, int scale_d) {
  if constexpr (std::is_same_v<T, __half>) wgmma_m64n128k16_ss_f16(s, da, db, scale_d);
  else wgmma_m64n128k16_ss_bf16(s, da, db, scale_d);
}
template <class T, int D>
__device__ __forceinline__ void mma_pv(float (&o)[D / 2], const uint32_t (&a)[4], uint64_t db) {
  if constexpr (D == 128) {
    if constexpr (std::is_same_v<T, __half>) wgmma_m64n128k16_rs_f16(o, a, db);
    else wgmma_m64n128k16_rs_bf16(o, a, db);
  } else {
    if constexpr (std::is_same_v<T, __half>) wgmma_m64n64k16_rs_f16(o, a, db);
    else wgmma_m64n64k16_rs_bf16(o, a, db);
  }
}
template <int N>
__device__ __forceinline__ void fence_u32(uint32_t (&r)[N][4]) {
#pragma unroll
  for (int i = 0; i < N; ++i)
#pragma unroll
    for (int e = 0; e < 4; ++e) asm volatile("" : "+r"(r[i][e])::"memory");
}

// Producer: one thread issues every TMA load of the block.
template <int D>
__device__ __forceinline__ void produce(const CUtensorMap* tq, const CUtensorMap* tk,
                                        const CUtensorMap* tv, uint32_t sQ, uint32_t sK,
                                        uint32_t sV, uint32_t bars, int q0, int bh, int n_tiles) {
  using L = Layout<D>;
  tma_prefetch_map(tq);
  tma_prefetch_map(tk);
  tma_prefetch_map(tv);
  mbar_expect_tx(bar_q(bars), L::kQBytes);
#pragma unroll
  for (int r = 0; r < L::kRegions; ++r) tma_load_3d(sQ + r * L::kQRegion, tq, bar_q(bars), r * 64, q0, bh);
  for (int j = 0; j < n_tiles; ++j) {
    const int s = j % kStages;
    const uint32_t free_parity = uint32_t((j / kStages - 1) & 1);
    if (j >= kStages) mbar_wait(bar_empty_k(bars, s), free_parity);
    mbar_expect_tx(bar_full_k(bars, s), L::kKVBytes);
#pragma unroll
    for (int r = 0; r < L::kRegions; ++r)
      tma_load_3d(sK + s * L::kKVBytes + r * L::kKVRegion, tk, bar_full_k(bars, s), r * 64,
                  j * kBc, bh);
    if (j >= kStages) mbar_wait(bar_empty_v(bars, s), free_parity);
    mbar_expect_tx(bar_full_v(bars, s), L::kKVBytes);
#pragma unroll
    for (int r = 0; r < L::kRegions; ++r)
      tma_load_3d(sV + s * L::kKVBytes + r * L::kKVRegion, tv, bar_full_v(bars, s), r * 64,
                  j * kBc, bh);
  }
}

// Epilogue of a consumer thread: its rows row0 and row0 + 8 (row sums l spread over the quad,
// t = lane % 4) normalised and stored as packed pairs, rows past S skipped.
template <class T, int D>
__device__ __forceinline__ void store_rows(T* __restrict__ o, const float (&oacc)[D / 2],
                                           const float (&l)[2], int64_t bh, int S, int row0,
                                           int t) {
  float inv[2];
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    float total = l[r];
    total += __shfl_xor_sync(0xffffffffu, total, 1);
    total += __shfl_xor_sync(0xffffffffu, total, 2);
    inv[r] = total > 0.f ? 1.f / total : 0.f;
  }
  T* oh = o + bh * int64_t(S) * D;
#pragma unroll
  for (int jn = 0; jn < D / 8; ++jn) {
    const int col = 8 * jn + 2 * t;
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      const int row = row0 + 8 * r;
      if (row < S) {
        *reinterpret_cast<uint32_t*>(oh + int64_t(row) * D + col) = flash_mma::pack2<T>(
            oacc[4 * jn + 2 * r] * inv[r], oacc[4 * jn + 2 * r + 1] * inv[r]);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Host side (defined in flash_hopper.cu).

// True when the current device is sm_90 and this build carries sm_90a code (checked once).
bool available();
// A 3-D map over a [B·H, S, D] tensor: boxes of 64 columns × `rows` rows of one head, 128-byte
// swizzle, zero fill outside the head.
CUtensorMap make_map(const void* ptr, Dtype dt, int64_t bh, int64_t s, int64_t d, int rows);
// Validates a problem for the Hopper kernels; throws HarnessError naming the field.
void check_problem(const char* id, const DeviceProblem& p);

// Launches a Hopper kernel instantiation (raising its shared-memory limit on first use).
template <class T, int D, class Kernel>
void launch_kernel(Kernel kernel, bool& configured, const DeviceProblem& p, cudaStream_t stream) {
  if (!configured) {
    CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                    Layout<D>::kSmemBytes));
    configured = true;
  }
  const int64_t bh = p.batch * p.heads;
  const int num_qb = int((p.seq + kBr - 1) / kBr);
  if (bh * num_qb > 0x7fffffffLL) {
    throw HarnessError("too-large-for-device", "flash-hopper: grid exceeds 2^31−1 blocks");
  }
  const CUtensorMap tq = make_map(p.q, p.dtype, bh, p.seq, D, kBr);
  const CUtensorMap tk = make_map(p.k, p.dtype, bh, p.seq, D, kBc);
  const CUtensorMap tv = make_map(p.v, p.dtype, bh, p.seq, D, kBc);
  const float sl2 = p.scale * 1.4426950408889634f;
  kernel<<<dim3(unsigned(bh * num_qb)), kThreads, Layout<D>::kSmemBytes, stream>>>(
      tq, tk, tv, static_cast<T*>(p.o), int(p.seq), num_qb, sl2);
  CUDA_CHECK_LAUNCH();
}

// Kernel parameters shared by the Hopper versions.
inline void write_params(JsonWriter& w, const DeviceProblem& p) {
  const int smem = p.dim == 64 ? Layout<64>::kSmemBytes : Layout<128>::kSmemBytes;
  w.kv("blockRows", kBr).kv("tileKeys", kBc).kv("stages", kStages).kv("threads", kThreads);
  w.kv("producerWarpgroups", 1).kv("consumerWarpgroups", 2).kv("smemBytes", smem);
  w.kv("mma", "wgmma.m64n128k16").kv("loads", "TMA 128B swizzle").kv("lazyRescale", true);
  w.kv("accumulate", "f32");
}

}  // namespace flash_hopper
}  // namespace attnlab
