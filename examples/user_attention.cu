// A user's CUDA attention kernel for attnlab: the smallest correct one, to copy and make fast.
// One thread per query row, fp32 accumulation, online softmax, any dtype (f32/f16/bf16),
// grouped-query heads, S != Skv and bottom-right causal masking, head dims up to 128.
//
// It exports the entry point of native-runner/cuda/attnlab_user.h; attnlab builds it with the
// harness for the local GPU (cached by the source's SHA-256) and checks and times it as a
// built-in kernel:
//   npx attnlab run --backend cuda --kernel-file examples/user_attention.cu -b 4 -H 8 -s 1024 -d 64
// Compile alone (what the test does on a machine without a GPU):
//   nvcc -std=c++17 -arch=sm_90 -I native-runner/cuda -c examples/user_attention.cu -o /tmp/u.o
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "attnlab_user.h"

namespace {

constexpr int kMaxDim = 128;
constexpr int kThreads = 128;

__device__ inline float load(const float* p, int64_t i) { return p[i]; }
__device__ inline float load(const __half* p, int64_t i) { return __half2float(p[i]); }
__device__ inline float load(const __nv_bfloat16* p, int64_t i) { return __bfloat162float(p[i]); }
__device__ inline void store(float* p, int64_t i, float x) { p[i] = x; }
__device__ inline void store(__half* p, int64_t i, float x) { p[i] = __float2half(x); }
__device__ inline void store(__nv_bfloat16* p, int64_t i, float x) { p[i] = __float2bfloat16(x); }

template <typename T>
__global__ void attention_rows(attnlab_problem p) {
  const int64_t row = int64_t(blockIdx.x) * blockDim.x + threadIdx.x;  // over B·H·S
  if (row >= p.batch * p.heads * p.seq) return;
  const int64_t i = row % p.seq;
  const int64_t h = (row / p.seq) % p.heads;
  const int64_t b = row / (p.seq * p.heads);
  const int64_t g = h / (p.heads / p.kv_heads);  // the KV head this query head reads
  const T* q = static_cast<const T*>(p.q) + b * p.q_stride[0] + h * p.q_stride[1] + i * p.q_stride[2];
  const T* k = static_cast<const T*>(p.k) + b * p.kv_stride[0] + g * p.kv_stride[1];
  const T* v = static_cast<const T*>(p.v) + b * p.kv_stride[0] + g * p.kv_stride[1];
  T* o = static_cast<T*>(p.o) + b * p.q_stride[0] + h * p.q_stride[1] + i * p.q_stride[2];

  float qr[kMaxDim];
  float acc[kMaxDim];
  for (int d = 0; d < p.dim; ++d) {
    qr[d] = load(q, d) * p.scale;
    acc[d] = 0.f;
  }
  // Bottom-right causal: query i sees keys j <= i + Skv − S.
  const int64_t last = p.causal ? i + p.kv_seq - p.seq : p.kv_seq - 1;
  float m = -INFINITY;
  float l = 0.f;
  for (int64_t j = 0; j <= last && j < p.kv_seq; ++j) {
    float s = 0.f;
    for (int d = 0; d < p.dim; ++d) s += qr[d] * load(k, j * p.kv_stride[2] + d);
    const float m_new = fmaxf(m, s);
    const float alpha = __expf(m - m_new);  // the running-max rescale
    const float e = __expf(s - m_new);
    l = l * alpha + e;
    for (int d = 0; d < p.dim; ++d) acc[d] = acc[d] * alpha + e * load(v, j * p.kv_stride[2] + d);
    m = m_new;
  }
  const float inv = l > 0.f ? 1.f / l : 0.f;  // a row that sees no key writes zeros
  for (int d = 0; d < p.dim; ++d) store(o, d, acc[d] * inv);
}

}  // namespace

extern "C" const char* attnlab_refusal(const attnlab_problem* p) {
  return p->dim > kMaxDim ? "examples/user_attention.cu handles head dims up to 128" : nullptr;
}

extern "C" int attnlab_attention(const attnlab_problem* p, cudaStream_t stream) {
  if (p->dim > kMaxDim || p->kv_heads <= 0 || p->heads % p->kv_heads != 0) return 1;
  const int64_t rows = p->batch * p->heads * p->seq;
  const unsigned blocks = unsigned((rows + kThreads - 1) / kThreads);
  switch (p->dtype) {
    case ATTNLAB_F32: attention_rows<float><<<blocks, kThreads, 0, stream>>>(*p); break;
    case ATTNLAB_F16: attention_rows<__half><<<blocks, kThreads, 0, stream>>>(*p); break;
    case ATTNLAB_BF16: attention_rows<__nv_bfloat16><<<blocks, kThreads, 0, stream>>>(*p); break;
    default: return 1;
  }
  return 0;
}
