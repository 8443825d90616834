// flash-hopper-v2: flash-hopper with the softmax of tile j overlapped with the P·V of tile j−1
// inside each consumer warpgroup (FlashAttention-3's intra-warpgroup pipelining).
//
// What changes versus flash-hopper: there, a consumer waited for S = Q·Kⱼᵀ, ran the softmax,
// issued P·Vⱼ and waited for it — its tensor cores idle during every softmax unless the other
// warpgroup happened to fill them. Now each iteration issues S = Q·Kⱼᵀ and O += Pⱼ₋₁·Vⱼ₋₁ back
// to back (two wgmma groups), waits only for the first, runs the softmax of tile j while the
// second is still on the tensor cores, then waits for it and rescales O (lazily, as before).
// Registers: S (64 f32) + O (D/2 f32) + P (32 packed) — the same arrays as v1, so the 240
// registers a consumer gets (setmaxnreg) still suffice. Producer, layout and barriers are
// unchanged (flash_hopper_common.cuh).
// Predicted gain: +8–15% at (8, 16, 2048, 128): the softmax (≈ a third of a tile's time on the
// FP32/SFU pipes) moves off the critical path of each warpgroup.
//
// Build alone: as flash_hopper.cu, adding native-runner/cuda/flash_hopper_v2.cu.
// Run alone:   ./flash_hopper --kernel flash-hopper-v2 --batch 8 --heads 16 --seq 2048 --dim 128
// Or in the benchmark: bash native-runner/cuda/bench/run.sh --kernels flash-hopper-v2
#include "flash_hopper_common.cuh"

namespace attnlab {
namespace flash_hopper_v2 {

using namespace flash_hopper;

// Per-thread softmax state and the tile-local pieces of one step.
struct RowState {
  float m[2];  // reference max per row (raw score units), −inf until the first key
  float l[2];  // this thread's share of the row sums
};

// S = Q·Kᵀ for stage s, issued and committed (not waited for).
template <class T, int D>
__device__ __forceinline__ void issue_qk(float (&sacc)[64], uint32_t sQ, uint32_t sK, int s,
                                         int cw) {
  using L = Layout<D>;
  fence_regs(sacc);
  wgmma_fence();
#pragma unroll
  for (int kk = 0; kk < D / 16; ++kk) {
    const uint64_t da =
        make_desc_sw128(sQ + (kk / 4) * L::kQRegion + cw * 64 * 128 + (kk % 4) * 32, 16, 1024);
    const uint64_t db =
        make_desc_sw128(sK + s * L::kKVBytes + (kk / 4) * L::kKVRegion + (kk % 4) * 32, 16, 1024);
    mma_qk<T>(sacc, da, db, kk);
  }
  wgmma_commit();
}

// O += P·V for stage s, issued and committed (not waited for).
template <class T, int D>
__device__ __forceinline__ void issue_pv(float (&oacc)[D / 2], uint32_t (&pa)[kBc / 16][4],
                                         uint32_t sV, int s) {
  using L = Layout<D>;
  fence_regs(oacc);
  fence_u32(pa);
  wgmma_fence();
#pragma unroll
  for (int kk = 0; kk < kBc / 16; ++kk) {
    const uint64_t db = make_desc_sw128(sV + s * L::kKVBytes + kk * 16 * 128, L::kKVRegion, 1024);
    mma_pv<T, D>(oacc, pa[kk], db);
  }
  wgmma_commit();
}

// Softmax of one tile in place (S → P as f32), without touching O: masks, moves the reference
// max when a row grew by more than 2^8 and returns the factor O must then be multiplied by
// (alpha, 1 where nothing moved); `rescale` says whether any row of the warp moved.
template <bool kCausal>
__device__ __forceinline__ bool softmax_tile(float (&sacc)[64], RowState& st, float (&alpha)[2],
                                             int k0, int row0, int wg_row0, int S, float sl2,
                                             int t) {
  if (k0 + kBc > S || (kCausal && k0 + kBc - 1 > wg_row0)) {
#pragma unroll
    for (int i = 0; i < 64; ++i) {
      const int key = k0 + 8 * (i / 4) + 2 * t + (i & 1);
      const int row = row0 + 8 * ((i >> 1) & 1);
      if (key >= S || (kCausal && key > row)) sacc[i] = -INFINITY;
    }
  }
  float mx[2] = {st.m[0], st.m[1]};
#pragma unroll
  for (int i = 0; i < 64; ++i) mx[(i >> 1) & 1] = fmaxf(mx[(i >> 1) & 1], sacc[i]);
  bool grow = false;
#pragma unroll
  for (int r = 0; r < 2; ++r) {
    mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 1));
    mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 2));
    grow |= mx[r] * sl2 > st.m[r] * sl2 + 8.f;
  }
  const bool rescale = __any_sync(0xffffffffu, grow);
  alpha[0] = alpha[1] = 1.f;
  if (rescale) {
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      const float b = mx[r] == -INFINITY ? 0.f : mx[r] * sl2;
      alpha[r] = flash_mma::fast_exp2(st.m[r] * sl2 - b);
      st.m[r] = mx[r];
      st.l[r] *= alpha[r];
    }
  }
  const float base[2] = {st.m[0] == -INFINITY ? 0.f : st.m[0] * sl2,
                         st.m[1] == -INFINITY ? 0.f : st.m[1] * sl2};
#pragma unroll
  for (int i = 0; i < 64; ++i) {
    const float p = flash_mma::fast_exp2(fmaf(sacc[i], sl2, -base[(i >> 1) & 1]));
    sacc[i] = p;
    st.l[(i >> 1) & 1] += p;
  }
  return rescale;
}

// P (f32 in the S accumulators) → wgmma A fragments: k-step kk is registers 8kk … 8kk+7.
template <class T>
__device__ __forceinline__ void pack_p(uint32_t (&pa)[kBc / 16][4], const float (&sacc)[64]) {
#pragma unroll
  for (int kk = 0; kk < kBc / 16; ++kk) {
#pragma unroll
    for (int e = 0; e < 4; ++e)
      pa[kk][e] = flash_mma::pack2<T>(sacc[8 * kk + 2 * e], sacc[8 * kk + 2 * e + 1]);
  }
}

template <class T, int D, bool kCausal>
__device__ __forceinline__ void consume(T* __restrict__ o, uint32_t sQ, uint32_t sK, uint32_t sV,
                                        uint32_t bars, int cw, int q0, int64_t bh, int S,
                                        int n_tiles, float sl2) {
  const int tid = int(threadIdx.x) % 128;
  const int warp = tid / 32, lane = tid % 32, g = lane / 4, t = lane % 4;
  const int wg_row0 = q0 + cw * 64;
  const int row0 = wg_row0 + warp * 16 + g;  // this thread's rows: row0 and row0 + 8

  float oacc[D / 2];
#pragma unroll
  for (int i = 0; i < D / 2; ++i) oacc[i] = 0.f;
  RowState st = {{-INFINITY, -INFINITY}, {0.f, 0.f}};
  float sacc[64];
  uint32_t pa[kBc / 16][4];
  float alpha[2];
  mbar_wait(bar_q(bars), 0);

  // Tile 0: S, softmax, P (O is still zero: nothing to overlap, nothing to rescale).
  mbar_wait(bar_full_k(bars, 0), 0);
  issue_qk<T, D>(sacc, sQ, sK, 0, cw);
  wgmma_wait<0>();
  fence_regs(sacc);
  __syncwarp();
  if (lane == 0) mbar_arrive(bar_empty_k(bars, 0));
  softmax_tile<kCausal>(sacc, st, alpha, 0, row0, wg_row0, S, sl2, t);
  pack_p<T>(pa, sacc);

  for (int j = 1; j < n_tiles; ++j) {
    const int s = j % kStages, sp = (j - 1) % kStages;
    const uint32_t parity = uint32_t((j / kStages) & 1);
    const uint32_t parity_p = uint32_t(((j - 1) / kStages) & 1);
    mbar_wait(bar_full_k(bars, s), parity);
    issue_qk<T, D>(sacc, sQ, sK, s, cw);        // group 1: S = Q·Kⱼᵀ
    mbar_wait(bar_full_v(bars, sp), parity_p);
    issue_pv<T, D>(oacc, pa, sV, sp);           // group 2: O += Pⱼ₋₁·Vⱼ₋₁
    wgmma_wait<1>();                            // S done; P·V still running
    fence_regs(sacc);
    __syncwarp();
    if (lane == 0) mbar_arrive(bar_empty_k(bars, s));
    const bool rescale =
        softmax_tile<kCausal>(sacc, st, alpha, j * kBc, row0, wg_row0, S, sl2, t);
    wgmma_wait<0>();                            // P·V done: O and P may be touched again
    fence_regs(oacc);
    fence_u32(pa);
    __syncwarp();
    if (lane == 0) mbar_arrive(bar_empty_v(bars, sp));
    if (rescale) {
#pragma unroll
      for (int i = 0; i < D / 2; ++i) oacc[i] *= alpha[(i >> 1) & 1];
    }
    pack_p<T>(pa, sacc);
  }

  // Last P·V.
  const int sl = (n_tiles - 1) % kStages;
  mbar_wait(bar_full_v(bars, sl), uint32_t(((n_tiles - 1) / kStages) & 1));
  issue_pv<T, D>(oacc, pa, sV, sl);
  wgmma_wait<0>();
  fence_regs(oacc);
  __syncwarp();
  if (lane == 0) mbar_arrive(bar_empty_v(bars, sl));

  store_rows<T, D>(o, oacc, st.l, bh, S, row0, t);
}

template <class T, int D, bool kCausal>
__global__ void __launch_bounds__(kThreads, 1)
    flash_hopper_v2_kernel(const __grid_constant__ CUtensorMap tq,
                           const __grid_constant__ CUtensorMap tk,
                           const __grid_constant__ CUtensorMap tv, T* __restrict__ o, int S,
                           int num_qb, float sl2) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  using L = Layout<D>;
  extern __shared__ unsigned char smem_raw[];
  const uint32_t base = (smem_u32(smem_raw) + 1023u) & ~1023u;  // swizzle atoms: 1024-aligned
  const uint32_t sQ = base, sK = base + L::kK, sV = base + L::kV, bars = base + L::kBar;
  const int64_t bh = int64_t(blockIdx.x) / num_qb;
  const int qi = int(int64_t(blockIdx.x) % num_qb);
  const int qb = kCausal ? num_qb - 1 - qi : qi;  // causal: heavy blocks first
  const int q0 = qb * kBr;
  const int kv_end = kCausal ? min(S, q0 + kBr) : S;
  const int n_tiles = (kv_end + kBc - 1) / kBc;

  constexpr uint32_t kConsumerWarps = 8;  // arrivals (lane 0 of each consumer warp) free a stage
  if (threadIdx.x == 0) {
    mbar_init(bar_q(bars), 1);
    for (int s = 0; s < kStages; ++s) {
      mbar_init(bar_full_k(bars, s), 1);
      mbar_init(bar_full_v(bars, s), 1);
      mbar_init(bar_empty_k(bars, s), kConsumerWarps);
      mbar_init(bar_empty_v(bars, s), kConsumerWarps);
    }
    mbar_init_fence();
  }
  __syncthreads();

  if (threadIdx.x < 128) {
    regs_dec<24>();
    if (threadIdx.x == 0) produce<D>(&tq, &tk, &tv, sQ, sK, sV, bars, q0, int(bh), n_tiles);
  } else {
    regs_inc<240>();
    consume<T, D, kCausal>(o, sQ, sK, sV, bars, int(threadIdx.x) / 128 - 1, q0, bh, S, n_tiles,
                           sl2);
  }
#endif
}

template <class T, int D, bool kCausal>
void launch_typed(const DeviceProblem& p, cudaStream_t stream) {
  static bool configured = false;
  launch_kernel<T, D>(flash_hopper_v2_kernel<T, D, kCausal>, configured, p, stream);
}

template <class T>
void launch_dtype(const DeviceProblem& p, cudaStream_t stream) {
  if (p.dim == 64) {
    if (p.causal) launch_typed<T, 64, true>(p, stream);
    else launch_typed<T, 64, false>(p, stream);
  } else {
    if (p.causal) launch_typed<T, 128, true>(p, stream);
    else launch_typed<T, 128, false>(p, stream);
  }
}

void launch(const DeviceProblem& p, cudaStream_t stream) {
  check_problem("flash-hopper-v2", p);
  if (p.dtype == Dtype::F16) launch_dtype<__half>(p, stream);
  else launch_dtype<__nv_bfloat16>(p, stream);
}

void params(JsonWriter& w, const DeviceProblem& p) {
  write_params(w, p);
  w.kv("softmaxOverlapsPV", true);
}

const CudaKernel kFlashHopperV2 = {
    "flash-hopper-v2",
    "flash-hopper + softmax of tile j overlapped with P·V of tile j−1 in each warpgroup",
    {Dtype::F16, Dtype::BF16},
    {64, 128},
    true,
    launch,
    params,
};
const RegisterKernel kRegisterFlashHopperV2(&kFlashHopperV2);

}  // namespace flash_hopper_v2
}  // namespace attnlab
