// The K/V shape of a problem (grouped-query heads, S ≠ Skv) for the CUDA harness and its host
// emulators, and the f64 reference rows for it (host-only C++17).
//
// Q and O are [B, H, S, D]; K and V are [B, Hkv, Skv, D]. Query head h reads KV head h·Hkv/H.
// Causal with S ≠ Skv is aligned bottom-right: query i sees keys j ≤ i + Skv − S (the decode
// convention of FlashAttention ≥ 2.1); a row that sees no key outputs zeros, as FlashAttention
// does. With Hkv = H and Skv = S this is exactly reference_row of ../cpu/reference.hpp.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "../cpu/reference.hpp"

namespace attnlab {

// Hkv and Skv of a problem (both ≥ 1; equal to H and S for the square problem).
struct KvDims {
  int64_t heads = 0;
  int64_t seq = 0;
};

// The K/V shape of `a` given --kv-heads/--kv-seq (0: same as Q). Throws bad-config naming the
// flag when Hkv does not divide H.
inline KvDims resolve_kv(const Args& a, int64_t kv_heads, int64_t kv_seq) {
  KvDims kv{kv_heads > 0 ? kv_heads : a.heads, kv_seq > 0 ? kv_seq : a.seq};
  if (a.heads % kv.heads != 0) {
    throw HarnessError("bad-config", "--kv-heads: must divide --heads " + std::to_string(a.heads) +
                                         " (got " + std::to_string(kv.heads) + ")");
  }
  return kv;
}

inline int64_t kv_elements(const Args& a, KvDims kv) { return a.batch * kv.heads * kv.seq * a.dim; }

inline bool is_square(const Args& a, KvDims kv) { return kv.heads == a.heads && kv.seq == a.seq; }

// The last key query row i may see (−1: none).
inline int64_t last_visible_key(bool causal, int64_t i, int64_t S, int64_t Skv) {
  return causal ? std::max<int64_t>(-1, std::min(Skv - 1, i + Skv - S)) : Skv - 1;
}

// The KV head (b·Hkv + h·Hkv/H) read by query head bh = b·H + h.
inline int64_t kv_head_of(int64_t bh, int64_t H, int64_t Hkv) {
  return (bh / H) * Hkv + (bh % H) * Hkv / H;
}

// f64 attention for one query row of the K/V-shaped problem.
inline void reference_row_kv(const Args& a, KvDims kv, const float* q, const float* k,
                             const float* v, RowRef r, double* out) {
  const int64_t D = a.dim;
  const double scale = a.resolved_scale();
  const float* qr = q + size_t((r.bh * a.seq + r.row) * D);
  const size_t kv_base = size_t(kv_head_of(r.bh, a.heads, kv.heads) * kv.seq * D);
  const int64_t last = last_visible_key(a.causal, r.row, a.seq, kv.seq);
  for (int64_t d = 0; d < D; ++d) out[d] = 0;
  if (last < 0) return;
  std::vector<double> s(static_cast<size_t>(last + 1));
  double m = -INFINITY;
  for (int64_t j = 0; j <= last; ++j) {
    const float* kj = k + kv_base + size_t(j * D);
    double dot = 0;
    for (int64_t d = 0; d < D; ++d) dot += double(qr[d]) * double(kj[d]);
    s[size_t(j)] = dot * scale;
    m = std::max(m, s[size_t(j)]);
  }
  double l = 0;
  for (int64_t j = 0; j <= last; ++j) {
    const double p = std::exp(s[size_t(j)] - m);
    l += p;
    const float* vj = v + kv_base + size_t(j * D);
    for (int64_t d = 0; d < D; ++d) out[d] += p * double(vj[d]);
  }
  for (int64_t d = 0; d < D; ++d) out[d] /= l;
}

// Compares sampled rows of `o` (f32, [B,H,S,D]) with f64 rows of the K/V-shaped problem.
inline ErrorStats check_rows_kv(const Args& a, KvDims kv, const float* q, const float* k,
                                const float* v, const float* o, const std::vector<RowRef>& rows) {
  std::vector<ErrorStats> parts(rows.size());
#pragma omp parallel for schedule(dynamic)
  for (int64_t i = 0; i < int64_t(rows.size()); ++i) {
    std::vector<double> ref(static_cast<size_t>(a.dim));
    const RowRef r = rows[size_t(i)];
    reference_row_kv(a, kv, q, k, v, r, ref.data());
    const int64_t off = (r.bh * a.seq + r.row) * a.dim;
    for (int64_t d = 0; d < a.dim; ++d) parts[size_t(i)].add(o[off + d], ref[size_t(d)], off + d);
  }
  ErrorStats total;
  for (const auto& p : parts) total.merge(p);
  return total;
}

// Reads the user's inputs for the K/V shape: raw f32 q ([B,H,S,D]), then k and v ([B,Hkv,Skv,D]).
inline void read_inputs_kv(const std::string& path, int64_t nq, int64_t nkv, std::vector<float>& q,
                           std::vector<float>& k, std::vector<float>& v) {
  FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) throw HarnessError("io-error", "--inputs: cannot open " + path);
  q.resize(size_t(nq));
  k.resize(size_t(nkv));
  v.resize(size_t(nkv));
  size_t got = std::fread(q.data(), 4, size_t(nq), f);
  got += std::fread(k.data(), 4, size_t(nkv), f);
  got += std::fread(v.data(), 4, size_t(nkv), f);
  char extra;
  const bool more = std::fread(&extra, 1, 1, f) == 1;
  std::fclose(f);
  if (got != size_t(nq + 2 * nkv) || more) {
    throw HarnessError("io-error", "--inputs: " + path + " must hold exactly B·H·S·D + 2·B·Hkv·Skv·D = " +
                                       std::to_string(nq + 2 * nkv) + " float32 values (q, k, v)");
  }
}

}  // namespace attnlab
