// flash-v4: 8 warps × 16 rows per 128-row block, Q in registers at every head dim.
//
// What changes versus flash-v3: instead of two m-tiles per warp, twice the warps. Each warp again
// holds only one m-tile (half the accumulators of v3), so at D = 128 Q fits in registers and is
// never re-read from shared memory; the block still shares one K/V tile copy among 128 rows, and
// 8 warps give the scheduler twice the independent instruction streams to hide the softmax
// (MUFU/FMA) behind other warps' mma.sync.
// Predicted gain: ±10% versus v3 — it trades v3's fragment reuse (fewer ldmatrix per FLOP) for
// more warps and no Q reloads; the benchmark decides which geometry each head dim keeps.
//
// Build alone: as flash_v2.cu with flash_v4.cu in place of flash_v2.cu.
// Run alone:   ./flash_v4 --kernel flash-v4 --batch 8 --heads 16 --seq 2048 --dim 128 --dtype f16
// Or in the benchmark: bash native-runner/cuda/bench/run.sh --kernels flash-v4
#include "common.cuh"
#include "flash_mma.cuh"

namespace attnlab {
namespace flash_v4 {

template <int D>
struct Pick {
  using type = flash_mma::Geometry<D, 8, 1, 64, true>;
  using causal_type = type;
};

void launch(const DeviceProblem& p, cudaStream_t stream) {
  flash_mma::launch_any<Pick>("flash-v4", p, stream);
}
void params(JsonWriter& w, const DeviceProblem& p) { flash_mma::params_any<Pick>(w, p); }

const CudaKernel kFlashV4 = {
    "flash-v4",
    "flash-v2 with 8 warps × 16 rows per 128-row block, Q in registers at every head dim",
    {Dtype::F16, Dtype::BF16},
    {32, 64, 128},
    true,
    launch,
    params,
    flash_mma::kv_support,
};
const RegisterKernel kRegisterFlashV4(&kFlashV4);

}  // namespace flash_v4
}  // namespace attnlab
