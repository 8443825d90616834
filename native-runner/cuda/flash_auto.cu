// flash: the kernel a user should pick — the fastest version this build and device offer,
// chosen per launch from the device and the problem and reported in the kernel parameters
// ("selected"):
//   - S ≤ 8 query rows (decode, speculative decode): flash-decode. Its K/V traffic is
//     ⌈G·S/8⌉ passes over K and V (G = H/Hkv query heads per KV head), against G·⌈S/64⌉ for the
//     prefill kernels, which give every query head its own CTAs of 64–128 rows (mostly masked
//     padding at S ≤ 8), and it splits Skv across CTAs when B·Hkv is far below the SM count.
//     Above 8 rows a CTA of flash-decode serves its rows in groups of 8 from CUDA cores, and
//     the tensor-core prefill kernels win (napkin math: BENCHMARKS.md, "flash-decode");
//   - grouped-query heads or S ≠ Skv at S > 8 (chunked prefill): flash-v6, which indexes the KV
//     head in its K/V pointers and shifts the causal diagonal to the bottom right; the Hopper
//     kernels take only the square problem (their TMA descriptors span [B·H·S, D]);
//   - sm_90 GPU, build with sm_90a code, D = 128: flash-hopper-v2 (TMA, wgmma, warp
//     specialisation; 1.6× SDPA flash and 0.88× cuDNN at (8, 16, 2048, 128) in BENCHMARKS.md);
//   - otherwise flash-v6, the portable mma.sync kernel (sm_80+: A100, L4, …). At D = 64 it is
//     also the faster one on the H100 for short sequences: at (32, 8, 512, 64) the Hopper kernels
//     run one 384-thread block per SM whose prologue (Q load, first K tile) is not hidden behind
//     anything, and lose 10–15% to v6 (BENCHMARKS.md, run 4).
//
// Build: with flash_v6.cu, flash_hopper.cu and flash_hopper_v2.cu (any harness or benchmark
// build that globs native-runner/cuda/flash_*.cu has them).
// Run:   ./harness --kernel flash --batch 8 --heads 16 --seq 2048 --dim 128 --dtype f16
#include "common.cuh"

namespace attnlab {
namespace flash_hopper {
bool available();
}  // namespace flash_hopper
namespace flash_hopper_v2 {
void launch(const DeviceProblem& p, cudaStream_t stream);
void params(JsonWriter& w, const DeviceProblem& p);
}  // namespace flash_hopper_v2
namespace flash_v6 {
void launch(const DeviceProblem& p, cudaStream_t stream);
void params(JsonWriter& w, const DeviceProblem& p);
}  // namespace flash_v6
namespace flash_decode {
void launch(const DeviceProblem& p, cudaStream_t stream);
void params(JsonWriter& w, const DeviceProblem& p);
}  // namespace flash_decode

namespace flash_auto {

constexpr int64_t kDecodeMaxSeq = 8;  // S ≤ this: flash-decode

bool use_decode(const DeviceProblem& p) { return p.seq <= kDecodeMaxSeq; }

bool use_hopper(const DeviceProblem& p) {
  return !p.kv_shaped() && p.dtype != Dtype::F32 && p.dim == 128 && flash_hopper::available();
}

void launch(const DeviceProblem& p, cudaStream_t stream) {
  if (use_decode(p)) flash_decode::launch(p, stream);
  else if (use_hopper(p)) flash_hopper_v2::launch(p, stream);
  else flash_v6::launch(p, stream);
}

void params(JsonWriter& w, const DeviceProblem& p) {
  if (use_decode(p)) {
    w.kv("selected", "flash-decode").kv("why", "S <= 8: decode");
    flash_decode::params(w, p);
    return;
  }
  // Some callers write kernel parameters before a device exists: then name the portable kernel.
  bool hopper = false;
  try {
    hopper = use_hopper(p);
  } catch (const HarnessError&) {
    hopper = false;
  }
  w.kv("selected", hopper ? "flash-hopper-v2" : "flash-v6");
  if (hopper) flash_hopper_v2::params(w, p);
  else flash_v6::params(w, p);
}

// Every K/V shape: flash-decode (S ≤ 8) and flash-v6 take them all.
const char* kv_support(const DeviceProblem&) { return nullptr; }

const CudaKernel kFlash = {
    "flash",
    "Best available: flash-decode for S <= 8, flash-hopper-v2 on sm_90 at D=128 for the square "
    "problem (wgmma/TMA), else flash-v6 (mma.sync; grouped heads and S != Skv too)",
    {Dtype::F16, Dtype::BF16},
    {32, 64, 128},
    true,
    launch,
    params,
    kv_support,
};
const RegisterKernel kRegisterFlash(&kFlash);

}  // namespace flash_auto
}  // namespace attnlab
