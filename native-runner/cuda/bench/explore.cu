// Tile-geometry and feature variants of the flash_mma.cuh template, built into the benchmark
// library only (not the harness): one benchmark run measures them beside the numbered versions,
// and the winners become the next numbered version. Head dims 64 and 128 only (the benchmark's
// shapes). Earlier rounds are recorded in BENCHMARKS.md ("CUDA flash kernel notes"): round 1
// (4w×32 rows with Bc 128 / Bc 32 and Q in registers; 8w×16 rows with Bc 128 / Bc 32) lost to
// v2–v4 everywhere; round 2 measured lean addressing alone (v3 geometry) and lean + lazy on v4's
// geometry, both behind flash-v5.
#include "../common.cuh"
#include "../flash_mma.cuh"

namespace attnlab {
namespace explore {

using flash_mma::Geometry;
constexpr int kLL = flash_mma::kLeanAddressing | flash_mma::kLazyRescale;

// flash-x-a: lean + lazy on v2's geometry (4 warps × 16 rows, 64-row blocks).
template <int D>
struct PickA {
  using type = Geometry<D, 4, 1, 64, true, 1, kLL>;
  using causal_type = type;
};
// flash-x-d: lean + lazy, 8 warps × 32 rows (256-row blocks: one K/V copy feeds 256 rows).
template <int D>
struct PickD {
  using type = Geometry<D, 8, 2, 64, (D < 128), 1, kLL>;
  using causal_type = type;
};

template <template <int> class Pick>
void launch(const DeviceProblem& p, cudaStream_t stream) {
  if (p.dtype == Dtype::F32) throw HarnessError("unsupported", "--dtype: f16 and bf16 only");
  if (p.dim == 64) flash_mma::launch_dim<Pick, 64>(p, stream);
  else if (p.dim == 128) flash_mma::launch_dim<Pick, 128>(p, stream);
  else throw HarnessError("unsupported", "--dim: variants cover head dims 64 and 128");
}
template <template <int> class Pick>
void params(JsonWriter& w, const DeviceProblem& p) {
  if (p.dim == 64) flash_mma::params_dim<Pick, 64>(w, p.causal);
  else flash_mma::params_dim<Pick, 128>(w, p.causal);
}

#define ATTNLAB_VARIANT(NAME, ID, DESC)                                                       \
  const CudaKernel k##NAME = {ID, DESC, {Dtype::F16, Dtype::BF16}, {64, 128}, true,          \
                              launch<Pick##NAME>, params<Pick##NAME>};                       \
  const RegisterKernel kRegister##NAME(&k##NAME);

ATTNLAB_VARIANT(A, "flash-x-a", "variant: v2 geometry + lean addressing + lazy rescale")
ATTNLAB_VARIANT(D, "flash-x-d", "variant: 8 warps × 32 rows + lean addressing + lazy rescale")

}  // namespace explore
}  // namespace attnlab
