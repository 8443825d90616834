// flash-v3: 32 query rows per warp (two m-tiles), 128-row blocks — FlashAttention-2's geometry.
//
// What changes versus flash-v2: each warp computes two 16-row m-tiles against every K and V
// fragment it loads (ldmatrix), so shared-memory reads per FLOP halve (v2: one 16×8 B fragment,
// 256 bytes, per 4096 FLOPs — at 128 B/clock/SM that caps mma.sync at about half the tensor
// rate before anything else). Blocks are 128 rows × 4 warps; K/V tiles of 64 keys.
// Registers: at D = 128 two m-tiles of O (128 floats) and S (64 floats) leave no room for Q,
// so Q fragments are re-read from shared memory each tile (as FA2 does); at D ≤ 64 Q stays in
// registers.
// Predicted gain: 1.2–1.4× over flash-v2 at D = 128, where v2 is shared-memory bound; less at
// D = 64, where the softmax's share of the time is larger.
//
// Build alone: as flash_v2.cu with flash_v3.cu in place of flash_v2.cu.
// Run alone:   ./flash_v3 --kernel flash-v3 --batch 8 --heads 16 --seq 2048 --dim 128 --dtype f16
// Or in the benchmark: bash native-runner/cuda/bench/run.sh --kernels flash-v3
#include "common.cuh"
#include "flash_mma.cuh"

namespace attnlab {
namespace flash_v3 {

template <int D>
struct Pick {
  using type = flash_mma::Geometry<D, 4, 2, 64, (D < 128)>;
  using causal_type = type;
};

void launch(const DeviceProblem& p, cudaStream_t stream) {
  flash_mma::launch_any<Pick>("flash-v3", p, stream);
}
void params(JsonWriter& w, const DeviceProblem& p) { flash_mma::params_any<Pick>(w, p); }

const CudaKernel kFlashV3 = {
    "flash-v3",
    "flash-v2 with 32 rows per warp (two m-tiles share each K/V fragment), 128-row blocks",
    {Dtype::F16, Dtype::BF16},
    {32, 64, 128},
    true,
    launch,
    params,
    flash_mma::kv_support,
};
const RegisterKernel kRegisterFlashV3(&kFlashV3);

}  // namespace flash_v3
}  // namespace attnlab
