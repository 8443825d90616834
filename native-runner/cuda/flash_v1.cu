// flash-v1: FlashAttention-2-style forward pass on tensor cores through mma.sync.m16n8k16,
// fp16 or bf16 in, fp32 accumulation, fp16/bf16 out.
//
// What this version does (versus naive-f32):
//   - a block of 4 warps owns 64 query rows; each warp keeps its 16 rows of Q in registers as
//     mma A fragments for the whole run;
//   - K and V stream through shared memory in 64-key tiles (V stored transposed so every B
//     fragment is one 32-bit shared load; rows padded by 8 elements: no bank conflicts);
//   - S = Q·Kᵀ on tensor cores; online softmax in registers in the log2 domain, with
//     log2(e)·scale folded into one multiply and exp2; the S accumulators are re-packed in
//     registers as the A fragments of P·V (no trip through shared memory);
//   - causal: tiles past the block's last row are skipped, the diagonal tile is masked per
//     element; any S: tails of Q and K/V tiles are zero-filled and masked;
//   - D ∈ {32, 64, 128}; heavy causal blocks are scheduled first;
//   - grouped-query heads (query head h reads KV head h·Hkv/H through the K/V pointers, no copy)
//     and S ≠ Skv with bottom-right causal (issue 14).
// Not yet: cp.async double buffering, ldmatrix, warp specialisation, wgmma/TMA (Hopper).
// The algorithm lives in flash_v1.cuh (shared with the host emulator emulate_flash.cu).
//
// Build alone (harness + reference + this kernel):
//   nvcc -O3 -std=c++17 -arch=sm_90 -Xcompiler -fopenmp -o flash_v1 \
//     native-runner/cuda/harness.cu native-runner/cuda/naive_f32.cu \
//     native-runner/cuda/flash_v1.cu -ldl
// Run alone:
//   ./flash_v1 --selftest
//   ./flash_v1 --kernel flash-v1 --batch 8 --heads 16 --seq 2048 --dim 128 --dtype f16 \
//     --causal 1 --iterations 100
#include <type_traits>

#include "common.cuh"
#include "flash_mma.cuh"
#include "flash_v1.cuh"

namespace attnlab {
namespace flash_v1 {

// The GPU side of the ops interface attention_block is written against.
struct DeviceOps {
  __device__ int thread() const { return int(threadIdx.x); }
  __device__ void sync() const { __syncthreads(); }
  __device__ float shfl_xor(float x, int mask) const {
    return __shfl_xor_sync(0xffffffffu, x, mask);
  }
  __device__ float exp2(float x) const { return exp2f(x); }

  template <class T>
  __device__ uint32_t pack(float lo, float hi) const {
    if constexpr (std::is_same_v<T, __half>) {
      __half2 h = __floats2half2_rn(lo, hi);  // .x (low 16 bits) = lo
      return *reinterpret_cast<uint32_t*>(&h);
    } else {
      __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
      return *reinterpret_cast<uint32_t*>(&h);
    }
  }

  template <class T>
  __device__ void store_pair(T* p, uint32_t x) const {
    *reinterpret_cast<uint32_t*>(p) = x;
  }

  // d += a·b on one m16n8k16 tile (fp32 accumulators): the mma.sync helper of flash_mma.cuh.
  template <class T>
  __device__ void mma(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) const {
    flash_mma::mma16816<T>(d, a, b0, b1);
  }
};

template <class T, int D, bool kCausal>
__global__ void __launch_bounds__(kThreads)
    flash_v1_kernel(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                    T* __restrict__ o, int S, float scale_log2, int H, int Hkv, int Skv) {
  // Raw storage: __half/__nv_bfloat16 have constructors, which __shared__ arrays may not run.
  __shared__ __align__(16) unsigned char smem_k[Smem<D>::kKElems * sizeof(T)];
  __shared__ __align__(16) unsigned char smem_v[Smem<D>::kVElems * sizeof(T)];
  // Reverse order: under causal masking the last query blocks do the most work; start them first.
  const int qb = int(gridDim.y - 1 - blockIdx.y);
  const int64_t bh = int64_t(blockIdx.x);
  const int64_t kvh = bh / H * Hkv + bh % H * Hkv / H;  // query head h reads KV head h·Hkv/H
  attention_block<DeviceOps, T, D, kCausal>(DeviceOps{}, q, k, v, o, bh, qb, S, scale_log2,
                                            reinterpret_cast<T*>(smem_k),
                                            reinterpret_cast<T*>(smem_v), kvh, Skv);
}

template <class T, int D, bool kCausal>
void launch_typed(const DeviceProblem& p, cudaStream_t stream) {
  const dim3 grid(unsigned(p.batch * p.heads), unsigned((p.seq + kBr - 1) / kBr));
  const float scale_log2 = p.scale * 1.4426950408889634f;  // log2(e)·scale, folded once
  flash_v1_kernel<T, D, kCausal><<<grid, kThreads, 0, stream>>>(
      static_cast<const T*>(p.q), static_cast<const T*>(p.k), static_cast<const T*>(p.v),
      static_cast<T*>(p.o), int(p.seq), scale_log2, int(p.heads), int(p.hkv()), int(p.skv()));
  CUDA_CHECK_LAUNCH();
}

template <class T, int D>
void launch_dim(const DeviceProblem& p, cudaStream_t stream) {
  if (p.causal) launch_typed<T, D, true>(p, stream);
  else launch_typed<T, D, false>(p, stream);
}

template <class T>
void launch_dtype(const DeviceProblem& p, cudaStream_t stream) {
  switch (p.dim) {
    case 32: launch_dim<T, 32>(p, stream); break;
    case 64: launch_dim<T, 64>(p, stream); break;
    case 128: launch_dim<T, 128>(p, stream); break;
    default:
      throw HarnessError("unsupported", "--dim: flash-v1 supports head dims 32, 64, 128 (got " +
                                            std::to_string(p.dim) + ")");
  }
}

void launch(const DeviceProblem& p, cudaStream_t stream) {
  if (p.dtype == Dtype::F16) launch_dtype<__half>(p, stream);
  else if (p.dtype == Dtype::BF16) launch_dtype<__nv_bfloat16>(p, stream);
  else throw HarnessError("unsupported", "--dtype: flash-v1 supports f16 and bf16 (got f32)");
}

void params(JsonWriter& w, const DeviceProblem& p) {
  const int64_t smem = (int64_t(kBc) * (p.dim + 8) + p.dim * int64_t(kBc + 8)) * 2;
  w.kv("blockRows", kBr).kv("tileKeys", kBc).kv("warps", kWarps).kv("threads", kThreads);
  w.kv("mma", "mma.sync.m16n8k16").kv("accumulate", "f32").kv("smemBytes", smem);
}

// Grouped-query heads index the KV head in the K/V pointers (no copy); S ≠ Skv shifts the causal
// diagonal to the bottom right.
const char* kv_support(const DeviceProblem&) { return nullptr; }

const CudaKernel kFlashV1 = {
    "flash-v1",
    "FlashAttention-2 style: Q in registers, K/V tiles in shared memory, online softmax, "
    "mma.sync tensor cores (f16/bf16, f32 accumulate)",
    {Dtype::F16, Dtype::BF16},
    {32, 64, 128},
    true,
    launch,
    params,
    kv_support,
};
const RegisterKernel kRegisterFlashV1(&kFlashV1);

}  // namespace flash_v1
}  // namespace attnlab
