// attnlab CPU harness: checks a CPU attention kernel against f64 rows, then times it with the
// CPU clock, speaking the harness lines of DESIGN.md on stdout.
//
// Build alone:  sh native-runner/cpu/build.sh native-runner/build/cpu/attnlab-cpu
// Run alone:    native-runner/build/cpu/attnlab-cpu --kernel cpu-flash-f32 --batch 1
//                 --heads 2 --seq 256 --dim 64 --iterations 30
//               native-runner/build/cpu/attnlab-cpu --kernel cpu-flash-f32 --heads 8
//                 --kv-heads 2 --seq 1 --kv-seq 4096 --dim 64 --causal 1 --iterations 30
//               native-runner/build/cpu/attnlab-cpu --selftest
// Without --iterations the harness samples until it reads "stop" (or EOF) on stdin.
#include <omp.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <vector>

#include "harness_common.hpp"
#include "parent_death.hpp"
#include "kernels.hpp"
#include "reference.hpp"

#ifndef ATTNLAB_CXX_FLAGS
#define ATTNLAB_CXX_FLAGS "unknown"
#endif

using namespace attnlab;

namespace {

const CpuKernel* find_kernel(const std::string& id) {
  int n = 0;
  const CpuKernel* ks = cpu_kernels(&n);
  for (int i = 0; i < n; ++i)
    if (id == ks[i].id) return &ks[i];
  return nullptr;
}

std::string kernel_list() {
  int n = 0;
  const CpuKernel* ks = cpu_kernels(&n);
  std::string s;
  for (int i = 0; i < n; ++i) s += (i ? ", " : "") + std::string(ks[i].id);
  return s;
}

void emit_hello(const Args& a, const CpuKernel* k) {
  JsonWriter w;
  w.begin_object().kv("type", "hello").kv("schema", "attnlab/harness@1").kv("backend", "cpu");
  if (k) {
    w.kv("kernel", k->id).key("kernelParams").begin_object();
    w.kv("tileRows", k->tile_rows).kv("tileCols", k->tile_cols);
    w.kv("threads", omp_get_max_threads()).end_object();
  }
  (void)a;
  w.key("env").begin_object();
  write_host(w);
  w.key("compiler").begin_object().kv("name", "g++").kv("version", __VERSION__);
  w.kv("flags", ATTNLAB_CXX_FLAGS).end_object();
  w.key("software").begin_object().kv("openmp", std::to_string(_OPENMP));
  w.kv("threads", std::to_string(omp_get_max_threads())).end_object();
  w.end_object().end_object();
  emit(w);
}

int64_t peak_rss_bytes() {
  struct rusage u;
  if (getrusage(RUSAGE_SELF, &u) != 0) return 0;
  return int64_t(u.ru_maxrss) * 1024;
}

// Bytes written between samples to evict the caches: twice the last-level cache as the OS
// reports it, within 32..128 MiB (a VM may report the whole socket's L3).
int64_t flush_bytes() {
  long llc = sysconf(_SC_LEVEL3_CACHE_SIZE);
  if (llc <= 0) llc = sysconf(_SC_LEVEL2_CACHE_SIZE);
  return std::min<int64_t>(128LL << 20, std::max<int64_t>(32LL << 20, 2 * int64_t(llc)));
}

void emit_memory(int64_t estimate, bool with_peak) {
  const int64_t total = host_mem_total();
  const int64_t peak = with_peak ? peak_rss_bytes() : 0;
  const double used = double(with_peak ? peak : estimate);
  JsonWriter w;
  w.begin_object().kv("type", "memory").key("memory").begin_object();
  w.kv("estimateBytes", estimate);
  if (with_peak) w.kv("peakBytes", peak); else w.key("peakBytes").null();
  if (total > 0) w.kv("deviceTotalBytes", total); else w.key("deviceTotalBytes").null();
  w.kv("freeBeforeBytes", host_mem_available());
  if (total > 0) w.kv("usageFraction", used / double(total)); else w.key("usageFraction").null();
  w.kv("oomRisk", total > 0 && used / double(total) > 0.85);
  w.end_object().end_object();
  emit(w);
}

CpuProblem problem_of(const Args& a) {
  return CpuProblem{a.batch * a.heads, a.seq,          a.dim,  a.causal, float(a.resolved_scale()),
                    a.heads / a.hkv(),   a.skv()};
}

// Runs every kernel at small shapes (odd S, causal both ways, several D; grouped-query heads,
// decode and S > Skv with fully masked rows) against f64 rows.
int selftest() {
  struct Shape { int64_t b, h, s, d; bool causal; double scale; int64_t hkv = 0, skv = 0; };
  const Shape shapes[] = {{1, 2, 77, 64, false, 0},      {1, 2, 77, 64, true, 0},
                          {2, 1, 128, 32, true, 0},      {1, 1, 1, 8, false, 0},
                          {1, 2, 100, 128, false, 1.0},  {1, 1, 65, 128, true, 0},
                          {2, 4, 1, 64, true, 0, 1, 300}, {1, 4, 3, 32, true, 0, 2, 1000},
                          {1, 4, 77, 16, true, 0, 4, 1},  {1, 4, 77, 16, false, 0, 2, 300}};
  int n = 0;
  const CpuKernel* ks = cpu_kernels(&n);
  int failures = 0;
  for (int i = 0; i < n; ++i) {
    for (const Shape& sh : shapes) {
      Args a;
      a.batch = sh.b; a.heads = sh.h; a.seq = sh.s; a.dim = sh.d; a.causal = sh.causal;
      a.scale = sh.scale;
      a.kv_heads = sh.hkv;
      a.kv_seq = sh.skv;
      const int64_t len = a.elements(), kvlen = a.kv_elems();
      std::vector<float> q(static_cast<size_t>(len)), k(static_cast<size_t>(kvlen)), v(static_cast<size_t>(kvlen));
      std::vector<float> o(size_t(len), std::numeric_limits<float>::quiet_NaN());
      fill_inputs(7, 0, q.data(), len);
      fill_inputs(7, 1, k.data(), kvlen);
      fill_inputs(7, 2, v.data(), kvlen);
      ks[i].fn(problem_of(a), q.data(), k.data(), v.data(), o.data());
      auto rows = sample_rows(a, 7, 1 << 30);
      ErrorStats e = check_rows_f64(a, q.data(), k.data(), v.data(), o.data(), rows);
      const bool ok = e.passed(tolerance_for(Dtype::F32));
      failures += ok ? 0 : 1;
      std::printf("%s %s B=%lld H=%lld Hkv=%lld S=%lld Skv=%lld D=%lld %s scale=%s %s\n",
                  ok ? "PASS" : "FAIL", ks[i].id, (long long)a.batch, (long long)a.heads,
                  (long long)a.hkv(), (long long)a.seq, (long long)a.skv(),
                  (long long)a.dim, a.causal ? "causal" : "full",
                  sh.scale > 0 ? "1" : "1/sqrt(D)", describe_errors("vs f64", e).c_str());
    }
  }
  std::printf("%s: %d failure(s)\n", failures ? "SELFTEST FAILED" : "SELFTEST PASSED", failures);
  return failures ? 1 : 0;
}

int run(const Args& a) {
  const CpuKernel* kernel = find_kernel(a.kernel);
  if (!kernel) {
    throw HarnessError("unknown-kernel", "--kernel: unknown CPU kernel \"" + a.kernel +
                                             "\" (choose " + kernel_list() + ")");
  }
  emit_hello(a, kernel);
  if (a.dtype != Dtype::F32) {
    throw HarnessError("unsupported", std::string("--dtype: the cpu backend computes in f32 only (got ") +
                                          dtype_name(a.dtype) + ")");
  }
  const int64_t n = a.elements(), nkv = a.kv_elems();
  const int threads = omp_get_max_threads();
  const int64_t flush = a.warm ? 0 : flush_bytes();
  const int64_t scratch = int64_t(threads) * (a.skv() + 4 * 64 * 256) * 4;
  const int64_t estimate = (2 * n + 2 * nkv) * 4 + flush + scratch;
  const int64_t avail = host_mem_available();
  if (avail > 0 && estimate > avail * 9 / 10) {
    throw HarnessError("too-large-for-device",
                       "needs " + format_bytes(double(estimate)) + " (q, o: 2 × " +
                           format_bytes(double(n * 4)) + ", k, v: 2 × " +
                           format_bytes(double(nkv * 4)) + ", cache flush " +
                           format_bytes(double(flush)) + ") but only " +
                           format_bytes(double(avail)) + " of host memory is available");
  }
  std::vector<float> q, k, v;
  if (!a.inputs.empty()) {
    read_inputs(a.inputs, n, q, k, v, nkv);
  } else {
    // K and V are drawn by flat index, as every backend draws them (seeded-inputs.ts).
    q.resize(size_t(n)); k.resize(size_t(nkv)); v.resize(size_t(nkv));
    fill_inputs(a.seed, 0, q.data(), n);
    fill_inputs(a.seed, 1, k.data(), nkv);
    fill_inputs(a.seed, 2, v.data(), nkv);
  }
  std::vector<float> o(size_t(n), std::numeric_limits<float>::quiet_NaN());  // poisoned
  std::vector<unsigned char> flush_buf(static_cast<size_t>(flush));
  emit_memory(estimate, false);

  emit_phase("checking");
  const CpuProblem p = problem_of(a);
  kernel->fn(p, q.data(), k.data(), v.data(), o.data());
  const auto rows = sample_rows(a, a.seed);
  const ErrorStats e = check_rows_f64(a, q.data(), k.data(), v.data(), o.data(), rows);
  const double tol = tolerance_for(a.dtype);
  const bool passed = e.passed(tol);
  emit_check("f64-cpu", int64_t(rows.size()), a.rows(), e, tol, passed,
             describe_errors("vs f64 on checked rows", e));
  if (!a.output.empty()) write_output(a.output, o.data(), n);
  if (!passed) {
    throw HarnessError("correctness-failed",
                       std::string(kernel->id) + " does not match the f64 reference (" +
                           describe_errors("checked rows", e) + ", tolerance " +
                           std::to_string(tol) + "); not timed");
  }

  emit_phase("warmup");
  auto flush_caches = [&](int64_t i) {
    if (flush > 0) std::memset(flush_buf.data(), int(i & 0xff), size_t(flush));
  };
  const double w0 = now_ms();
  kernel->fn(p, q.data(), k.data(), v.data(), o.data());
  const double first = now_ms() - w0;
  // Default warmup: ~100 ms of launches, between 1 and 10.
  const int64_t warmup = a.warmup >= 0 ? a.warmup
                                       : std::clamp<int64_t>(int64_t(100.0 / std::max(first, 1e-3)), 1, 10);
  for (int64_t i = 1; i < warmup; ++i) kernel->fn(p, q.data(), k.data(), v.data(), o.data());

  emit_phase("timing");
  StopPoller poller;
  std::vector<double> batch;
  int64_t taken = 0;
  const double t_start = now_ms();
  double last_emit = t_start;
  auto emit_samples = [&]() {
    if (batch.empty()) return;
    JsonWriter w;
    w.begin_object().kv("type", "samples").key("ms").begin_array();
    for (double x : batch) w.value(x);
    w.end_array().end_object();
    emit(w);
    batch.clear();
    last_emit = now_ms();
  };
  for (;;) {
    flush_caches(taken);
    const auto t0 = std::chrono::steady_clock::now();
    kernel->fn(p, q.data(), k.data(), v.data(), o.data());
    const auto t1 = std::chrono::steady_clock::now();
    batch.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    ++taken;
    const double now = now_ms();
    const bool limit = a.iterations > 0 ? taken >= a.iterations
                                        : taken >= a.max_samples || now - t_start >= a.max_ms;
    if (limit) break;
    if (now - last_emit >= a.flush_ms) {
      emit_samples();
      if (a.iterations == 0 && poller.should_stop()) break;
    }
  }
  emit_samples();
  emit_memory(estimate, true);

  JsonWriter w;
  w.begin_object().kv("type", "done").key("timing").begin_object();
  w.kv("method", "cpu-clock");
  using period = std::chrono::steady_clock::period;
  w.kv("quantumMs", 1e3 * double(period::num) / double(period::den));
  w.kv("dispatchesPerSample", 1).kv("warmup", warmup).kv("cache", a.warm ? "warm" : "cold");
  w.key("stopRule").begin_object().kv("kind", "count").kv("iterations", taken).end_object();
  w.key("notes").begin_array();
  w.value("CPU wall clock (std::chrono::steady_clock) around each call; " +
          std::to_string(threads) + " OpenMP threads");
  w.value(a.warm ? std::string("warm: caches not flushed between samples")
                 : "cold: " + format_bytes(double(flush)) +
                       " written before each sample, outside the timed span");
  w.end_array().end_object().end_object();
  emit(w);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  die_with_parent();  // never outlive the runner (kill -9 included)
  Args a;
  try {
    a = parse_args(argc, argv);
  } catch (const HarnessError& e) {
    emit_error(e.code, e.what());
    return 2;
  }
  if (a.help) {
    std::fprintf(stderr, "attnlab CPU harness (kernels: %s)\n%s", kernel_list().c_str(),
                 usage_text());
    return 0;
  }
  if (a.threads > 0) omp_set_num_threads(a.threads);
  if (a.list) {
    std::printf("%s\n", kernel_list().c_str());
    return 0;
  }
  if (a.selftest) return selftest();
  if (a.info) {
    emit_hello(a, nullptr);
    return 0;
  }
  try {
    return run(a);
  } catch (const HarnessError& e) {
    emit_error(e.code, e.what());
    return 1;
  } catch (const std::bad_alloc&) {
    emit_error("too-large-for-device", "out of host memory while allocating the tensors");
    return 1;
  } catch (const std::exception& e) {
    emit_error("internal", e.what());
    return 1;
  }
}
