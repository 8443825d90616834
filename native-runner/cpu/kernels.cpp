// CPU attention kernels. Build: see build.sh beside this file (g++ -O3 -march=native -fopenmp).
//
// cpu-naive-f32: one task per query row; the row's scores live in a thread-local buffer.
// cpu-flash-f32: one task per (head, block of 32 query rows); tiles of 64 keys; online softmax
//   in base 2 with log2(e)·scale folded into Q; K is transposed per tile so Q·Kᵀ's inner loop
//   runs over contiguous keys and vectorises without -ffast-math.
// Both read K/V of the query head's KV head (grouped-query) over Skv keys; under the causal mask
// (bottom-right) a row that sees no key is written as zeros.
#include "kernels.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace attnlab {

void cpu_naive_f32(const CpuProblem& p, const float* q, const float* k, const float* v,
                   float* o) {
  const int64_t S = p.seq, D = p.dim;
  const int64_t rows = p.bh * S;
#pragma omp parallel
  {
    std::vector<float> s(static_cast<size_t>(p.kv_seq));
#pragma omp for schedule(dynamic, 16)
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t bh = r / S, i = r % S;
      const float* qr = q + r * D;
      const float* kh = k + p.kv_offset(bh);
      const float* vh = v + p.kv_offset(bh);
      float* orow = o + r * D;
      const int64_t n = p.key_end(i);
      if (n == 0) {
        for (int64_t d = 0; d < D; ++d) orow[d] = 0;
        continue;
      }
      float m = -INFINITY;
      for (int64_t j = 0; j < n; ++j) {
        float dot = 0;
        for (int64_t d = 0; d < D; ++d) dot += qr[d] * kh[j * D + d];
        s[size_t(j)] = dot * p.scale;
        m = std::max(m, s[size_t(j)]);
      }
      float l = 0;
      for (int64_t d = 0; d < D; ++d) orow[d] = 0;
      for (int64_t j = 0; j < n; ++j) {
        const float e = std::exp(s[size_t(j)] - m);
        l += e;
        for (int64_t d = 0; d < D; ++d) orow[d] += e * vh[j * D + d];
      }
      const float inv = 1.0f / l;
      for (int64_t d = 0; d < D; ++d) orow[d] *= inv;
    }
  }
}

namespace {
constexpr int64_t kBr = 32;  // query rows per task
constexpr int64_t kBc = 64;  // keys per tile
}  // namespace

void cpu_flash_f32(const CpuProblem& p, const float* q, const float* k, const float* v,
                   float* o) {
  const int64_t S = p.seq, D = p.dim;
  const int64_t qblocks = (S + kBr - 1) / kBr;
  const float scale_log2 = p.scale * 1.4426950408889634f;
#pragma omp parallel
  {
    std::vector<float> qs(static_cast<size_t>(kBr * D)), acc(static_cast<size_t>(kBr * D)), kt(static_cast<size_t>(D * kBc));
    std::vector<float> s(static_cast<size_t>(kBr * kBc)), m(kBr), l(kBr);
    // Causal blocks near the diagonal are cheap and far ones expensive: dynamic scheduling.
#pragma omp for schedule(dynamic, 1)
    for (int64_t task = 0; task < p.bh * qblocks; ++task) {
      const int64_t bh = task / qblocks, qb = task % qblocks;
      const int64_t r0 = qb * kBr, nr = std::min(kBr, S - r0);
      const float* kh = k + p.kv_offset(bh);
      const float* vh = v + p.kv_offset(bh);
      for (int64_t r = 0; r < nr; ++r) {
        const float* src = q + (bh * S + r0 + r) * D;
        for (int64_t d = 0; d < D; ++d) qs[size_t(r * D + d)] = src[d] * scale_log2;
        m[size_t(r)] = -INFINITY;
        l[size_t(r)] = 0;
      }
      std::fill(acc.begin(), acc.end(), 0.0f);
      const int64_t kend = p.key_end(r0 + nr - 1);  // the block's last row sees the most keys
      for (int64_t c0 = 0; c0 < kend; c0 += kBc) {
        const int64_t nc = std::min(kBc, kend - c0);
        for (int64_t c = 0; c < nc; ++c)
          for (int64_t d = 0; d < D; ++d) kt[size_t(d * kBc + c)] = kh[(c0 + c) * D + d];
        // S = Q·Kᵀ (log2 domain): loop r, d, c so the inner loop is contiguous in c.
        for (int64_t r = 0; r < nr; ++r) {
          float* sr = &s[size_t(r * kBc)];
          for (int64_t c = 0; c < nc; ++c) sr[c] = 0;
          for (int64_t d = 0; d < D; ++d) {
            const float qd = qs[size_t(r * D + d)];
            const float* ktd = &kt[size_t(d * kBc)];
            for (int64_t c = 0; c < nc; ++c) sr[c] += qd * ktd[c];
          }
        }
        for (int64_t r = 0; r < nr; ++r) {
          float* sr = &s[size_t(r * kBc)];
          // Causal: keys after this row's end are masked (bottom-right alignment).
          const int64_t valid = std::min(nc, p.key_end(r0 + r) - c0);
          if (valid <= 0) continue;
          float mt = m[size_t(r)];
          for (int64_t c = 0; c < valid; ++c) mt = std::max(mt, sr[c]);
          const float alpha = std::exp2(m[size_t(r)] - mt);  // exp2(-inf) = 0 on the first tile
          float rowsum = 0;
          for (int64_t c = 0; c < valid; ++c) {
            sr[c] = std::exp2(sr[c] - mt);
            rowsum += sr[c];
          }
          l[size_t(r)] = l[size_t(r)] * alpha + rowsum;
          m[size_t(r)] = mt;
          float* ar = &acc[size_t(r * D)];
          for (int64_t d = 0; d < D; ++d) ar[d] *= alpha;
          for (int64_t c = 0; c < valid; ++c) {
            const float pc = sr[c];
            const float* vc = vh + (c0 + c) * D;
            for (int64_t d = 0; d < D; ++d) ar[d] += pc * vc[d];
          }
        }
      }
      for (int64_t r = 0; r < nr; ++r) {
        float* dst = o + (bh * S + r0 + r) * D;
        // l = 0: the row saw no key (causal, S > Skv); its output is 0, not 0/0.
        const float inv = l[size_t(r)] > 0 ? 1.0f / l[size_t(r)] : 0.0f;
        for (int64_t d = 0; d < D; ++d) dst[d] = acc[size_t(r * D + d)] * inv;
      }
    }
  }
}

const CpuKernel* cpu_kernels(int* count) {
  static const CpuKernel kernels[] = {
      {"cpu-flash-f32",
       "Tiled CPU attention (32 query rows × 64-key tiles, online softmax, OpenMP, f32)",
       cpu_flash_f32, int(kBr), int(kBc)},
      {"cpu-naive-f32", "Row-at-a-time CPU attention (full score row, softmax, P·V; OpenMP, f32)",
       cpu_naive_f32, 1, 0},
  };
  *count = int(sizeof kernels / sizeof kernels[0]);
  return kernels;
}

}  // namespace attnlab
