// flash-decode's algorithm (flash-decoding: the KV length split across CTAs, partial softmax
// statistics combined by a second kernel), written once against a small "ops" interface so the
// same code runs on the GPU (DeviceOps in flash_decode.cu) and in the host emulator
// (emulate_decode.cu: a CTA's 128 threads as cooperative fibers, shuffles and __syncthreads as
// barriers), where it is checked against f64 without a GPU.
//
// Work split. Query head h reads KV head h·Hkv/H, so the G = H/Hkv query heads of one KV head
// share their K/V: their G·S query rows (row index g·S + i for head kvh·G + g, query i) form one
// list, cut into groups of R ≤ 8 rows. A CTA owns (batch b, KV head, row group, split): it reads
// its split's keys [k0, k1) of K and V once and serves all R rows from registers. G·S ≤ 8 (Llama
// 3 decode: G = 4, S = 1) means K/V are read exactly once in total.
//
// Inside a CTA. A key group of D/8 lanes handles one key at a time: lane L holds dims 8L..8L+7
// of the key (one 16-byte load of K, one of V) and of every query row (in registers, pre-scaled
// by scale·log2 e). The kUnroll dot products of a step are reduced over the group together with
// shuffles (a transposed butterfly; every lane then reads each sum from one lane, so all lanes
// use the same, bit-identical scores). Each key group keeps its own online softmax state (m, l,
// acc per row) over every kGroups-th key, kUnroll keys per step (all loads issued first: 64 B in
// flight per thread); at the end the groups merge through shared memory.
//
// Output. One split: O directly. Several: (m, l) and acc per (row, split) go to a workspace and
// combine_row merges them: M = max m_s, O = Σ 2^(m_s−M) acc_s / Σ 2^(m_s−M) l_s. A row that sees
// no key (bottom-right causal with S > Skv) has l = 0 everywhere and outputs zeros.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "common.cuh"

namespace attnlab {
namespace flash_decode {

constexpr int kThreads = 128;  // 4 warps
constexpr int kMaxRows = 8;    // query rows per CTA (R)
constexpr int kUnroll = 4;     // keys per key group per step

template <int D>
struct Geo {
  static_assert(D % 8 == 0 && D >= 32 && D <= 256, "head dim: multiple of 8 in 32..256");
  static constexpr int kLanes = D / 8;               // lanes per key (8 dims each)
  static constexpr int kGroups = kThreads / kLanes;  // keys in flight per unrolled slot
  static constexpr int kStep = kGroups * kUnroll;    // keys per CTA step
};

// The shared memory of one CTA: each key group's softmax state, merged at the end.
template <int D, int R>
struct Smem {
  float m[Geo<D>::kGroups][R];
  float l[Geo<D>::kGroups][R];
  float acc[Geo<D>::kGroups][R][D];
};

// Everything a launch needs (pointers typed per dtype by the kernel).
struct Params {
  const void* q;
  const void* k;
  const void* v;
  void* o;
  float* part_acc;  // [B·H·S][splits][D]; unused with one split
  float* part_ml;   // [B·H·S][splits][2] = (m, l)
  int batch, heads, kv_heads, seq, kv_seq, dim;
  int rows_per_kv;  // G·S
  int rows;         // R: rows per CTA (1, 2, 4 or 8)
  int row_groups;   // ⌈G·S / R⌉
  int splits;       // CTAs along Skv
  int chunk;        // keys per split (a multiple of Geo<D>::kStep)
  bool causal;
  float sl2;        // scale · log2 e
};

// CTAs of `rows` rows that fit on one SM at once, a guess for when no device can be asked (the
// GPU side asks cudaOccupancyMaxActiveBlocksPerMultiprocessor): the register file (64 K) over
// ptxas's count for 128 threads (sm_90a, this version: ~80 registers at R = 1, ~120 at R = 2,
// ~170 at R = 4, ~250 at R = 8). A split count made for more CTAs than fit ran 1.3 waves.
inline int ctas_per_sm(int rows) { return rows >= 8 ? 2 : rows >= 4 ? 3 : rows >= 2 ? 4 : 6; }

// Splits along Skv: as many CTAs as fit on the GPU at once (one wave: a second, partial wave
// would leave most SMs idle at its end), each split at least 128 keys, the chunk a multiple of
// the CTA step. Writes {splits, chunk}.
inline void choose_splits(int64_t base_ctas, int kv_seq, int step, int sms, int per_sm,
                          int& splits, int& chunk) {
  const int64_t want = std::max<int64_t>(1, int64_t(per_sm) * sms / base_ctas);
  const int64_t most = std::max<int64_t>(1, kv_seq / 128);
  const int64_t n = std::min(want, most);
  int64_t c = (kv_seq + n - 1) / n;
  c = (c + step - 1) / step * step;
  chunk = int(c);
  splits = int((kv_seq + c - 1) / c);
}

// Rows per CTA for G·S rows per KV head: the smallest power of two ≥ G·S, at most 8.
inline int rows_per_cta(int64_t rows_per_kv) {
  int r = 1;
  while (r < kMaxRows && r < rows_per_kv) r *= 2;
  return r;
}

__host__ __device__ inline int imin(int a, int b) { return a < b ? a : b; }
__host__ __device__ inline int imax(int a, int b) { return a > b ? a : b; }

// The last key query i may see (−1: none): bottom-right aligned when causal.
__host__ __device__ inline int last_key(bool causal, int i, int S, int Skv) {
  return causal ? imax(-1, imin(Skv - 1, i + Skv - S)) : Skv - 1;
}

// 8 consecutive elements (16 bytes) as floats.
template <class T>
__host__ __device__ inline void load8(float (&out)[8], const T* src) {
  T raw[8];
#ifdef __CUDA_ARCH__
  *reinterpret_cast<uint4*>(raw) = __ldg(reinterpret_cast<const uint4*>(src));
#else
  std::memcpy(raw, src, 16);
#endif
#pragma unroll
  for (int e = 0; e < 8; ++e) out[e] = to_float(raw[e]);
}

template <class T>
__host__ __device__ inline T from_float(float x);
template <>
__host__ __device__ inline __half from_float<__half>(float x) { return __float2half_rn(x); }
template <>
__host__ __device__ inline __nv_bfloat16 from_float<__nv_bfloat16>(float x) {
  return __float2bfloat16_rn(x);
}

// One CTA of the split-KV pass; `cta` is the flat block index.
#pragma nv_exec_check_disable
template <class Ops, class T, int D, int R>
__host__ __device__ void decode_block(const Ops& ops, const Params& p, int64_t cta,
                                      Smem<D, R>& sm) {
  using G = Geo<D>;
  static_assert(kUnroll == 4, "the transposed reduction splits 4 keys over two lane bits");
  constexpr int kHalf = G::kLanes / 2, kQuarter = G::kLanes / 4;
  const int tid = ops.thread();
  const int group = tid / G::kLanes, lane = tid % G::kLanes, d0 = lane * 8;
  const int sp = int(cta % p.splits);
  const int rg = int((cta / p.splits) % p.row_groups);
  const int64_t bkv = cta / (int64_t(p.splits) * p.row_groups);  // b·Hkv + kvh
  const int b = int(bkv / p.kv_heads), kvh = int(bkv % p.kv_heads);
  const int gq = p.heads / p.kv_heads;
  const int row0 = rg * R, rows_here = imin(R, p.rows_per_kv - row0);

  // Query rows → registers, pre-scaled; each row's last visible key.
  float q[R][8];
  int last[R];
  int last_max = -1;
#pragma unroll
  for (int r = 0; r < R; ++r) {
    last[r] = -1;
#pragma unroll
    for (int e = 0; e < 8; ++e) q[r][e] = 0.f;
    if (r < rows_here) {
      const int g = (row0 + r) / p.seq, i = (row0 + r) % p.seq;
      const int64_t qrow = (int64_t(b) * p.heads + int64_t(kvh) * gq + g) * p.seq + i;
      load8<T>(q[r], static_cast<const T*>(p.q) + qrow * D + d0);
#pragma unroll
      for (int e = 0; e < 8; ++e) q[r][e] *= p.sl2;
      last[r] = last_key(p.causal, i, p.seq, p.kv_seq);
      last_max = imax(last_max, last[r]);
    }
  }

  float m[R], l[R], acc[R][8];
#pragma unroll
  for (int r = 0; r < R; ++r) {
    m[r] = -INFINITY;
    l[r] = 0.f;
#pragma unroll
    for (int e = 0; e < 8; ++e) acc[r][e] = 0.f;
  }
  const int k0 = sp * p.chunk;
  const int k1 = imin(imin(p.kv_seq, k0 + p.chunk), last_max + 1);  // causal: skip the future
  const int64_t head = bkv * int64_t(p.kv_seq) * D;
  const T* kh = static_cast<const T*>(p.k) + head + d0;
  const T* vh = static_cast<const T*>(p.v) + head + d0;

  // Every thread runs the same steps (shuffles need the whole warp); keys past k1 are masked.
  for (int base = k0; base < k1; base += G::kStep) {
    float kf[kUnroll][8], vf[kUnroll][8];
    int key[kUnroll];
#pragma unroll
    for (int u = 0; u < kUnroll; ++u) {
      key[u] = base + u * G::kGroups + group;
      if (key[u] < k1) {
        load8<T>(kf[u], kh + int64_t(key[u]) * D);
        load8<T>(vf[u], vh + int64_t(key[u]) * D);
      } else {
#pragma unroll
        for (int e = 0; e < 8; ++e) kf[u][e] = vf[u][e] = 0.f;
      }
    }
#pragma unroll
    for (int r = 0; r < R; ++r) {
      // The kUnroll = 4 dot products of this row, reduced over the key group with a transposed
      // butterfly: halve the set of keys a lane carries at each of the first two stages (2 + 1
      // shuffles), then a plain xor reduction of the one left; then each score is read from a
      // lane that holds it. 9 shuffles for D = 128 where one reduction per key took 16.
      float dot[kUnroll];
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        dot[u] = 0.f;
#pragma unroll
        for (int e = 0; e < 8; ++e) dot[u] += q[r][e] * kf[u][e];
      }
      const bool hi = (lane & kHalf) != 0;
      const float r0 = ops.shfl_xor(hi ? dot[0] : dot[2], kHalf);
      const float r1 = ops.shfl_xor(hi ? dot[1] : dot[3], kHalf);
      const float keep0 = (hi ? dot[2] : dot[0]) + r0;  // key 2·hi
      const float keep1 = (hi ? dot[3] : dot[1]) + r1;  // key 2·hi + 1
      const bool odd = (lane & kQuarter) != 0;
      float mine = (odd ? keep1 : keep0) + ops.shfl_xor(odd ? keep0 : keep1, kQuarter);
#pragma unroll
      for (int off = kQuarter / 2; off > 0; off >>= 1) mine += ops.shfl_xor(mine, off);
      float s[kUnroll];
      float mx = -INFINITY;
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const float su = ops.shfl_idx(mine, kHalf * (u >> 1) + kQuarter * (u & 1), G::kLanes);
        s[u] = key[u] <= last[r] && key[u] < k1 ? su : -INFINITY;
        mx = fmaxf(mx, s[u]);
      }
      // Branch-free (rows interleave): while a row has seen nothing, m stays −inf and the
      // weights are exp2(−inf) = 0.
      const float m_new = fmaxf(m[r], mx);
      const float m_use = m_new == -INFINITY ? 0.f : m_new;
      const float corr = ops.exp2(m[r] - m_use);  // 0 on the first visible key
      l[r] *= corr;
#pragma unroll
      for (int e = 0; e < 8; ++e) acc[r][e] *= corr;
#pragma unroll
      for (int u = 0; u < kUnroll; ++u) {
        const float pu = ops.exp2(s[u] - m_use);
        l[r] += pu;
#pragma unroll
        for (int e = 0; e < 8; ++e) acc[r][e] += pu * vf[u][e];
      }
      m[r] = m_new;
    }
  }

  // Merge the key groups through shared memory.
#pragma unroll
  for (int r = 0; r < R; ++r) {
#pragma unroll
    for (int e = 0; e < 8; ++e) sm.acc[group][r][d0 + e] = acc[r][e];
    if (lane == 0) {
      sm.m[group][r] = m[r];
      sm.l[group][r] = l[r];
    }
  }
  ops.sync();
  for (int idx = tid; idx < rows_here * D; idx += kThreads) {
    const int r = idx / D, d = idx % D;
    float M = -INFINITY;
    for (int g = 0; g < G::kGroups; ++g) M = fmaxf(M, sm.m[g][r]);
    float L = 0.f, A = 0.f;
    if (M != -INFINITY) {
      for (int g = 0; g < G::kGroups; ++g) {
        const float w = ops.exp2(sm.m[g][r] - M);  // 0 for a group that saw nothing
        L += w * sm.l[g][r];
        A += w * sm.acc[g][r][d];
      }
    }
    const int gg = (row0 + r) / p.seq, i = (row0 + r) % p.seq;
    const int64_t orow = (int64_t(b) * p.heads + int64_t(kvh) * gq + gg) * p.seq + i;
    if (p.splits == 1) {
      static_cast<T*>(p.o)[orow * D + d] = from_float<T>(L > 0.f ? A / L : 0.f);
    } else {
      const int64_t slot = orow * p.splits + sp;
      p.part_acc[slot * D + d] = A;
      if (d == 0) {
        p.part_ml[slot * 2] = M;
        p.part_ml[slot * 2 + 1] = L;
      }
    }
  }
}

// The combine pass for one output row: lanes `lane`, `lane + lanes`, … of D (the GPU gives
// each row a CTA of D threads, one element each). Every lane reads all splits' (m, l) itself (no
// cross-lane traffic), so the host emulator runs it as plain code. Each sum over the splits runs
// as four independent chains, so four loads are in flight per thread: at batch 1 a row has
// 43–64 splits, and one dependent chain per lane paid one L2 round trip per split.
#pragma nv_exec_check_disable
template <class Ops, class T, int D>
__host__ __device__ void combine_row(const Ops& ops, const Params& p, int64_t row, int lane,
                                     int lanes) {
  const float* ml = p.part_ml + row * p.splits * 2;
  const int n = p.splits, n4 = n / 4 * 4;
  float mx[4] = {-INFINITY, -INFINITY, -INFINITY, -INFINITY};
  for (int s = 0; s < n4; s += 4) {
#pragma unroll
    for (int u = 0; u < 4; ++u) mx[u] = fmaxf(mx[u], ml[2 * (s + u)]);
  }
  for (int s = n4; s < n; ++s) mx[0] = fmaxf(mx[0], ml[2 * s]);
  const float M = fmaxf(fmaxf(mx[0], mx[1]), fmaxf(mx[2], mx[3]));
  float L = 0.f;
  if (M != -INFINITY) {
    float ls[4] = {0.f, 0.f, 0.f, 0.f};
    for (int s = 0; s < n4; s += 4) {
#pragma unroll
      for (int u = 0; u < 4; ++u) ls[u] += ops.exp2(ml[2 * (s + u)] - M) * ml[2 * (s + u) + 1];
    }
    for (int s = n4; s < n; ++s) ls[0] += ops.exp2(ml[2 * s] - M) * ml[2 * s + 1];
    L = (ls[0] + ls[1]) + (ls[2] + ls[3]);
  }
  const float inv = L > 0.f ? 1.f / L : 0.f;  // no visible key: zeros
  for (int d = lane; d < D; d += lanes) {
    float A[4] = {0.f, 0.f, 0.f, 0.f};
    if (L > 0.f) {
      const float* acc = p.part_acc + row * n * D + d;
      for (int s = 0; s < n4; s += 4) {
#pragma unroll
        for (int u = 0; u < 4; ++u)
          A[u] += ops.exp2(ml[2 * (s + u)] - M) * acc[int64_t(s + u) * D];
      }
      for (int s = n4; s < n; ++s) A[0] += ops.exp2(ml[2 * s] - M) * acc[int64_t(s) * D];
    }
    static_cast<T*>(p.o)[row * D + d] = from_float<T>(((A[0] + A[1]) + (A[2] + A[3])) * inv);
  }
}

}  // namespace flash_decode
}  // namespace attnlab
