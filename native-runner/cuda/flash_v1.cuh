// flash-v1's algorithm, written once against a small "ops" interface so that the same code runs
// on the GPU (DeviceOps in flash_v1.cu: __syncthreads, shuffles, mma.sync) and in the host
// emulator (emulate_flash.cu: 128 host threads with barriers and an mma.sync model transcribed
// from the PTX ISA). The emulator is how the fragment indexing below is tested without a GPU.
//
// Tile geometry: a block of 4 warps owns BR = 64 query rows of one (batch, head); warp w owns
// rows 16w..16w+15. K and V stream through shared memory in tiles of BC = 64 keys.
//
// mma.sync.m16n8k16 fragments (PTX ISA, "Matrix Fragments for mma.m16n8k16"), with
// g = lane / 4 and t = lane % 4; each 32-bit register holds two consecutive-column elements,
// the lower column in the low half:
//   A (16×16, row-major): a[0] = A[g][2t..2t+1]   a[1] = A[g+8][2t..2t+1]
//                         a[2] = A[g][2t+8..+9]   a[3] = A[g+8][2t+8..+9]
//   B (16×8, "col"):      b[0] = B[2t..2t+1][g]   b[1] = B[2t+8..2t+9][g]
//   C/D (16×8, f32):      c[0], c[1] = C[g][2t], C[g][2t+1];  c[2], c[3] = C[g+8][2t], C[g+8][2t+1]
// S = Q·Kᵀ: A = Q rows, B[k = d][n = key] = K[key][d], so b[0] is two adjacent d of one K row —
// one 32-bit load from sK. P·V: A = P, whose fragments are exactly the S accumulators of two
// adjacent n-tiles (FA2's register reuse); B[k = key][n = d] = V[key][d] — stored transposed
// in shared memory (sVt[d][key]) so b[0] is again one 32-bit load.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace attnlab {
namespace flash_v1 {

constexpr int kBr = 64;        // query rows per block
constexpr int kBc = 64;        // keys per K/V tile
constexpr int kWarps = 4;      // warps per block (16 query rows each)
constexpr int kThreads = kWarps * 32;

template <int D>
struct Smem {
  static constexpr int kStride = D + 8;    // sK / sQ row pitch in elements (pad: no bank conflicts)
  static constexpr int kVStride = kBc + 8; // sVt row pitch (one row per head dim)
  static constexpr int kKElems = kBc * kStride;  // sK, also holds the Q tile before the loop
  static constexpr int kVElems = D * kVStride;
};

// Two adjacent elements as one 32-bit fragment register.
template <class T>
__host__ __device__ inline uint32_t load_pair(const T* p) {
#ifdef __CUDA_ARCH__
  return *reinterpret_cast<const uint32_t*>(p);
#else
  uint32_t x;
  std::memcpy(&x, p, 4);
  return x;
#endif
}

// 16 bytes (8 elements) global → shared, or zeros past the end of the sequence.
template <class T>
__host__ __device__ inline void copy8(T* dst, const T* src, bool valid) {
#ifdef __CUDA_ARCH__
  *reinterpret_cast<uint4*>(dst) = valid ? *reinterpret_cast<const uint4*>(src) : make_uint4(0, 0, 0, 0);
#else
  if (valid) std::memcpy(dst, src, 16); else std::memset(dst, 0, 16);
#endif
}

template <class T>
__host__ __device__ inline void read8(T (&dst)[8], const T* src, bool valid) {
#ifdef __CUDA_ARCH__
  if (valid) *reinterpret_cast<uint4*>(dst) = *reinterpret_cast<const uint4*>(src);
  else *reinterpret_cast<uint4*>(dst) = make_uint4(0, 0, 0, 0);
#else
  if (valid) std::memcpy(dst, src, 16); else std::memset(dst, 0, 16);
#endif
}

// Rows row0..row0+kBc−1 of a [S, D] head into a padded shared tile (zeros past S).
#pragma nv_exec_check_disable
template <class Ops, class T, int D>
__host__ __device__ inline void load_rows(const Ops& ops, T* tile, const T* head, int row0, int S) {
  constexpr int kChunks = D / 8;
  for (int c = ops.thread(); c < kBc * kChunks; c += kThreads) {
    const int r = c / kChunks, col = (c % kChunks) * 8;
    const bool valid = row0 + r < S;
    copy8(tile + r * Smem<D>::kStride + col, head + (valid ? int64_t(row0 + r) * D + col : 0), valid);
  }
}

// V rows k0..k0+kBc−1 into sVt[d][key] (transposed; zeros past S so that P = 0 never meets NaN).
#pragma nv_exec_check_disable
template <class Ops, class T, int D>
__host__ __device__ inline void load_v_transposed(const Ops& ops, T* vt, const T* head, int k0, int S) {
  constexpr int kChunks = D / 8;
  for (int c = ops.thread(); c < kBc * kChunks; c += kThreads) {
    const int r = c / kChunks, col = (c % kChunks) * 8;
    const bool valid = k0 + r < S;
    T vals[8];
    read8(vals, head + (valid ? int64_t(k0 + r) * D + col : 0), valid);
#pragma unroll
    for (int e = 0; e < 8; ++e) vt[(col + e) * Smem<D>::kVStride + r] = vals[e];
  }
}

// One block: query rows q0..q0+kBr−1 of head `bh` (Q, O: [.., S, D]), reading KV head `kvh`
// (K, V: [.., Skv, D]; grouped-query heads share one). Causal is aligned bottom-right: row i
// sees keys j ≤ i + Skv − S (the square problem: j ≤ i); a row that sees none writes zeros.
// Writes O for rows < S.
#pragma nv_exec_check_disable
template <class Ops, class T, int D, bool kCausal>
__host__ __device__ void attention_block(const Ops& ops, const T* __restrict__ q,
                                         const T* __restrict__ k, const T* __restrict__ v,
                                         T* __restrict__ o, int64_t bh, int qb, int S,
                                         float scale_log2, T* sK, T* sVt, int64_t kvh, int Skv) {
  static_assert(D % 16 == 0, "head dim must be a multiple of 16");
  constexpr int kStride = Smem<D>::kStride, kVStride = Smem<D>::kVStride;
  constexpr int kDk = D / 16;   // k-steps of Q·Kᵀ
  constexpr int kDn = D / 8;    // n-tiles of O
  constexpr int kSn = kBc / 8;  // n-tiles of S
  constexpr int kPk = kBc / 16; // k-steps of P·V
  const int tid = ops.thread();
  const int warp = tid / 32, lane = tid % 32, g = lane / 4, t = lane % 4;
  const int q0 = qb * kBr;
  const int64_t head = bh * int64_t(S) * D;
  const int shift = Skv - S;  // bottom-right causal: row i's last key is i + shift
  const T* qh = q + head;
  const T* kh = k + kvh * int64_t(Skv) * D;
  const T* vh = v + kvh * int64_t(Skv) * D;

  // Q tile → registers (through sK, which the first K tile then overwrites).
  load_rows<Ops, T, D>(ops, sK, qh, q0, S);
  ops.sync();
  uint32_t qf[kDk][4];
  {
    const int r = warp * 16 + g;
#pragma unroll
    for (int kk = 0; kk < kDk; ++kk) {
      qf[kk][0] = load_pair(sK + r * kStride + kk * 16 + 2 * t);
      qf[kk][1] = load_pair(sK + (r + 8) * kStride + kk * 16 + 2 * t);
      qf[kk][2] = load_pair(sK + r * kStride + kk * 16 + 8 + 2 * t);
      qf[kk][3] = load_pair(sK + (r + 8) * kStride + kk * 16 + 8 + 2 * t);
    }
  }

  float acc[kDn][4];
#pragma unroll
  for (int n = 0; n < kDn; ++n) acc[n][0] = acc[n][1] = acc[n][2] = acc[n][3] = 0.f;
  // This thread's two query rows: index 0 → row g, 1 → row g + 8 of the warp's 16.
  const int rows[2] = {q0 + warp * 16 + g, q0 + warp * 16 + g + 8};
  float m[2] = {-INFINITY, -INFINITY};  // running max (log2 domain)
  float l[2] = {0.f, 0.f};              // this thread's share of the running sum

  const int kv_end = kCausal ? (q0 + kBr + shift < Skv ? q0 + kBr + shift : Skv) : Skv;
  for (int k0 = 0; k0 < kv_end; k0 += kBc) {
    ops.sync();  // every warp is done with sK (Q or the last K tile) and sVt
    load_rows<Ops, T, D>(ops, sK, kh, k0, Skv);
    load_v_transposed<Ops, T, D>(ops, sVt, vh, k0, Skv);
    ops.sync();

    // S = Q·Kᵀ for this warp's 16 rows × kBc keys.
    float s[kSn][4];
#pragma unroll
    for (int n = 0; n < kSn; ++n) s[n][0] = s[n][1] = s[n][2] = s[n][3] = 0.f;
#pragma unroll
    for (int kk = 0; kk < kDk; ++kk) {
#pragma unroll
      for (int n = 0; n < kSn; ++n) {
        const T* kr = sK + (n * 8 + g) * kStride + kk * 16 + 2 * t;
        ops.template mma<T>(s[n], qf[kk], load_pair(kr), load_pair(kr + 8));
      }
    }

    // Scale into the log2 domain, mask the tail and the future, take the tile's row max.
    float tmax[2] = {-INFINITY, -INFINITY};
#pragma unroll
    for (int n = 0; n < kSn; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const int key = k0 + n * 8 + 2 * t + (e & 1);
        const int row = rows[e >> 1];
        const bool masked = key >= Skv || (kCausal && key > row + shift);
        const float x = masked ? -INFINITY : s[n][e] * scale_log2;
        s[n][e] = x;
        tmax[e >> 1] = fmaxf(tmax[e >> 1], x);
      }
    }
    float alpha[2], base[2];
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      // The 4 threads of a group (lanes 4g..4g+3) hold the same two rows.
      tmax[i] = fmaxf(tmax[i], ops.shfl_xor(tmax[i], 1));
      tmax[i] = fmaxf(tmax[i], ops.shfl_xor(tmax[i], 2));
      const float m_new = fmaxf(m[i], tmax[i]);
      // A row with every key masked so far keeps m = −inf; subtract 0 so exp2 gives 0, not NaN.
      base[i] = m_new == -INFINITY ? 0.f : m_new;
      alpha[i] = ops.exp2(m[i] - base[i]);
      m[i] = m_new;
    }
    float psum[2] = {0.f, 0.f};
#pragma unroll
    for (int n = 0; n < kSn; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const float p = ops.exp2(s[n][e] - base[e >> 1]);
        s[n][e] = p;
        psum[e >> 1] += p;
      }
    }
    l[0] = l[0] * alpha[0] + psum[0];
    l[1] = l[1] * alpha[1] + psum[1];
#pragma unroll
    for (int n = 0; n < kDn; ++n) {
      acc[n][0] *= alpha[0];
      acc[n][1] *= alpha[0];
      acc[n][2] *= alpha[1];
      acc[n][3] *= alpha[1];
    }

    // O += P·V: the S accumulators of n-tiles 2kk and 2kk+1 are P's A fragment for k-step kk.
#pragma unroll
    for (int kk = 0; kk < kPk; ++kk) {
      const uint32_t pa[4] = {
          ops.template pack<T>(s[2 * kk][0], s[2 * kk][1]),
          ops.template pack<T>(s[2 * kk][2], s[2 * kk][3]),
          ops.template pack<T>(s[2 * kk + 1][0], s[2 * kk + 1][1]),
          ops.template pack<T>(s[2 * kk + 1][2], s[2 * kk + 1][3]),
      };
#pragma unroll
      for (int n = 0; n < kDn; ++n) {
        const T* vr = sVt + (n * 8 + g) * kVStride + kk * 16 + 2 * t;
        ops.template mma<T>(acc[n], pa, load_pair(vr), load_pair(vr + 8));
      }
    }
  }

  // Normalise: the row sum is spread over the group's 4 threads.
  float inv[2];
#pragma unroll
  for (int i = 0; i < 2; ++i) {
    float total = l[i];
    total += ops.shfl_xor(total, 1);
    total += ops.shfl_xor(total, 2);
    inv[i] = total > 0.f ? 1.f / total : 0.f;
  }
  T* oh = o + head;
#pragma unroll
  for (int n = 0; n < kDn; ++n) {
    const int col = n * 8 + 2 * t;
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      if (rows[i] < S) {
        const uint32_t packed = ops.template pack<T>(acc[n][2 * i] * inv[i], acc[n][2 * i + 1] * inv[i]);
        ops.store_pair(oh + int64_t(rows[i]) * D + col, packed);
      }
    }
  }
}

}  // namespace flash_v1
}  // namespace attnlab
