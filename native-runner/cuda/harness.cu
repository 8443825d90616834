// attnlab CUDA harness: checks a kernel against the fp32 GPU reference and f64 CPU rows, then
// times it with CUDA events, speaking the harness lines of DESIGN.md on stdout.
//
// Build (all kernels, the archs the runner uses):  make -C native-runner/cuda
//   or by hand: nvcc -O3 -std=c++17 -gencode arch=compute_90a,code=sm_90a -Xcompiler -fopenmp
//               -o attnlab-cuda harness.cu naive_f32.cu flash_*.cu -ldl
// Every kernel file registers itself (RegisterKernel); the harness offers whatever was linked.
// Run:
//   attnlab-cuda --selftest                       every kernel at small shapes, PASS/FAIL lines
//   attnlab-cuda --info                           the hello line (GPU fingerprint)
//   attnlab-cuda --list                           the kernels, one JSON object per line
//   attnlab-cuda --kernel flash-v1 --batch 8 --heads 16 --seq 2048 --dim 128 --dtype f16
//                --causal 1 --iterations 100      check, then 100 samples
//   attnlab-cuda --kernel flash-decode --batch 8 --heads 32 --kv-heads 8 --seq 1 --kv-seq 8192
//                --dim 128 --dtype f16 --iterations 100   grouped-query decode (K/V: [B,Hkv,Skv,D])
// Without --iterations the harness samples until it reads "stop" (or EOF) on stdin.
#include <cuda_runtime.h>

#include <cstdio>
#include <string>

#include "../cpu/parent_death.hpp"
#include "check.hpp"
#include "common.cuh"
#include "gpu_env.hpp"
#include "nvml.hpp"
#include "timing.hpp"

using namespace attnlab;

namespace {

const CudaKernel* find_kernel(const std::string& id) {
  for (const CudaKernel* k : kernel_registry())
    if (id == k->id) return k;
  return nullptr;
}

std::string kernel_list() {
  std::string s;
  for (const CudaKernel* k : kernel_registry()) s += (s.empty() ? "" : ", ") + std::string(k->id);
  return s;
}

struct Stream {
  cudaStream_t s = nullptr;
  Stream() { CUDA_CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking)); }
  ~Stream() {
    if (s) cudaStreamDestroy(s);
  }
};

DeviceProblem problem_of(const Args& a, KvDims kv, const Buffers* b) {
  DeviceProblem p{b ? b->q : nullptr, b ? b->k : nullptr, b ? b->v : nullptr,
                  b ? b->o : nullptr, a.batch, a.heads, a.seq, a.dim, a.causal,
                  float(a.resolved_scale()), a.dtype};
  p.kv_heads = kv.heads;
  p.kv_seq = kv.seq;
  return p;
}

void require_supported(const Args& a, KvDims kv, const CudaKernel& k) {
  const std::string why = kv_refusal(k, problem_of(a, kv, nullptr));
  if (!why.empty()) throw HarnessError("unsupported", why);
  if (!k.supports_dtype(a.dtype)) {
    std::string allowed;
    for (Dtype d : k.dtypes) allowed += (allowed.empty() ? "" : ", ") + std::string(dtype_name(d));
    throw HarnessError("unsupported", std::string("--dtype: ") + k.id + " supports " + allowed +
                                          " (got " + dtype_name(a.dtype) + ")");
  }
  if (!k.supports_dim(a.dim)) {
    std::string allowed;
    for (int d : k.head_dims) allowed += (allowed.empty() ? "" : ", ") + std::to_string(d);
    throw HarnessError("unsupported", std::string("--dim: ") + k.id + " supports head dims " +
                                          allowed + " (got " + std::to_string(a.dim) + ")");
  }
}

struct MemoryWatch {
  size_t total = 0, free_before = 0;
  int64_t peak_used = 0;
  void sample() {
    size_t f = 0, t = 0;
    CUDA_CHECK(cudaMemGetInfo(&f, &t));
    peak_used = std::max<int64_t>(peak_used, int64_t(t) - int64_t(f));
  }
};

void emit_memory(const MemoryPlan& plan, const MemoryWatch& m, bool final) {
  const double total = double(m.total);
  const double used = final ? double(m.peak_used)
                            : double(m.total - m.free_before) + double(plan.total());
  JsonWriter w;
  w.begin_object().kv("type", "memory").key("memory").begin_object();
  w.kv("estimateBytes", plan.total());
  if (final) w.kv("peakBytes", m.peak_used); else w.key("peakBytes").null();
  w.kv("deviceTotalBytes", int64_t(m.total)).kv("freeBeforeBytes", int64_t(m.free_before));
  w.kv("usageFraction", used / total).kv("oomRisk", used / total > 0.85);
  w.end_object().end_object();
  emit(w);
}

// Napkin math next to the timing: achieved throughput against the device's ceilings.
// FLOPs count the visible (query, key) pairs exactly; minimal bytes read Q, K, V and write O once.
void log_napkin(const Args& a, KvDims kv, const GpuInfo& g, std::vector<double> ms) {
  if (ms.empty()) return;
  std::sort(ms.begin(), ms.end());
  const double med = ms[ms.size() / 2];
  double pairs = 0;
  for (int64_t i = 0; i < a.seq; ++i) pairs += double(last_visible_key(a.causal, i, a.seq, kv.seq) + 1);
  const double flops = 4.0 * a.batch * a.heads * pairs * a.dim;
  const double bytes =
      (2.0 * double(a.elements()) + 2.0 * double(kv_elements(a, kv))) * dtype_bytes(a.dtype);
  const double tf = flops / (med * 1e-3) / 1e12, gb = bytes / (med * 1e-3) / 1e9;
  char buf[400];
  std::snprintf(buf, sizeof buf,
                "median %.4f ms: %.1f TFLOP/s (%.0f%% of %.0f peak), %.0f GB/s (%.0f%% of %.0f "
                "peak; %.0f%% of the %.0f GB/s measured copy); floors: compute %.4f ms, memory %.4f ms",
                med, tf, g.peak_tflops > 0 ? 100 * tf / g.peak_tflops : 0, g.peak_tflops, gb,
                g.peak_gbps > 0 ? 100 * gb / g.peak_gbps : 0, g.peak_gbps,
                g.copy_gbps > 0 ? 100 * gb / g.copy_gbps : 0, g.copy_gbps,
                g.peak_tflops > 0 ? flops / (g.peak_tflops * 1e12) * 1e3 : 0,
                g.peak_gbps > 0 ? bytes / (g.peak_gbps * 1e9) * 1e3 : 0);
  emit_log(buf);
}

int run(const Args& a, KvDims kv, GpuInfo g, const Nvml& nvml) {
  const CudaKernel* k = find_kernel(a.kernel);
  if (!k) {
    throw HarnessError("unknown-kernel", "--kernel: unknown CUDA kernel \"" + a.kernel +
                                             "\" (choose " + kernel_list() + ")");
  }
  g.copy_gbps = measure_copy_gbps();
  DeviceProblem p = problem_of(a, kv, nullptr);
  emit_hello(g, nvml, k, &p);
  require_supported(a, kv, *k);

  const MemoryPlan plan = plan_memory(a, kv, *k, !a.warm);
  MemoryWatch mem;
  CUDA_CHECK(cudaMemGetInfo(&mem.free_before, &mem.total));
  const int64_t margin = 128LL << 20;  // context, graph and launch workspace
  if (plan.total() + margin > int64_t(mem.free_before)) {
    throw HarnessError("too-large-for-device",
                       "needs " + format_bytes(double(plan.total())) + " (" + plan.describe() +
                           ") + " + format_bytes(double(margin)) + " margin, but only " +
                           format_bytes(double(mem.free_before)) + " of " +
                           format_bytes(double(mem.total)) + " is free on " + g.prop.name);
  }
  emit_memory(plan, mem, false);
  Buffers b;
  prepare(a, kv, plan, b);
  p = problem_of(a, kv, &b);
  mem.sample();
  Stream stream;

  emit_phase("checking");
  const CheckOutcome c = check_kernel(a, kv, *k, p, b, stream.s);
  emit_check(a, c);
  if (!a.output.empty()) write_output(a.output, c.output.data(), a.elements());
  if (!c.passed) {
    throw HarnessError("correctness-failed", std::string(k->id) +
                                                 " does not match the reference (" + c.note +
                                                 "; tolerance " +
                                                 std::to_string(tolerance_for(a.dtype)) +
                                                 "); not timed");
  }
  mem.sample();
  Monitor monitor(nvml, now_ms());
  const TimingSummary t = time_kernel(a, *k, p, b, stream.s, monitor);
  mem.sample();
  log_napkin(a, kv, g, t.samples);
  emit_memory(plan, mem, true);
  emit_done(a, t);
  return 0;
}

// Every kernel, every dtype it has, at small and odd shapes, against both references; then the
// grouped-query and decode shapes of issue 14 (S ∈ {1, 3, 77}, Skv ∈ {1, 300, 1000},
// Hkv ∈ {1, 2, H}, causal and not) for every kernel that takes them (the others: SKIP with why).
int selftest(const GpuInfo& g) {
  struct Shape { int64_t b, h, s, d; bool causal; double scale; int64_t hkv = 0, skv = 0; };
  std::vector<Shape> shapes = {
      {1, 2, 77, 64, false, 0}, {1, 2, 77, 64, true, 0},     {2, 3, 128, 128, true, 0},
      {1, 1, 1, 64, false, 0},  {1, 2, 130, 32, true, 0},    {2, 2, 200, 128, false, 1.0},
      {1, 2, 1000, 64, true, 0}, {1, 1, 333, 128, false, 0}, {1, 2, 2048, 128, true, 0},
  };
  for (int64_t s : {1, 3, 77})
    for (int64_t skv : {1, 300, 1000})
      for (int64_t hkv : {1, 2, 8})
        for (bool causal : {false, true})
          shapes.push_back({1, 8, s, 128, causal, 0, hkv, skv});
  shapes.push_back({1, 32, 1, 128, false, 0, 8, 8192});  // the issue's decode shape, batch 1
  shapes.push_back({1, 28, 4, 64, true, 0, 4, 4099});    // odd Skv, 7 query heads per KV head
  shapes.push_back({1, 4, 300, 64, true, 0, 2, 1000});   // chunked prefill: S > 16, S ≠ Skv
  std::printf("attnlab CUDA selftest on %s (cc %d.%d, %d SMs); kernels: %s\n", g.prop.name,
              g.prop.major, g.prop.minor, g.prop.multiProcessorCount, kernel_list().c_str());
  int failures = 0, cases = 0;
  for (const CudaKernel* k : kernel_registry()) {
    for (Dtype dt : k->dtypes) {
      for (const Shape& sh : shapes) {
        Args a;
        a.kernel = k->id; a.batch = sh.b; a.heads = sh.h; a.seq = sh.s; a.dim = sh.d;
        a.causal = sh.causal; a.scale = sh.scale; a.dtype = dt; a.seed = 7;
        if (!k->supports_dim(a.dim)) continue;
        const KvDims kv = resolve_kv(a, sh.hkv, sh.skv);
        // naive-f32 is the reference; at f32 it checks itself on the small K/V shapes only.
        if (is_reference_kernel(*k) && kv.seq > 1000) continue;
        ++cases;
        char shape[200];
        std::snprintf(shape, sizeof shape, "%s %s B=%lld H=%lld Hkv=%lld S=%lld Skv=%lld D=%lld %s scale=%s",
                      k->id, dtype_name(dt), (long long)a.batch, (long long)a.heads,
                      (long long)kv.heads, (long long)a.seq, (long long)kv.seq, (long long)a.dim,
                      a.causal ? "causal" : "full", sh.scale > 0 ? "1" : "1/sqrt(D)");
        try {
          require_supported(a, kv, *k);
          Buffers b;
          prepare(a, kv, plan_memory(a, kv, *k, false), b);
          Stream stream;
          const CheckOutcome c = check_kernel(a, kv, *k, problem_of(a, kv, &b), b, stream.s, 1024);
          failures += c.passed ? 0 : 1;
          std::printf("%s %s: %s\n", c.passed ? "PASS" : "FAIL", shape, c.note.c_str());
        } catch (const HarnessError& e) {
          if (e.code == "unsupported") {  // e.g. a Hopper-only kernel on another GPU or build
            std::printf("SKIP %s: %s\n", shape, e.what());
            continue;
          }
          ++failures;
          std::printf("FAIL %s: [%s] %s\n", shape, e.code.c_str(), e.what());
          if (e.code == "cuda-error") {
            std::printf("a CUDA error poisons the context; stopping the selftest here\n");
            std::printf("SELFTEST FAILED: %d failure(s) in %d case(s)\n", failures, cases);
            return 1;
          }
        }
        std::fflush(stdout);
      }
    }
  }
  std::printf("%s: %d failure(s) in %d case(s)\n", failures ? "SELFTEST FAILED" : "SELFTEST PASSED",
              failures, cases);
  return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  die_with_parent();  // never outlive the runner (kill -9 included)
  Args a;
  KvDims kv;
  try {
    a = parse_args(argc, argv);  // --kv-heads/--kv-seq: ../cpu/harness_common.hpp
    kv = resolve_kv(a, a.kv_heads, a.kv_seq);
  } catch (const HarnessError& e) {
    emit_error(e.code, e.what());
    return 2;
  }
  if (a.help) {
    std::fprintf(stderr, "attnlab CUDA harness (kernels: %s)\n%s", kernel_list().c_str(),
                 usage_text());
    return 0;
  }
  if (a.list) {
    // One JSON object per kernel (the runner's kernel list); needs no GPU.
    for (const CudaKernel* k : kernel_registry()) {
      JsonWriter w;
      w.begin_object().kv("id", k->id).kv("description", k->description);
      w.key("dtypes").begin_array();
      for (Dtype d : k->dtypes) w.value(dtype_name(d));
      w.end_array().key("headDims").begin_array();
      for (int d = 8; d <= 256; d += 8)
        if (k->supports_dim(d)) w.value(d);
      // kvShape: grouped-query heads and S ≠ Skv (issue 14); the runner refuses the others.
      w.end_array().kv("causal", k->causal).kv("kvShape", k->kv_support != nullptr).end_object();
      std::printf("%s\n", w.str().c_str());
    }
    return 0;
  }
  try {
    Nvml nvml;
    const GpuInfo g = query_gpu(a.device, nvml);
    if (a.info) {
      emit_hello(g, nvml, nullptr, nullptr);
      return 0;
    }
    if (a.selftest) return selftest(g);
    return run(a, kv, g, nvml);
  } catch (const HarnessError& e) {
    emit_error(e.code, e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    emit_error("too-large-for-device", "out of host memory while preparing the inputs");
    return 1;
  } catch (const std::exception& e) {
    emit_error("internal", e.what());
    return 1;
  }
}
