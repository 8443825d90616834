// flash-hopper: the Hopper path (sm_90a) — TMA loads, wgmma tensor cores, warp specialisation.
//
// What changes versus flash-v5 (the portable mma.sync kernel):
//   - wgmma.mma_async: a warpgroup (4 warps) issues 64×128×16 products that read Q and K straight
//     from shared memory through descriptors — no ldmatrix, no per-warp B-fragment traffic (the
//     shared-memory ceiling that bounds mma.sync at 16–32 rows per warp is gone), and the
//     tensor cores run at their Hopper rate (the benchmark measures matmul and mma.sync ceilings);
//   - P·V: P stays in registers as wgmma's A operand (the S accumulator layout is the A fragment
//     layout), V is read from shared memory MN-major (imm-trans-b);
//   - TMA (cp.async.bulk.tensor) brings Q, K and V tiles into 128-byte-swizzled shared memory,
//     completing on mbarriers; zero fill past the end of each head comes free with a 3-D map;
//   - warp specialisation: warpgroup 0 is the producer (one thread issues every TMA; the group
//     gives its registers away with setmaxnreg.dec), warpgroups 1 and 2 are consumers with 64
//     query rows each (setmaxnreg.inc to 240). K/V go through 2 stages with full/empty barriers,
//     so loads run ahead of the math and the two consumers overlap each other's softmax;
//   - softmax as in v5: exp2 with the scale folded into an FFMA, lazy rescale of O.
// Block: 128 query rows, K/V tiles of 128 keys, D ∈ {64, 128}, f16/bf16.
// Predicted: 450–550 TFLOP/s at (8, 16, 2048, 128) — no intra-warpgroup overlap of softmax with
// the next tile's Q·Kᵀ yet (FlashAttention-3's third step), so roughly its no-pingpong figure.
//
// Build alone (sm_90a only; the harness rejects the kernel on other targets):
//   nvcc -O3 -std=c++17 -gencode arch=compute_90a,code=sm_90a -Xcompiler -fopenmp \
//     -o flash_hopper native-runner/cuda/harness.cu native-runner/cuda/naive_f32.cu \
//     native-runner/cuda/flash_hopper.cu -ldl
// Run alone:   ./flash_hopper --kernel flash-hopper --batch 8 --heads 16 --seq 2048 --dim 128 \
//                --dtype f16
// Or in the benchmark: bash native-runner/cuda/bench/run.sh --kernels flash-hopper
#include "flash_hopper_common.cuh"

namespace attnlab {
namespace flash_hopper {

// Consumer warpgroup `cw` (0 or 1): query rows q0 + 64·cw … +63.
template <class T, int D, bool kCausal>
__device__ __forceinline__ void consume(T* __restrict__ o, uint32_t sQ, uint32_t sK, uint32_t sV,
                                        uint32_t bars, int cw, int q0, int64_t bh, int S,
                                        int n_tiles, float sl2) {
  using L = Layout<D>;
  const int tid = int(threadIdx.x) % 128;
  const int warp = tid / 32, lane = tid % 32, g = lane / 4, t = lane % 4;
  const int wg_row0 = q0 + cw * 64;
  const int row0 = wg_row0 + warp * 16 + g;  // this thread's rows: row0 and row0 + 8

  float oacc[D / 2];
#pragma unroll
  for (int i = 0; i < D / 2; ++i) oacc[i] = 0.f;
  float m[2] = {-INFINITY, -INFINITY};
  float l[2] = {0.f, 0.f};
  mbar_wait(bar_q(bars), 0);

  for (int j = 0; j < n_tiles; ++j) {
    const int s = j % kStages;
    const uint32_t parity = uint32_t((j / kStages) & 1);
    const int k0 = j * kBc;

    // S = Q·Kᵀ (64 × 128 per warpgroup), D/16 wgmma k-steps; k-step kk is 32 bytes into the
    // 128-byte swizzled rows of region kk/4.
    float sacc[64];
    mbar_wait(bar_full_k(bars, s), parity);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < D / 16; ++kk) {
      const uint64_t da = make_desc_sw128(
          sQ + (kk / 4) * L::kQRegion + cw * 64 * 128 + (kk % 4) * 32, 16, 1024);
      const uint64_t db =
          make_desc_sw128(sK + s * L::kKVBytes + (kk / 4) * L::kKVRegion + (kk % 4) * 32, 16, 1024);
      mma_qk<T>(sacc, da, db, kk);
    }
    wgmma_commit();
    wgmma_wait<0>();
    fence_regs(sacc);
    __syncwarp();
    if (lane == 0) mbar_arrive(bar_empty_k(bars, s));

    // Mask (diagonal and tail tiles only), row max over the quad, lazy rescale, P = exp2.
    if (k0 + kBc > S || (kCausal && k0 + kBc - 1 > wg_row0)) {
#pragma unroll
      for (int i = 0; i < 64; ++i) {
        const int key = k0 + 8 * (i / 4) + 2 * t + (i & 1);
        const int row = row0 + 8 * ((i >> 1) & 1);
        if (key >= S || (kCausal && key > row)) sacc[i] = -INFINITY;
      }
    }
    float mx[2] = {m[0], m[1]};
#pragma unroll
    for (int i = 0; i < 64; ++i) mx[(i >> 1) & 1] = fmaxf(mx[(i >> 1) & 1], sacc[i]);
    bool grow = false;
#pragma unroll
    for (int r = 0; r < 2; ++r) {
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 1));
      mx[r] = fmaxf(mx[r], __shfl_xor_sync(0xffffffffu, mx[r], 2));
      grow |= mx[r] * sl2 > m[r] * sl2 + 8.f;
    }
    if (__any_sync(0xffffffffu, grow)) {  // per warp: a warp owns its 16 rows of O
      float alpha[2];
#pragma unroll
      for (int r = 0; r < 2; ++r) {
        const float b = mx[r] == -INFINITY ? 0.f : mx[r] * sl2;
        alpha[r] = flash_mma::fast_exp2(m[r] * sl2 - b);
        m[r] = mx[r];
        l[r] *= alpha[r];
      }
#pragma unroll
      for (int i = 0; i < D / 2; ++i) oacc[i] *= alpha[(i >> 1) & 1];
    }
    const float base[2] = {m[0] == -INFINITY ? 0.f : m[0] * sl2,
                           m[1] == -INFINITY ? 0.f : m[1] * sl2};
    uint32_t pa[kBc / 16][4];
#pragma unroll
    for (int kk = 0; kk < kBc / 16; ++kk) {
      float p[8];
#pragma unroll
      for (int e = 0; e < 8; ++e) {
        p[e] = flash_mma::fast_exp2(fmaf(sacc[8 * kk + e], sl2, -base[(e >> 1) & 1]));
        l[(e >> 1) & 1] += p[e];
      }
      pa[kk][0] = flash_mma::pack2<T>(p[0], p[1]);
      pa[kk][1] = flash_mma::pack2<T>(p[2], p[3]);
      pa[kk][2] = flash_mma::pack2<T>(p[4], p[5]);
      pa[kk][3] = flash_mma::pack2<T>(p[6], p[7]);
    }

    // O += P·V: A = P from registers, B = V (MN-major) — 16 keys per k-step = 2048 bytes.
    mbar_wait(bar_full_v(bars, s), parity);
    fence_regs(oacc);
    fence_u32(pa);
    wgmma_fence();
#pragma unroll
    for (int kk = 0; kk < kBc / 16; ++kk) {
      const uint64_t db =
          make_desc_sw128(sV + s * L::kKVBytes + kk * 16 * 128, L::kKVRegion, 1024);
      mma_pv<T, D>(oacc, pa[kk], db);
    }
    wgmma_commit();
    wgmma_wait<0>();
    fence_regs(oacc);
    __syncwarp();
    if (lane == 0) mbar_arrive(bar_empty_v(bars, s));
  }

  store_rows<T, D>(o, oacc, l, bh, S, row0, t);
}

template <class T, int D, bool kCausal>
__global__ void __launch_bounds__(kThreads, 1)
    flash_hopper_kernel(const __grid_constant__ CUtensorMap tq,
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

// ---------------------------------------------------------------------------------------------
// Host side: availability, tensor maps (shared with flash-hopper-v2), launch.
namespace {

__global__ void sm90a_probe(int* flag) {
#if defined(__CUDA_ARCH_FEAT_SM90_ALL)
  *flag = 1;
#else
  *flag = 0;
#endif
}

PFN_cuTensorMapEncodeTiled_v12000 encode_fn() {
  static PFN_cuTensorMapEncodeTiled_v12000 fn = nullptr;
  if (fn == nullptr) {
    void* p = nullptr;
    cudaDriverEntryPointQueryResult q = cudaDriverEntryPointSymbolNotFound;
    CUDA_CHECK(cudaGetDriverEntryPointByVersion("cuTensorMapEncodeTiled", &p, 12000,
                                                cudaEnableDefault, &q));
    if (q != cudaDriverEntryPointSuccess || p == nullptr) {
      throw HarnessError("unsupported", "flash-hopper: the driver has no cuTensorMapEncodeTiled");
    }
    fn = reinterpret_cast<PFN_cuTensorMapEncodeTiled_v12000>(p);
  }
  return fn;
}

}  // namespace

bool available() {
  static int cached = -1;
  if (cached >= 0) return cached == 1;
  int dev = 0, major = 0;
  CUDA_CHECK(cudaGetDevice(&dev));
  CUDA_CHECK(cudaDeviceGetAttribute(&major, cudaDevAttrComputeCapabilityMajor, dev));
  int ok = 0;
  if (major == 9) {
    int* flag = nullptr;
    CUDA_CHECK(cudaMalloc(&flag, sizeof(int)));
    sm90a_probe<<<1, 1>>>(flag);
    const cudaError_t launched = cudaGetLastError();  // no sm_90 image: not available
    if (launched == cudaSuccess) {
      CUDA_CHECK(cudaMemcpy(&ok, flag, sizeof(int), cudaMemcpyDeviceToHost));
    }
    CUDA_CHECK(cudaFree(flag));
  }
  cached = ok;
  return ok == 1;
}

CUtensorMap make_map(const void* ptr, Dtype dt, int64_t bh, int64_t s, int64_t d, int rows) {
  CUtensorMap map;
  const cuuint64_t dims[3] = {cuuint64_t(d), cuuint64_t(s), cuuint64_t(bh)};
  const cuuint64_t strides[2] = {cuuint64_t(d * 2), cuuint64_t(s * d * 2)};
  const cuuint32_t box[3] = {64, cuuint32_t(rows), 1};
  const cuuint32_t elem[3] = {1, 1, 1};
  const CUresult r = encode_fn()(
      &map, dt == Dtype::F16 ? CU_TENSOR_MAP_DATA_TYPE_FLOAT16 : CU_TENSOR_MAP_DATA_TYPE_BFLOAT16,
      3, const_cast<void*>(ptr), dims, strides, box, elem, CU_TENSOR_MAP_INTERLEAVE_NONE,
      CU_TENSOR_MAP_SWIZZLE_128B, CU_TENSOR_MAP_L2_PROMOTION_L2_256B,
      CU_TENSOR_MAP_FLOAT_OOB_FILL_NONE);
  if (r != CUDA_SUCCESS) {
    throw HarnessError("cuda-error", "flash-hopper: cuTensorMapEncodeTiled failed (CUresult " +
                                         std::to_string(int(r)) + ")");
  }
  return map;
}

void check_problem(const char* id, const DeviceProblem& p) {
  if (p.dtype == Dtype::F32) {
    throw HarnessError("unsupported", std::string("--dtype: ") + id +
                                          " supports f16 and bf16 (got f32)");
  }
  if (p.dim != 64 && p.dim != 128) {
    throw HarnessError("unsupported", std::string("--dim: ") + id +
                                          " supports head dims 64 and 128 (got " +
                                          std::to_string(p.dim) + ")");
  }
  if (!available()) {
    throw HarnessError("unsupported", std::string(id) +
                                          " needs an sm_90 GPU and a build with "
                                          "-gencode arch=compute_90a,code=sm_90a");
  }
}

template <class T, int D, bool kCausal>
void launch_typed(const DeviceProblem& p, cudaStream_t stream) {
  static bool configured = false;
  launch_kernel<T, D>(flash_hopper_kernel<T, D, kCausal>, configured, p, stream);
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
  check_problem("flash-hopper", p);
  if (p.dtype == Dtype::F16) launch_dtype<__half>(p, stream);
  else launch_dtype<__nv_bfloat16>(p, stream);
}

void params(JsonWriter& w, const DeviceProblem& p) { write_params(w, p); }

const CudaKernel kFlashHopper = {
    "flash-hopper",
    "Hopper: TMA + mbarrier pipeline, wgmma (P in registers), producer/consumer warpgroups",
    {Dtype::F16, Dtype::BF16},
    {64, 128},
    true,
    launch,
    params,
};
const RegisterKernel kRegisterFlashHopper(&kFlashHopper);

}  // namespace flash_hopper
}  // namespace attnlab
