// flash: the kernel a user should pick — the fastest version this build and device offer.
// On an sm_90 GPU with a build carrying sm_90a code, the Hopper path (flash-hopper: TMA, wgmma,
// warp specialisation) for head dims 64 and 128; everywhere else (sm_80/sm_89 such as A100 or
// L4, other head dims) the portable mma.sync kernel flash-v6. The choice is made per launch
// from the device and the problem and is reported in the kernel parameters ("selected").
//
// Build: with flash_v6.cu and flash_hopper.cu (any harness or benchmark build that globs
// native-runner/cuda/flash_*.cu has all three).
// Run:   ./harness --kernel flash --batch 8 --heads 16 --seq 2048 --dim 128 --dtype f16
#include "common.cuh"

namespace attnlab {
namespace flash_hopper {
bool available();
void launch(const DeviceProblem& p, cudaStream_t stream);
void params(JsonWriter& w, const DeviceProblem& p);
}  // namespace flash_hopper
namespace flash_v6 {
void launch(const DeviceProblem& p, cudaStream_t stream);
void params(JsonWriter& w, const DeviceProblem& p);
}  // namespace flash_v6

namespace flash_auto {

bool use_hopper(const DeviceProblem& p) {
  return p.dtype != Dtype::F32 && (p.dim == 64 || p.dim == 128) && flash_hopper::available();
}

void launch(const DeviceProblem& p, cudaStream_t stream) {
  if (use_hopper(p)) flash_hopper::launch(p, stream);
  else flash_v6::launch(p, stream);
}

void params(JsonWriter& w, const DeviceProblem& p) {
  // Kernel parameters are written before any device is touched in some callers: fall back to
  // naming the portable kernel when the device cannot be queried.
  bool hopper = false;
  try {
    hopper = use_hopper(p);
  } catch (const HarnessError&) {
    hopper = false;
  }
  w.kv("selected", hopper ? "flash-hopper" : "flash-v6");
  if (hopper) flash_hopper::params(w, p);
  else flash_v6::params(w, p);
}

const CudaKernel kFlash = {
    "flash",
    "Best available: flash-hopper on sm_90 (wgmma/TMA) for D 64/128, else flash-v6 (mma.sync)",
    {Dtype::F16, Dtype::BF16},
    {32, 64, 128},
    true,
    launch,
    params,
};
const RegisterKernel kRegisterFlash(&kFlash);

}  // namespace flash_auto
}  // namespace attnlab
