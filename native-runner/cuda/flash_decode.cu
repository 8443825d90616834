// flash-decode: split-KV attention for decode (a few query rows against a long KV cache), aware
// of grouped-query heads. fp16/bf16 in, fp32 math on CUDA cores, fp16/bf16 out; D ∈ {32, 64, 128}.
//
// What this version changes (versus the prefill kernels flash-v1 … flash-hopper-v2, which give
// each (batch, query head) its own CTAs over 64–128 query rows):
//   - one CTA serves all G·S query rows of one KV head (G = H/Hkv query heads share it; up to
//     8 rows, else ⌈G·S/8⌉ row groups), so K and V are read once, not G times;
//   - the KV length is split across CTAs (flash-decoding) until they fill the GPU in one wave, each
//     split ≥ 128 keys: batch-1 decode has B·Hkv = 4–8 KV heads, far fewer than 132 SMs;
//   - per split, a key group of D/8 lanes reads one key with one 16-byte load of K and of V,
//     4 keys per group in flight; softmax partials (m, l, acc) go to an fp32 workspace and a
//     second small kernel combines them (one split: O is written directly);
//   - bottom-right causal (query i sees keys j ≤ i + Skv − S); a split wholly in the future of
//     its rows reads nothing; a row that sees no key outputs zeros.
// Decode is memory-bound (S = 1: 4·G FLOP per 2-byte K/V element), so there are no tensor
// cores here: the FMAs of G·S ≤ 8 rows per element stay far below the CUDA-core ceiling.
// The algorithm lives in flash_decode.cuh, shared with the host emulator emulate_decode.cu.
//
// Build alone (harness + reference + this kernel):
//   nvcc -O3 -std=c++17 -arch=sm_90 -Xcompiler -fopenmp -o flash_decode \
//     native-runner/cuda/harness.cu native-runner/cuda/naive_f32.cu \
//     native-runner/cuda/flash_decode.cu -ldl
// Run alone:
//   ./flash_decode --selftest
//   ./flash_decode --kernel flash-decode --batch 8 --heads 32 --kv-heads 8 --seq 1 \
//     --kv-seq 8192 --dim 128 --dtype f16 --iterations 100
// Emulated on the CPU (no GPU): make -C native-runner/cuda emulate-decode
#include "common.cuh"
#include "flash_decode.cuh"

namespace attnlab {
namespace flash_decode {
namespace {

// The GPU side of the ops interface decode_block is written against.
struct DeviceOps {
  __device__ int thread() const { return int(threadIdx.x); }
  __device__ void sync() const { __syncthreads(); }
  __device__ float shfl_xor(float x, int mask) const {
    return __shfl_xor_sync(0xffffffffu, x, mask);
  }
  // Lane `src` of this thread's `width`-lane segment.
  __device__ float shfl_idx(float x, int src, int width) const {
    return __shfl_sync(0xffffffffu, x, src, width);
  }
  __device__ float exp2(float x) const { return exp2f(x); }
};

template <class T, int D, int R>
__global__ void __launch_bounds__(kThreads) decode_kernel(Params p) {
  __shared__ Smem<D, R> sm;
  decode_block<DeviceOps, T, D, R>(DeviceOps{}, p, int64_t(blockIdx.x), sm);
}

// One CTA of D threads per output row, one element each: batch-1 decode has only B·H·S = 28–32
// rows, and four rows per CTA (the first version) left 8 CTAs on 132 SMs, each lane walking the
// splits for D/32 elements in turn.
template <class T, int D>
__global__ void __launch_bounds__(D) combine_kernel(Params p) {
  combine_row<DeviceOps, T, D>(DeviceOps{}, p, int64_t(blockIdx.x), int(threadIdx.x), D);
}

// The fp32 partials, kept between launches and grown on demand. The harness checks a kernel
// (one launch) before it times or graph-captures it, so the allocation never lands in a timed
// span or a capture.
struct Workspace {
  void* ptr = nullptr;
  size_t bytes = 0;
  void* get(size_t need) {
    if (need <= bytes) return ptr;
    if (ptr) CUDA_CHECK(cudaFree(ptr));
    ptr = nullptr;
    bytes = 0;
    CUDA_CHECK(cudaMalloc(&ptr, need));
    bytes = need;
    return ptr;
  }
};

Workspace& workspace() {
  static Workspace w;
  return w;
}

int sm_count() {
  static int sms = 0;
  if (sms == 0) {
    int dev = 0;
    CUDA_CHECK(cudaGetDevice(&dev));
    CUDA_CHECK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, dev));
  }
  return sms;
}

template <class T, int D>
int occupancy_of(int rows) {
  int n = 0;
  cudaError_t err;
  switch (rows) {
    case 1: err = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, decode_kernel<T, D, 1>, kThreads, 0); break;
    case 2: err = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, decode_kernel<T, D, 2>, kThreads, 0); break;
    case 4: err = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, decode_kernel<T, D, 4>, kThreads, 0); break;
    default: err = cudaOccupancyMaxActiveBlocksPerMultiprocessor(&n, decode_kernel<T, D, 8>, kThreads, 0); break;
  }
  if (err != cudaSuccess) {
    cudaGetLastError();  // no device yet (parameters written before one exists)
    return 0;
  }
  return n;
}

// CTAs of the kernel for this dtype, D and R that one SM holds at once, from the compiled
// kernel's registers and shared memory (a guess from ctas_per_sm before a device exists): the
// split count fills exactly one wave of them.
int resident_ctas(Dtype dtype, int64_t dim, int rows) {
  int n = 0;
  if (dtype == Dtype::BF16) {
    n = dim == 32 ? occupancy_of<__nv_bfloat16, 32>(rows)
        : dim == 64 ? occupancy_of<__nv_bfloat16, 64>(rows)
                    : occupancy_of<__nv_bfloat16, 128>(rows);
  } else {
    n = dim == 32 ? occupancy_of<__half, 32>(rows)
        : dim == 64 ? occupancy_of<__half, 64>(rows)
                    : occupancy_of<__half, 128>(rows);
  }
  return n > 0 ? n : ctas_per_sm(rows);
}

int step_of(int64_t dim) {
  return dim == 32 ? Geo<32>::kStep : dim == 64 ? Geo<64>::kStep : Geo<128>::kStep;
}

}  // namespace

// The launch geometry for a problem on a GPU with `sms` SMs (no pointers set).
Params plan(const DeviceProblem& p, int sms) {
  Params k{};
  k.batch = int(p.batch);
  k.heads = int(p.heads);
  k.kv_heads = int(p.hkv());
  k.seq = int(p.seq);
  k.kv_seq = int(p.skv());
  k.dim = int(p.dim);
  k.rows_per_kv = int(p.heads / p.hkv() * p.seq);
  k.rows = rows_per_cta(k.rows_per_kv);
  k.row_groups = (k.rows_per_kv + k.rows - 1) / k.rows;
  choose_splits(int64_t(k.batch) * k.kv_heads * k.row_groups, k.kv_seq, step_of(p.dim), sms,
                resident_ctas(p.dtype, p.dim, k.rows), k.splits, k.chunk);
  k.causal = p.causal;
  k.sl2 = p.scale * 1.4426950408889634f;
  return k;
}

namespace {

template <class T, int D, int R>
void launch_rows(const Params& k, int64_t ctas, cudaStream_t stream) {
  decode_kernel<T, D, R><<<dim3(unsigned(ctas)), kThreads, 0, stream>>>(k);
  CUDA_CHECK_LAUNCH();
}

template <class T, int D>
void launch_dim(Params k, cudaStream_t stream) {
  const int64_t ctas = int64_t(k.batch) * k.kv_heads * k.row_groups * k.splits;
  if (ctas > 0x7fffffffLL) {
    throw HarnessError("too-large-for-device", "flash-decode: " + std::to_string(ctas) +
                                                   " CTAs exceed the grid limit 2^31 − 1");
  }
  const int64_t rows = int64_t(k.batch) * k.heads * k.seq;
  if (k.splits > 1) {
    const size_t acc = size_t(rows) * size_t(k.splits) * D * sizeof(float);
    const size_t ml = size_t(rows) * size_t(k.splits) * 2 * sizeof(float);
    char* ws = static_cast<char*>(workspace().get(acc + ml));
    k.part_acc = reinterpret_cast<float*>(ws);
    k.part_ml = reinterpret_cast<float*>(ws + acc);
  }
  switch (k.rows) {
    case 1: launch_rows<T, D, 1>(k, ctas, stream); break;
    case 2: launch_rows<T, D, 2>(k, ctas, stream); break;
    case 4: launch_rows<T, D, 4>(k, ctas, stream); break;
    default: launch_rows<T, D, 8>(k, ctas, stream); break;
  }
  if (k.splits > 1) {
    if (rows > 0x7fffffffLL) {
      throw HarnessError("too-large-for-device", "flash-decode: " + std::to_string(rows) +
                                                     " output rows exceed the grid limit 2^31 − 1");
    }
    combine_kernel<T, D><<<dim3(unsigned(rows)), D, 0, stream>>>(k);
    CUDA_CHECK_LAUNCH();
  }
}

template <class T>
void launch_type(const Params& k, cudaStream_t stream) {
  if (k.dim == 32) launch_dim<T, 32>(k, stream);
  else if (k.dim == 64) launch_dim<T, 64>(k, stream);
  else launch_dim<T, 128>(k, stream);
}

}  // namespace

void launch(const DeviceProblem& p, cudaStream_t stream) {
  Params k = plan(p, sm_count());
  k.q = p.q;
  k.k = p.k;
  k.v = p.v;
  k.o = p.o;
  if (p.dtype == Dtype::F16) launch_type<__half>(k, stream);
  else if (p.dtype == Dtype::BF16) launch_type<__nv_bfloat16>(k, stream);
  else throw HarnessError("unsupported", "flash-decode: dtype f16 or bf16 only");
}

void params(JsonWriter& w, const DeviceProblem& p) {
  // Some callers write parameters before a device exists: then plan for an H100's 132 SMs.
  int sms = 132;
  try {
    sms = sm_count();
  } catch (const HarnessError&) {
    sms = 132;
  }
  const Params k = plan(p, sms);
  w.kv("threads", kThreads).kv("rowsPerCta", k.rows).kv("rowGroups", k.row_groups);
  w.kv("kvSplits", k.splits).kv("keysPerSplit", k.chunk).kv("keysInFlightPerThread", kUnroll);
  w.kv("ctasPerSm", resident_ctas(p.dtype, p.dim, k.rows));
  w.kv("combine", k.splits > 1 ? "second kernel (fp32 partials, a CTA of D threads per row)"
                                : "none (one split)");
  w.kv("math", "f32 CUDA cores").kv("load", "16-byte vectors");
}

// Every K/V shape: grouped heads and S ≠ Skv are what this kernel is for.
const char* kv_support(const DeviceProblem&) { return nullptr; }

namespace {
const CudaKernel kFlashDecode = {
    "flash-decode",
    "Split-KV decode (flash-decoding), GQA-aware: one CTA reads a KV head's keys once for all "
    "its query heads; partials combined by a second kernel",
    {Dtype::F16, Dtype::BF16},
    {32, 64, 128},
    true,
    launch,
    params,
    kv_support,
};
const RegisterKernel kRegisterFlashDecode(&kFlashDecode);
}  // namespace

}  // namespace flash_decode
}  // namespace attnlab
