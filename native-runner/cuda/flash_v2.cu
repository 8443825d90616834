// flash-v2: the memory pipeline of a real FlashAttention-2 kernel, on flash-v1's tile geometry.
//
// What changes versus flash-v1 (same 64-row block of 4 warps × 16 rows, 64-key tiles):
//   - K/V tiles arrive by cp.async into two shared-memory stages: tile j+1 is copied while tile j
//     is computed, with one __syncthreads per tile instead of two;
//   - shared tiles are XOR-swizzled instead of padded, and read with ldmatrix.x4 (Q, K) and
//     ldmatrix.x4.trans (V): one instruction fetches the fragments of two mma tiles, and V no
//     longer has to be transposed element by element on its way into shared memory;
//   - p = ex2.approx(s·c − m·c) in one FFMA + MUFU (v1: a multiply, a subtract and exp2f);
//     mask arithmetic only on diagonal and tail tiles;
//   - 1-D grid with the query block fastest, so blocks of one head run together and share K/V
//     in L2 (v1's grid put the head index fastest: every concurrent block read a different head);
//   - output staged through shared memory, written with 16-byte coalesced stores.
// Predicted gain (BENCHMARKS.md, "CUDA flash kernel notes"): 1.5–2× over flash-v1 — v1 spends
// most of its time waiting on global loads it issues synchronously before each tile.
// The kernel template is flash_mma.cuh; this file picks its geometry.
//
// Build alone (harness + reference + this kernel):
//   nvcc -O3 -std=c++17 -gencode arch=compute_80,code=sm_80 -gencode arch=compute_90a,code=sm_90a \
//     -Xcompiler -fopenmp -o flash_v2 native-runner/cuda/harness.cu \
//     native-runner/cuda/naive_f32.cu native-runner/cuda/flash_v2.cu -ldl
// Run alone:
//   ./flash_v2 --selftest
//   ./flash_v2 --kernel flash-v2 --batch 8 --heads 16 --seq 2048 --dim 128 --dtype f16 \
//     --causal 1 --iterations 100
// Or in the benchmark: bash native-runner/cuda/bench/run.sh --kernels flash-v2
#include "common.cuh"
#include "flash_mma.cuh"

namespace attnlab {
namespace flash_v2 {

// 4 warps × 16 rows, 64-key tiles, Q fragments in registers, for every head dim.
template <int D>
struct Pick {
  using type = flash_mma::Geometry<D, 4, 1, 64, true>;
  using causal_type = type;
};

void launch(const DeviceProblem& p, cudaStream_t stream) {
  flash_mma::launch_any<Pick>("flash-v2", p, stream);
}
void params(JsonWriter& w, const DeviceProblem& p) { flash_mma::params_any<Pick>(w, p); }

const CudaKernel kFlashV2 = {
    "flash-v2",
    "flash-v1 + cp.async double-buffered K/V, swizzled smem, ldmatrix(.trans), exp2 FFMA, "
    "head-local grid order (64-row blocks, 4 warps)",
    {Dtype::F16, Dtype::BF16},
    {32, 64, 128},
    true,
    launch,
    params,
    flash_mma::kv_support,
};
const RegisterKernel kRegisterFlashV2(&kFlashV2);

}  // namespace flash_v2
}  // namespace attnlab
