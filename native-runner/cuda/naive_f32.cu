// naive-f32: the reference kernel. One warp per query row, fp32 throughout:
//   pass 1: each lane takes every 32nd key, computes its score, the warp reduces the row max;
//   pass 2: lanes compute exp(s − max) for 32 keys at a time, broadcast each weight with a
//           shuffle, and accumulate P·V over the lane's head dims (d = lane, lane + 32, …).
// No tiling, no tensor cores, natural-base exp — deliberately the plain formula, so that it
// shares nothing with flash-v1 it is used to check. It reads Q, K, V as f32, f16 or bf16 and
// always writes f32 O; as a timed kernel ("naive-f32") it takes f32 inputs. Grouped-query heads
// and S ≠ Skv: query head h reads KV head h·Hkv/H, causal is aligned bottom-right (row i sees
// keys j ≤ i + Skv − S) and a row that sees no key writes zeros.
//
// Build alone (harness + this kernel only):
//   nvcc -O3 -std=c++17 -arch=sm_90 -Xcompiler -fopenmp -o naive native-runner/cuda/harness.cu \
//     native-runner/cuda/naive_f32.cu -ldl
// Run alone:
//   ./naive --kernel naive-f32 --batch 4 --heads 8 --seq 1024 --dim 64 --iterations 50
#include "common.cuh"

namespace attnlab {
namespace {

constexpr int kWarps = 4;  // warps (query rows) per block
constexpr int kMaxDimPerLane = 8;  // D ≤ 256 = 32 lanes × 8

template <typename T>
__device__ inline float dot_row(const float* qs, const T* kr, int D) {
  float s = 0.f;
  for (int d = 0; d < D; ++d) s += qs[d] * to_float(kr[d]);
  return s;
}

template <typename T>
__global__ void __launch_bounds__(kWarps * 32)
    naive_attention(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                    float* __restrict__ o, int64_t rows, int S, int D, bool causal, float scale,
                    int H, int Hkv, int Skv) {
  extern __shared__ float smem[];  // kWarps × D: each warp's scaled query row
  const int warp = threadIdx.x / 32, lane = threadIdx.x % 32;
  const int64_t row = int64_t(blockIdx.x) * kWarps + warp;
  if (row >= rows) return;  // warp-uniform; the kernel uses no block-wide barrier
  const int64_t bh = row / S;
  const int i = int(row % S);
  const int64_t kvh = (bh / H) * Hkv + (bh % H) * Hkv / H;
  const T* kh = k + kvh * Skv * D;
  const T* vh = v + kvh * Skv * D;
  float* qs = smem + warp * D;
  for (int d = lane; d < D; d += 32) qs[d] = to_float(q[row * D + d]) * scale;
  __syncwarp();
  const int n = causal ? max(0, min(Skv, i + 1 + Skv - S)) : Skv;  // visible keys: 0..n−1
  if (n == 0) {  // bottom-right causal with S > Skv: this row sees nothing and outputs zeros
    for (int d = lane; d < D; d += 32) o[row * D + d] = 0.f;
    return;
  }

  float m = -INFINITY;
  for (int j = lane; j < n; j += 32) m = fmaxf(m, dot_row(qs, kh + int64_t(j) * D, D));
  for (int off = 16; off > 0; off >>= 1) m = fmaxf(m, __shfl_xor_sync(0xffffffffu, m, off));

  float acc[kMaxDimPerLane];
#pragma unroll
  for (int c = 0; c < kMaxDimPerLane; ++c) acc[c] = 0.f;
  float l = 0.f;
  for (int j0 = 0; j0 < n; j0 += 32) {
    const int j = j0 + lane;
    const float p = j < n ? expf(dot_row(qs, kh + int64_t(j) * D, D) - m) : 0.f;
    l += p;
    const int count = min(32, n - j0);  // uniform across the warp
    for (int jj = 0; jj < count; ++jj) {
      const float pj = __shfl_sync(0xffffffffu, p, jj);
      const T* vr = vh + int64_t(j0 + jj) * D;
#pragma unroll
      for (int c = 0; c < kMaxDimPerLane; ++c) {
        const int d = lane + 32 * c;
        if (d < D) acc[c] += pj * to_float(vr[d]);
      }
    }
  }
  for (int off = 16; off > 0; off >>= 1) l += __shfl_xor_sync(0xffffffffu, l, off);
  const float inv = 1.f / l;
#pragma unroll
  for (int c = 0; c < kMaxDimPerLane; ++c) {
    const int d = lane + 32 * c;
    if (d < D) o[row * D + d] = acc[c] * inv;
  }
}

template <typename T>
void launch_naive(const DeviceProblem& p, float* o, cudaStream_t stream) {
  const int64_t rows = p.batch * p.heads * p.seq;
  const int64_t blocks = (rows + kWarps - 1) / kWarps;
  const size_t smem = size_t(kWarps) * size_t(p.dim) * sizeof(float);
  naive_attention<T><<<dim3(unsigned(blocks)), kWarps * 32, smem, stream>>>(
      static_cast<const T*>(p.q), static_cast<const T*>(p.k), static_cast<const T*>(p.v), o,
      rows, int(p.seq), int(p.dim), p.causal, p.scale, int(p.heads), int(p.hkv()), int(p.skv()));
  CUDA_CHECK_LAUNCH();
}

void launch_naive_f32(const DeviceProblem& p, cudaStream_t stream) {
  launch_naive<float>(p, static_cast<float*>(p.o), stream);
}

const char* naive_kv_support(const DeviceProblem&) { return nullptr; }

void naive_params(JsonWriter& w, const DeviceProblem&) {
  w.kv("rowsPerBlock", kWarps).kv("threadsPerRow", 32).kv("accumulate", "f32");
}

const CudaKernel kNaive = {
    "naive-f32",
    "Reference: one warp per query row, two passes over K, fp32 (no tiling, no tensor cores)",
    {Dtype::F32},
    {},
    true,
    launch_naive_f32,
    naive_params,
    naive_kv_support,
};
const RegisterKernel kRegisterNaive(&kNaive);

}  // namespace

void launch_reference_f32(const DeviceProblem& p, float* o, cudaStream_t stream) {
  switch (p.dtype) {
    case Dtype::F32: launch_naive<float>(p, o, stream); break;
    case Dtype::F16: launch_naive<__half>(p, o, stream); break;
    case Dtype::BF16: launch_naive<__nv_bfloat16>(p, o, stream); break;
  }
}

}  // namespace attnlab
