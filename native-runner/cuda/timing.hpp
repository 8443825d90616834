// The CUDA harness's timing loop: warmup, then samples timed with CUDA events around each launch
// (or around a CUDA graph of k launches when one launch is under 20 µs), the L2 flushed by a
// 256 MiB memset outside the timed span unless --warm, samples streamed in batches with
// per-sample throttle flags from the NVML monitor.
#pragma once

#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "check.hpp"
#include "common.cuh"
#include "nvml.hpp"

namespace attnlab {

// RAII for the few CUDA handles the loop creates.
struct Events {
  std::vector<cudaEvent_t> list;
  explicit Events(size_t n) : list(n, nullptr) {
    for (auto& e : list) CUDA_CHECK(cudaEventCreate(&e));
  }
  ~Events() {
    for (auto e : list)
      if (e) cudaEventDestroy(e);
  }
};

struct Graph {
  cudaGraph_t graph = nullptr;
  cudaGraphExec_t exec = nullptr;
  ~Graph() {
    if (exec) cudaGraphExecDestroy(exec);
    if (graph) cudaGraphDestroy(graph);
  }
};

struct TimingSummary {
  int64_t warmup = 0;
  int dispatches = 1;  // launches per sample
  bool graph = false;
  int64_t taken = 0;
  std::vector<double> samples;  // ms per launch
  std::vector<std::string> notes;
};

// Median of a few single launches, ms (after the caller's warmup).
inline double probe_ms(const CudaKernel& k, const DeviceProblem& p, cudaStream_t s, int reps) {
  Events ev(2 * size_t(reps));
  for (int i = 0; i < reps; ++i) {
    CUDA_CHECK(cudaEventRecord(ev.list[2 * size_t(i)], s));
    k.launch(p, s);
    CUDA_CHECK(cudaEventRecord(ev.list[2 * size_t(i) + 1], s));
  }
  CUDA_CHECK(cudaEventSynchronize(ev.list.back()));
  std::vector<double> ms(static_cast<size_t>(reps));
  for (int i = 0; i < reps; ++i) {
    float x = 0;
    CUDA_CHECK(cudaEventElapsedTime(&x, ev.list[2 * size_t(i)], ev.list[2 * size_t(i) + 1]));
    ms[size_t(i)] = x;
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

inline TimingSummary time_kernel(const Args& a, const CudaKernel& k, const DeviceProblem& p,
                                 Buffers& b, cudaStream_t s, Monitor& monitor) {
  TimingSummary t;
  emit_phase("warmup");
  k.launch(p, s);
  const double first = probe_ms(k, p, s, 3);
  // Default warmup: ~100 ms of launches, 5..1000.
  t.warmup = a.warmup >= 0 ? a.warmup
                           : std::clamp<int64_t>(int64_t(std::ceil(100.0 / std::max(first, 1e-4))), 5, 1000);
  for (int64_t i = 0; i < t.warmup; ++i) k.launch(p, s);
  CUDA_CHECK(cudaStreamSynchronize(s));
  const double single = probe_ms(k, p, s, 5);

  Graph graph;
  if (single < 0.020) {
    // Launch overhead would dominate: capture k launches in a graph and time the graph.
    t.dispatches = int(std::clamp(std::ceil(0.1 / std::max(single, 1e-4)), 2.0, 1000.0));
    t.graph = true;
    CUDA_CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
    for (int i = 0; i < t.dispatches; ++i) k.launch(p, s);
    CUDA_CHECK(cudaStreamEndCapture(s, &graph.graph));
    CUDA_CHECK(cudaGraphInstantiate(&graph.exec, graph.graph, 0));
    CUDA_CHECK(cudaGraphLaunch(graph.exec, s));  // upload + one warm replay
    CUDA_CHECK(cudaStreamSynchronize(s));
  }
  // Samples per batch: half the flush interval's worth of work, 1..256.
  const double flush_cost = a.warm ? 0.0 : 0.15;  // ~256 MiB memset, ms, order of magnitude
  const double per_sample = single * t.dispatches + flush_cost;
  const int64_t batch = std::clamp<int64_t>(int64_t(a.flush_ms * 0.5 / std::max(per_sample, 1e-3)), 1, 256);
  Events ev(2 * size_t(batch));

  emit_phase("timing");
  StopPoller poller;
  const double t_start = now_ms();
  double last_clock = -1e9;
  for (;;) {
    int64_t nb = batch;
    if (a.iterations > 0) nb = std::min<int64_t>(nb, a.iterations - t.taken);
    nb = std::min<int64_t>(nb, a.max_samples - t.taken);
    for (int64_t i = 0; i < nb; ++i) {
      if (!a.warm) {
        CUDA_CHECK(cudaMemsetAsync(b.flush, int((t.taken + i) & 0xff), size_t(kL2FlushBytes), s));
      }
      CUDA_CHECK(cudaEventRecord(ev.list[2 * size_t(i)], s));
      if (t.graph) CUDA_CHECK(cudaGraphLaunch(graph.exec, s));
      else k.launch(p, s);
      CUDA_CHECK(cudaEventRecord(ev.list[2 * size_t(i) + 1], s));
    }
    CUDA_CHECK(cudaEventSynchronize(ev.list[2 * size_t(nb) - 1]));
    const bool throttled = monitor.take_throttled();
    JsonWriter w;
    w.begin_object().kv("type", "samples").key("ms").begin_array();
    for (int64_t i = 0; i < nb; ++i) {
      float ms = 0;
      CUDA_CHECK(cudaEventElapsedTime(&ms, ev.list[2 * size_t(i)], ev.list[2 * size_t(i) + 1]));
      const double one = double(ms) / t.dispatches;
      t.samples.push_back(one);
      w.value(one);
    }
    w.end_array();
    if (monitor.active()) {
      w.key("throttled").begin_array();
      for (int64_t i = 0; i < nb; ++i) w.value(throttled);
      w.end_array();
    }
    w.end_object();
    emit(w);
    t.taken += nb;
    const double now = now_ms();
    if (now - last_clock >= 250) {
      const Nvml::Reading r = monitor.latest();
      if (r.t_ms >= 0) emit_clock(r);
      last_clock = now;
    }
    if (a.iterations > 0 ? t.taken >= a.iterations
                         : t.taken >= a.max_samples || now - t_start >= a.max_ms ||
                               poller.should_stop()) {
      break;
    }
  }
  t.notes.push_back("CUDA events recorded on the stream around each sample (resolution about "
                    "0.5 us per the CUDA documentation)");
  t.notes.push_back(a.warm ? std::string("warm: L2 not flushed between samples")
                           : "cold: 256 MiB cudaMemsetAsync before each sample flushes L2, "
                             "outside the timed span");
  if (t.graph) {
    t.notes.push_back("one launch took " + std::to_string(single * 1e3) +
                      " us (< 20 us): each sample is a CUDA graph of " +
                      std::to_string(t.dispatches) +
                      " launches divided by that count; only its first launch starts cold");
  }
  if (!monitor.active()) t.notes.push_back("NVML unavailable: throttling not observed");
  return t;
}

inline void emit_done(const Args& a, const TimingSummary& t) {
  JsonWriter w;
  w.begin_object().kv("type", "done").key("timing").begin_object();
  // No quantum is observed with events; their documented resolution goes into the notes.
  w.kv("method", "cuda-event").key("quantumMs").null();
  w.kv("dispatchesPerSample", t.dispatches).kv("warmup", t.warmup);
  w.kv("cache", a.warm ? "warm" : "cold");
  w.key("stopRule").begin_object().kv("kind", "count").kv("iterations", std::max<int64_t>(t.taken, 1));
  w.end_object();
  w.kv("graph", t.graph);
  w.key("notes").begin_array();
  for (const auto& n : t.notes) w.value(n);
  w.end_array().end_object().end_object();
  emit(w);
}

}  // namespace attnlab
