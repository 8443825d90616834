// The bridge between the harness's kernel registry and a user's `attnlab_attention` entry point
// (attnlab_user.h): linked with harness.cu, naive_f32.cu (the fp32 reference) and the user's .cu
// into one harness per source hash, it registers the user kernel under ATTNLAB_USER_ID, so the
// user's code is checked and timed exactly as a built-in kernel is.
#include <string>

#include "../attnlab_user.h"
#include "../common.cuh"

#ifndef ATTNLAB_USER_ID
#define ATTNLAB_USER_ID "user"
#endif

// Optional in the user's file: why a problem is refused (weak, so leaving it out links).
extern "C" const char* attnlab_refusal(const attnlab_problem* p) __attribute__((weak));

namespace attnlab {
namespace {

attnlab_problem to_user(const DeviceProblem& p) {
  attnlab_problem u{};
  u.q = p.q;
  u.k = p.k;
  u.v = p.v;
  u.o = p.o;
  u.batch = p.batch;
  u.heads = p.heads;
  u.seq = p.seq;
  u.dim = p.dim;
  u.kv_heads = p.hkv();
  u.kv_seq = p.skv();
  // Contiguous tensors: the strides are what the layout implies (given so kernels need not
  // assume it, and a later harness can pass views).
  u.q_stride[2] = p.dim;
  u.q_stride[1] = p.seq * p.dim;
  u.q_stride[0] = p.heads * p.seq * p.dim;
  u.kv_stride[2] = p.dim;
  u.kv_stride[1] = p.skv() * p.dim;
  u.kv_stride[0] = p.hkv() * p.skv() * p.dim;
  u.causal = p.causal ? 1 : 0;
  u.scale = p.scale;
  u.dtype = p.dtype == Dtype::F32 ? ATTNLAB_F32 : p.dtype == Dtype::F16 ? ATTNLAB_F16 : ATTNLAB_BF16;
  return u;
}

void launch_user(const DeviceProblem& p, cudaStream_t stream) {
  const attnlab_problem u = to_user(p);
  if (attnlab_attention(&u, stream) != 0) {
    const char* why = attnlab_refusal ? attnlab_refusal(&u) : nullptr;
    throw HarnessError("unsupported", std::string(ATTNLAB_USER_ID) + " refused this problem: " +
                                          (why ? why : "attnlab_attention returned non-zero"));
  }
  CUDA_CHECK_LAUNCH();
}

const char* user_kv_support(const DeviceProblem&) { return nullptr; }

void user_params(JsonWriter& w, const DeviceProblem&) { w.kv("entry", "attnlab_attention"); }

const CudaKernel kUser = {
    ATTNLAB_USER_ID,
    "user kernel (attnlab_attention entry point)",
    {Dtype::F32, Dtype::F16, Dtype::BF16},
    {},
    true,
    launch_user,
    user_params,
    user_kv_support,
};
const RegisterKernel kRegisterUser(&kUser);

}  // namespace
}  // namespace attnlab
