// Device buffers, the pre-launch memory plan, input upload and the correctness check of the CUDA
// harness: the output is poisoned (NaN), the kernel runs once, and its output is compared with
// the fp32 GPU reference (naive-f32) over every element and with f64 CPU rows (sampled). K and V
// have the K/V shape ([B, Hkv, Skv, D], reference_kv.hpp); the f64 rows follow its rules
// (grouped heads, bottom-right causal, zero rows).
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <string>
#include <vector>

#include "../cpu/reference.hpp"
#include "common.cuh"
#include "reference_kv.hpp"

namespace attnlab {

// What a run allocates on the device; refused before any allocation when it cannot fit.
struct MemoryPlan {
  int64_t q = 0, kv = 0, o = 0, ref = 0, flush = 0;  // kv: K and V together
  int64_t qkv() const { return q + kv; }
  int64_t total() const { return q + kv + o + ref + flush; }
  std::string describe() const {
    std::string s = "q " + format_bytes(double(q)) + ", k, v " + format_bytes(double(kv)) +
                    ", o " + format_bytes(double(o));
    if (ref) s += ", fp32 reference o " + format_bytes(double(ref));
    if (flush) s += ", L2 flush " + format_bytes(double(flush));
    return s;
  }
};

constexpr int64_t kL2FlushBytes = 256LL << 20;  // larger than any L2 today (H100: 50 MiB)

inline bool is_reference_kernel(const CudaKernel& k) { return std::string(k.id) == "naive-f32"; }

inline MemoryPlan plan_memory(const Args& a, KvDims kv, const CudaKernel& k, bool cold) {
  MemoryPlan m;
  const int64_t n = a.elements();
  m.q = n * int64_t(dtype_bytes(a.dtype));
  m.kv = 2 * kv_elements(a, kv) * int64_t(dtype_bytes(a.dtype));
  m.o = n * (is_reference_kernel(k) ? 4 : int64_t(dtype_bytes(a.dtype)));
  m.ref = is_reference_kernel(k) ? 0 : n * 4;
  m.flush = cold ? kL2FlushBytes : 0;
  return m;
}

// Device buffers of one run; freed on every exit path.
struct Buffers {
  void *q = nullptr, *k = nullptr, *v = nullptr, *o = nullptr, *flush = nullptr;
  float* ref = nullptr;
  std::vector<float> hq, hk, hv;  // the inputs as the kernel sees them (rounded to dtype)
  Buffers() = default;
  Buffers(const Buffers&) = delete;
  Buffers& operator=(const Buffers&) = delete;
  ~Buffers() {
    for (void* p : {q, k, v, o, flush, static_cast<void*>(ref)})
      if (p) cudaFree(p);
  }
};

inline uint16_t to_bits(float x, Dtype d) {
  uint16_t bits;
  if (d == Dtype::F16) {
    __half h = __float2half_rn(x);
    std::memcpy(&bits, &h, 2);
  } else {
    __nv_bfloat16 h = __float2bfloat16_rn(x);
    std::memcpy(&bits, &h, 2);
  }
  return bits;
}

inline float from_bits(uint16_t bits, Dtype d) {
  if (d == Dtype::F16) {
    __half h;
    std::memcpy(&h, &bits, 2);
    return __half2float(h);
  }
  __nv_bfloat16 h;
  std::memcpy(&h, &bits, 2);
  return __bfloat162float(h);
}

// Rounds host inputs to the dtype (keeping the rounded values for the f64 check) and uploads.
inline void upload(std::vector<float>& host, void* dev, Dtype d) {
  if (d == Dtype::F32) {
    CUDA_CHECK(cudaMemcpy(dev, host.data(), host.size() * 4, cudaMemcpyHostToDevice));
    return;
  }
  std::vector<uint16_t> bits(host.size());
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < int64_t(host.size()); ++i) {
    bits[size_t(i)] = to_bits(host[size_t(i)], d);
    host[size_t(i)] = from_bits(bits[size_t(i)], d);
  }
  CUDA_CHECK(cudaMemcpy(dev, bits.data(), bits.size() * 2, cudaMemcpyHostToDevice));
}

// Allocates the plan's buffers and uploads seeded (or the user's) inputs.
inline void prepare(const Args& a, KvDims kv, const MemoryPlan& plan, Buffers& b) {
  const int64_t n = a.elements(), nkv = kv_elements(a, kv);
  CUDA_CHECK(cudaMalloc(&b.q, size_t(plan.q)));
  CUDA_CHECK(cudaMalloc(&b.k, size_t(plan.kv / 2)));
  CUDA_CHECK(cudaMalloc(&b.v, size_t(plan.kv / 2)));
  CUDA_CHECK(cudaMalloc(&b.o, size_t(plan.o)));
  if (plan.ref) CUDA_CHECK(cudaMalloc(reinterpret_cast<void**>(&b.ref), size_t(plan.ref)));
  if (plan.flush) CUDA_CHECK(cudaMalloc(&b.flush, size_t(plan.flush)));
  if (!a.inputs.empty()) {
    read_inputs_kv(a.inputs, n, nkv, b.hq, b.hk, b.hv);
  } else {
    // K and V of the K/V shape are drawn by flat index, as every backend draws them.
    b.hq.resize(size_t(n));
    b.hk.resize(size_t(nkv));
    b.hv.resize(size_t(nkv));
    fill_inputs(a.seed, 0, b.hq.data(), n);
    fill_inputs(a.seed, 1, b.hk.data(), nkv);
    fill_inputs(a.seed, 2, b.hv.data(), nkv);
  }
  upload(b.hq, b.q, a.dtype);
  upload(b.hk, b.k, a.dtype);
  upload(b.hv, b.v, a.dtype);
}

// Copies a device output (f32 or 16-bit) to host floats.
inline std::vector<float> download(const void* dev, int64_t n, Dtype d) {
  std::vector<float> out(static_cast<size_t>(n));
  if (d == Dtype::F32) {
    CUDA_CHECK(cudaMemcpy(out.data(), dev, size_t(n) * 4, cudaMemcpyDeviceToHost));
    return out;
  }
  std::vector<uint16_t> bits(static_cast<size_t>(n));
  CUDA_CHECK(cudaMemcpy(bits.data(), dev, size_t(n) * 2, cudaMemcpyDeviceToHost));
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) out[size_t(i)] = from_bits(bits[size_t(i)], d);
  return out;
}

inline ErrorStats compare_all(const std::vector<float>& got, const std::vector<float>& want) {
  const int64_t n = int64_t(got.size());
  const int64_t chunks = 256;
  std::vector<ErrorStats> parts(static_cast<size_t>(chunks));
#pragma omp parallel for schedule(static)
  for (int64_t c = 0; c < chunks; ++c) {
    for (int64_t i = c * n / chunks; i < (c + 1) * n / chunks; ++i)
      parts[size_t(c)].add(got[size_t(i)], want[size_t(i)], i);
  }
  ErrorStats total;
  for (const auto& p : parts) total.merge(p);
  return total;
}

struct CheckOutcome {
  bool passed = false;
  std::string reference;  // "f64-cpu" or "f32-gpu+f64-cpu"
  int64_t rows_checked = 0;
  ErrorStats f64;         // over the sampled rows
  ErrorStats gpu;         // over every element (not for the reference kernel itself)
  std::string note;
  std::vector<float> output;  // the kernel's output as f32
};

// Poisons O, runs the kernel once, compares. Never times anything.
inline CheckOutcome check_kernel(const Args& a, KvDims kv, const CudaKernel& k,
                                 const DeviceProblem& p, Buffers& b, cudaStream_t stream,
                                 int64_t f64_rows = 256) {
  CheckOutcome c;
  const int64_t n = a.elements();
  const Dtype out_type = is_reference_kernel(k) ? Dtype::F32 : a.dtype;
  CUDA_CHECK(cudaMemsetAsync(b.o, 0xff, size_t(n) * dtype_bytes(out_type), stream));  // NaN
  k.launch(p, stream);
  CUDA_CHECK(cudaStreamSynchronize(stream));
  c.output = download(b.o, n, out_type);
  const double tol = tolerance_for(a.dtype);
  const auto rows = sample_rows(a, a.seed, f64_rows);
  c.rows_checked = int64_t(rows.size());
  c.f64 = check_rows_kv(a, kv, b.hq.data(), b.hk.data(), b.hv.data(), c.output.data(), rows);
  c.note = describe_errors("vs f64 on sampled rows", c.f64);
  c.passed = c.f64.passed(tol);
  if (is_reference_kernel(k)) {
    c.reference = "f64-cpu";
  } else {
    c.reference = "f32-gpu+f64-cpu";
    CUDA_CHECK(cudaMemsetAsync(b.ref, 0xff, size_t(n) * 4, stream));
    launch_reference_f32(p, b.ref, stream);
    CUDA_CHECK(cudaStreamSynchronize(stream));
    const std::vector<float> ref = download(b.ref, n, Dtype::F32);
    c.gpu = compare_all(c.output, ref);
    c.note += "; " + describe_errors("vs fp32 GPU reference on all elements", c.gpu);
    c.passed = c.passed && c.gpu.passed(tol);
  }
  return c;
}

// Writes the `check` line: errors over the f64 rows; null errors when any output was NaN.
inline void emit_check(const Args& a, const CheckOutcome& c) {
  ErrorStats shown = c.f64;
  shown.non_finite += c.gpu.non_finite;
  emit_check(c.reference, c.rows_checked, a.rows(), shown, tolerance_for(a.dtype), c.passed,
             c.note);
}

}  // namespace attnlab
