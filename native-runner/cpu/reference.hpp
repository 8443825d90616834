// Inputs and the f64 reference shared by the CPU and CUDA harnesses (header-only, C++17).
//
// Inputs are a counter-based hash of (seed, tensor, index), so every backend (C++, CUDA host,
// the Python SDPA harness, the TS tests) draws the same Q, K, V for the same seed, and any one
// element can be recomputed on its own. Values are uniform in [-√3, √3) (unit variance), so the
// scaled scores have unit variance at the default scale and softmax is far from uniform.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "harness_common.hpp"

namespace attnlab {

inline uint64_t splitmix64(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31);
}

// Element i of tensor t (0: Q, 1: K, 2: V) for a seed. Matches python/sdpa_harness.py and the
// TS test helper bit for bit: the double arithmetic below is exact up to one rounding.
inline float input_value(uint64_t seed, int tensor, uint64_t i) {
  uint64_t key = splitmix64(seed * 3ULL + uint64_t(tensor));
  uint64_t h = splitmix64(key ^ i);
  double u = double(h >> 40) * (1.0 / 16777216.0);  // [0, 1), 24 bits
  return float((2.0 * u - 1.0) * 1.7320508075688772);
}

inline void fill_inputs(uint64_t seed, int tensor, float* out, int64_t n) {
#pragma omp parallel for schedule(static)
  for (int64_t i = 0; i < n; ++i) out[i] = input_value(seed, tensor, uint64_t(i));
}

// A (b·H + h, row) pair to check.
struct RowRef {
  int64_t bh;
  int64_t row;
};

// Rows checked against f64: all rows when there are at most `want`, else `want` rows drawn by
// the seed, always including the first and last row (causal edge cases live there).
inline std::vector<RowRef> sample_rows(const Args& a, uint64_t seed, int64_t want = 256) {
  std::vector<RowRef> rows;
  int64_t bh_total = a.batch * a.heads;
  if (a.rows() <= want) {
    for (int64_t bh = 0; bh < bh_total; ++bh)
      for (int64_t r = 0; r < a.seq; ++r) rows.push_back({bh, r});
    return rows;
  }
  rows.push_back({0, 0});
  rows.push_back({bh_total - 1, a.seq - 1});
  rows.push_back({0, a.seq - 1});
  for (int64_t i = 0; int64_t(rows.size()) < want; ++i) {
    uint64_t h = splitmix64(seed ^ (0xC0FFEEULL + uint64_t(i) * 0x9E3779B97F4A7C15ULL));
    rows.push_back({int64_t(h % uint64_t(bh_total)), int64_t((h >> 32) % uint64_t(a.seq))});
  }
  return rows;
}

// Keys query row i sees: all Skv, or under the bottom-right causal mask j ≤ i + Skv − S, i.e.
// max(0, i + Skv − S + 1) (0: a fully masked row, whose output is 0).
inline int64_t visible_key_count(const Args& a, int64_t row) {
  const int64_t skv = a.skv();
  if (!a.causal) return skv;
  return std::min(skv, std::max<int64_t>(0, row + skv - a.seq + 1));
}

// f64 attention for one row: out[d] = Σ_j softmax_j(scale·q·k_j) v_j[d], with K/V of the KV
// head h·Hkv/H (see Args::kv_heads).
inline void reference_row(const Args& a, const float* q, const float* k, const float* v,
                          RowRef r, double* out) {
  const int64_t S = a.seq, D = a.dim, H = a.heads, Hkv = a.hkv(), Skv = a.skv();
  const double scale = a.resolved_scale();
  const int64_t kv_head = (r.bh / H) * Hkv + (r.bh % H) * Hkv / H;
  const size_t kv_base = size_t(kv_head * Skv * D);
  const float* qr = q + size_t((r.bh * S + r.row) * D);
  const int64_t n = visible_key_count(a, r.row);
  for (int64_t d = 0; d < D; ++d) out[d] = 0;
  if (n == 0) return;
  std::vector<double> s(static_cast<size_t>(n));
  double m = -INFINITY;
  for (int64_t j = 0; j < n; ++j) {
    const float* kj = k + kv_base + size_t(j * D);
    double dot = 0;
    for (int64_t d = 0; d < D; ++d) dot += double(qr[d]) * double(kj[d]);
    s[size_t(j)] = dot * scale;
    m = std::max(m, s[size_t(j)]);
  }
  double l = 0;
  for (int64_t j = 0; j < n; ++j) {
    double p = std::exp(s[size_t(j)] - m);
    l += p;
    const float* vj = v + kv_base + size_t(j * D);
    for (int64_t d = 0; d < D; ++d) out[d] += p * double(vj[d]);
  }
  for (int64_t d = 0; d < D; ++d) out[d] /= l;
}

// Relative L2 tolerance per dtype: f32 accumulates in f32; f16/bf16 kernels round P and O.
inline double tolerance_for(Dtype d) {
  return d == Dtype::F32 ? 1e-4 : d == Dtype::F16 ? 5e-3 : 2e-2;
}

// Error of an output against a reference over some elements.
struct ErrorStats {
  double max_abs = 0;
  double sq_err = 0;
  double sq_ref = 0;
  int64_t non_finite = 0;
  int64_t first_bad = -1;  // first non-finite element, or -1
  void add(double got, double want, int64_t index) {
    if (!std::isfinite(got)) {
      if (first_bad < 0) first_bad = index;
      ++non_finite;
      return;
    }
    double e = std::fabs(got - want);
    max_abs = std::max(max_abs, e);
    sq_err += e * e;
    sq_ref += want * want;
  }
  // Folds in the stats of another (e.g. a per-thread) part; parts are merged in index order.
  void merge(const ErrorStats& p) {
    max_abs = std::max(max_abs, p.max_abs);
    sq_err += p.sq_err;
    sq_ref += p.sq_ref;
    non_finite += p.non_finite;
    if (first_bad < 0) first_bad = p.first_bad;
  }
  double rel_l2() const { return sq_ref > 0 ? std::sqrt(sq_err / sq_ref) : std::sqrt(sq_err); }
  bool passed(double tol) const { return non_finite == 0 && rel_l2() <= tol; }
};

// Compares sampled rows of `o` (f32, [B,H,S,D]) with f64 rows computed from q, k, v.
inline ErrorStats check_rows_f64(const Args& a, const float* q, const float* k, const float* v,
                                 const float* o, const std::vector<RowRef>& rows) {
  std::vector<ErrorStats> parts(rows.size());
#pragma omp parallel for schedule(dynamic)
  for (int64_t i = 0; i < int64_t(rows.size()); ++i) {
    std::vector<double> ref(static_cast<size_t>(a.dim));
    const RowRef r = rows[size_t(i)];
    reference_row(a, q, k, v, r, ref.data());
    const int64_t off = (r.bh * a.seq + r.row) * a.dim;
    for (int64_t d = 0; d < a.dim; ++d) parts[size_t(i)].add(o[off + d], ref[size_t(d)], off + d);
  }
  ErrorStats total;
  for (const auto& p : parts) total.merge(p);
  return total;
}

// Writes a `check` line.
inline void emit_check(const std::string& reference, int64_t rows_checked, int64_t rows_total,
                       const ErrorStats& e, double tol, bool passed, const std::string& note) {
  JsonWriter w;
  w.begin_object().kv("type", "check").key("correctness").begin_object();
  w.kv("reference", reference).kv("rowsChecked", rows_checked).kv("rowsTotal", rows_total);
  if (e.non_finite > 0) {
    w.key("maxAbsErr").null().key("relL2Err").null();
  } else {
    w.kv("maxAbsErr", e.max_abs).kv("relL2Err", e.rel_l2());
  }
  w.kv("tolerance", tol).kv("passed", passed);
  if (!note.empty()) w.kv("note", note);
  w.end_object().end_object();
  emit(w);
}

inline std::string describe_errors(const char* what, const ErrorStats& e) {
  char buf[256];
  if (e.non_finite > 0) {
    std::snprintf(buf, sizeof buf, "%s: %lld non-finite values (first at flat index %lld)", what,
                  (long long)e.non_finite, (long long)e.first_bad);
  } else {
    std::snprintf(buf, sizeof buf, "%s: max abs err %.3g, rel L2 err %.3g", what, e.max_abs,
                  e.rel_l2());
  }
  return buf;
}

}  // namespace attnlab
