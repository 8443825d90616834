// The portable tensor-core flash kernel (mma.sync, sm_80+) behind flash-v2, flash-v3 and
// flash-v4: one template, each version a different tile geometry or feature set (see the header
// of each flash_vN.cu for what it changes and why).
//
// Against flash-v1 (flash_v1.cuh) the template adds:
//   - cp.async (16-byte, L2-only) copies of Q, K and V into shared memory, K/V double-buffered:
//     the copy of tile j+1 is in flight while tile j is computed, one __syncthreads per tile;
//   - XOR-swizzled shared tiles (16-byte chunk c of row r lives at chunk c ^ (r mod 8)): every
//     ldmatrix phase and every epilogue store touches 8 distinct bank groups, no padding;
//   - ldmatrix.x4 for Q (A operand) and K (B operand), ldmatrix.x4.trans for V, so V is stored
//     as it is in global memory (v1 transposed it element by element on the way in);
//   - softmax in the log2 domain with the scale folded into one FFMA per score:
//     p = ex2.approx(s·scale·log2e − m·scale·log2e); masking code runs only on the diagonal
//     (causal) and tail tiles, and a warp skips key tiles that lie wholly in its future;
//   - kMT m-tiles (16 query rows each) per warp share every K/V fragment it loads, halving
//     shared-memory traffic per FLOP at kMT = 2;
//   - the output goes through shared memory and leaves as coalesced 16-byte stores;
//   - blocks of one head are adjacent in launch order (1-D grid, query block fastest), so the
//     blocks that run together share K/V in L2.
//
// mma.sync.m16n8k16 fragments (PTX ISA), g = lane / 4, t = lane % 4:
//   A (16×16): a0 = A[g][2t..], a1 = A[g+8][2t..], a2 = A[g][2t+8..], a3 = A[g+8][2t+8..]
//   B (16×8):  b0 = B[2t..2t+1][g], b1 = B[2t+8..2t+9][g]
//   C (16×8):  c0, c1 = C[g][2t, 2t+1]; c2, c3 = C[g+8][2t, 2t+1]
// ldmatrix.x4: lanes 8i..8i+7 give the row addresses of matrix i; register i of lane L holds
// row L/4, columns 2(L%4), 2(L%4)+1 of matrix i (with .trans: rows and columns swapped).
#pragma once

#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <cstdint>
#include <type_traits>

#include "common.cuh"

namespace attnlab {
namespace flash_mma {

// ---------------------------------------------------------------------------------------------
// PTX wrappers.
__device__ __forceinline__ uint32_t smem_addr(const void* p) {
  return static_cast<uint32_t>(__cvta_generic_to_shared(p));
}

// 16 bytes global → shared, bypassing L1; src_size 0 writes 16 zero bytes (tails past S).
__device__ __forceinline__ void cp_async16(uint32_t dst, const void* src, bool valid) {
  asm volatile("cp.async.cg.shared.global [%0], [%1], 16, %2;\n" ::"r"(dst), "l"(src),
               "r"(valid ? 16 : 0));
}
__device__ __forceinline__ void cp_async_commit() { asm volatile("cp.async.commit_group;\n" ::); }
template <int N>
__device__ __forceinline__ void cp_async_wait() {
  asm volatile("cp.async.wait_group %0;\n" ::"n"(N));
}

__device__ __forceinline__ void ldmatrix_x4(uint32_t (&r)[4], uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}
__device__ __forceinline__ void ldmatrix_x4_trans(uint32_t (&r)[4], uint32_t addr) {
  asm volatile("ldmatrix.sync.aligned.m8n8.x4.trans.shared.b16 {%0, %1, %2, %3}, [%4];\n"
               : "=r"(r[0]), "=r"(r[1]), "=r"(r[2]), "=r"(r[3])
               : "r"(addr));
}

// d += a·b on one m16n8k16 tile, f32 accumulators.
template <class T>
__device__ __forceinline__ void mma16816(float (&d)[4], const uint32_t (&a)[4], uint32_t b0,
                                         uint32_t b1) {
  if constexpr (std::is_same_v<T, __half>) {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.f16.f16.f32 "
        "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  } else {
    asm volatile(
        "mma.sync.aligned.m16n8k16.row.col.f32.bf16.bf16.f32 "
        "{%0, %1, %2, %3}, {%4, %5, %6, %7}, {%8, %9}, {%0, %1, %2, %3};\n"
        : "+f"(d[0]), "+f"(d[1]), "+f"(d[2]), "+f"(d[3])
        : "r"(a[0]), "r"(a[1]), "r"(a[2]), "r"(a[3]), "r"(b0), "r"(b1));
  }
}

// 2^x on the SFU; ex2.approx(−inf) = +0, which is what masked scores need.
__device__ __forceinline__ float fast_exp2(float x) {
  float y;
  asm("ex2.approx.ftz.f32 %0, %1;\n" : "=f"(y) : "f"(x));
  return y;
}

// Two floats → one 32-bit register of two 16-bit values (lo in the low half).
template <class T>
__device__ __forceinline__ uint32_t pack2(float lo, float hi) {
  if constexpr (std::is_same_v<T, __half>) {
    __half2 h = __floats2half2_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&h);
  } else {
    __nv_bfloat162 h = __floats2bfloat162_rn(lo, hi);
    return *reinterpret_cast<uint32_t*>(&h);
  }
}

// ---------------------------------------------------------------------------------------------
// Tile geometry of one instantiation.
// Optional features (bit flags), off for the versions measured before they existed.
constexpr int kLeanAddressing = 1;  // one base register per operand, XOR/immediate offsets
constexpr int kLazyRescale = 2;     // rescale O only when the row max grows by > 2^8

template <int D_, int kWarps_, int kMT_, int kBc_, bool kQRegs_, int kMinBlocks_ = 1,
          int kFeatures_ = 0>
struct Geometry {
  static constexpr int D = D_;
  static constexpr int kWarps = kWarps_;  // warps per block
  static constexpr int kMT = kMT_;        // 16-row m-tiles per warp
  static constexpr int kBc = kBc_;        // keys per K/V tile
  static constexpr bool kQRegs = kQRegs_; // Q fragments held in registers for the whole run
  static constexpr int kMinBlocks = kMinBlocks_;  // resident blocks per SM asked of the compiler
  static constexpr bool kLean = (kFeatures_ & kLeanAddressing) != 0;
  static constexpr bool kLazy = (kFeatures_ & kLazyRescale) != 0;
  static constexpr int kRowBytes = D * 2;
  static constexpr int kThreads = kWarps * 32;
  static constexpr int kWarpRows = 16 * kMT;
  static constexpr int kBr = kWarps * kWarpRows;  // query rows per block
  static constexpr int kChunks = D / 8;           // 16-byte chunks per row
  static constexpr int kQBytes = kBr * D * 2;
  static constexpr int kTileBytes = kBc * D * 2;  // one K or one V tile
  static constexpr int kSmemBytes = kQBytes + 4 * kTileBytes;  // Q + 2 stages × (K, V)
  static_assert(D == 32 || D == 64 || D == 128, "head dim must be 32, 64 or 128");
  static_assert(kBc % 16 == 0, "key tile must be a multiple of 16");
  static_assert((kBr * kChunks) % kThreads == 0 && (kBc * kChunks) % kThreads == 0,
                "tile copies must divide evenly over the block");

  // Byte offset of 16-byte chunk `c` of row `r` in a swizzled [rows][D] tile. Rows of 4 chunks
  // (D = 32) pair up into 128-byte lines, hence the (r / 2) there.
  __device__ __forceinline__ static uint32_t offset(int r, int c) {
    const int swz = kChunks >= 8 ? (r & 7) : ((r >> 1) & 3);
    return uint32_t(r * (D * 2) + ((c ^ swz) << 4));
  }
};

// Copies rows row0..row0+R−1 of a [S, D] head into a swizzled shared tile (zeros past S).
template <class G, int R, class T>
__device__ __forceinline__ void load_tile(uint32_t tile, const T* head, int row0, int S, int tid) {
  if constexpr (G::kLean) {
    // A thread always copies the same chunk column of rows r0, r0 + kStep, …: one global
    // pointer and one shared address, the rest immediates. kStep is a multiple of the swizzle
    // period (8 rows), so every row it visits has the same swizzle.
    constexpr int kStep = G::kThreads / G::kChunks;
    static_assert(G::kThreads % G::kChunks == 0 && kStep % 8 == 0 && R % kStep == 0,
                  "lean copies need whole, swizzle-aligned row steps");
    const int r0 = tid / G::kChunks, ch = tid % G::kChunks;
    const uint32_t dst = tile + G::offset(r0, ch);
    const T* src = head + int64_t(row0 + r0) * G::D + ch * 8;
#pragma unroll
    for (int i = 0; i < R / kStep; ++i) {
      const bool valid = row0 + r0 + i * kStep < S;
      cp_async16(dst + uint32_t(i * kStep * G::kRowBytes), valid ? src + i * kStep * G::D : head,
                 valid);
    }
  } else {
#pragma unroll
    for (int i = 0; i < R * G::kChunks / G::kThreads; ++i) {
      const int c = tid + i * G::kThreads;
      const int r = c / G::kChunks, ch = c % G::kChunks;
      const bool valid = row0 + r < S;
      const T* src = head + (valid ? int64_t(row0 + r) * G::D + ch * 8 : 0);
      cp_async16(tile + G::offset(r, ch), src, valid);
    }
  }
}

// Shared addresses of ldmatrix operands. Lean: the lane's offset for (row block 0, chunk pair
// 0) is computed once; chunk pair kk is an XOR with kk << 5 (the swizzle XORs the low chunk
// bits only, and 2·kk has bit 0 clear), row blocks are plain immediates.
template <class G>
__device__ __forceinline__ uint32_t a_addr(uint32_t base, int row16, int kk, int lane) {
  const int r = (lane & 7) + ((lane >> 3) & 1) * 8;  // A (and V .trans): matrix i → rows +8(i%2)
  if constexpr (G::kLean) {
    return base + uint32_t(row16 * G::kRowBytes) + (G::offset(r, lane >> 4) ^ uint32_t(kk << 5));
  } else {
    return base + G::offset(row16 + r, kk * 2 + (lane >> 4));
  }
}
template <class G>
__device__ __forceinline__ uint32_t b_addr(uint32_t base, int row16, int kk, int lane) {
  const int r = (lane & 7) + (lane >> 4) * 8;  // K: matrix i → keys +8(i/2), chunk +(i%2)
  if constexpr (G::kLean) {
    return base + uint32_t(row16 * G::kRowBytes) +
           (G::offset(r, (lane >> 3) & 1) ^ uint32_t(kk << 5));
  } else {
    return base + G::offset(row16 + r, kk * 2 + ((lane >> 3) & 1));
  }
}

// Per-warp running state: O accumulators, row max (raw score units) and partial row sums.
template <class G>
struct WarpState {
  float acc[G::kMT][G::D / 8][4];
  float m[G::kMT][2];
  float l[G::kMT][2];
};

// One K/V tile for one warp: S = Q·Kᵀ, online softmax, O += P·V. Keys ≥ Skv are masked; causal
// row i sees keys ≤ i + shift (shift = Skv − S: bottom-right, 0 for the square problem).
template <class T, class G, bool kCausal, bool kMask>
__device__ __forceinline__ void tile_step(WarpState<G>& st, const uint32_t (*qf)[G::D / 16][4],
                                          uint32_t sQ, uint32_t sK, uint32_t sV, int k0,
                                          int wrow0, int Skv, int shift, float sl2, int warp,
                                          int lane) {
  constexpr int D = G::D, kMT = G::kMT, kBc = G::kBc;
  const int g = lane >> 2, t = lane & 3;
  float s[kMT][kBc / 8][4];
#pragma unroll
  for (int mt = 0; mt < kMT; ++mt)
#pragma unroll
    for (int n = 0; n < kBc / 8; ++n) s[mt][n][0] = s[mt][n][1] = s[mt][n][2] = s[mt][n][3] = 0.f;

  // S = Q·Kᵀ. K ldmatrix: matrix i = keys +8·(i/2), d chunk +(i%2) → b0, b1 of two n-tiles.
#pragma unroll
  for (int kk = 0; kk < D / 16; ++kk) {
    uint32_t a[kMT][4];
#pragma unroll
    for (int mt = 0; mt < kMT; ++mt) {
      if constexpr (G::kQRegs) {
#pragma unroll
        for (int e = 0; e < 4; ++e) a[mt][e] = qf[mt][kk][e];
      } else {
        ldmatrix_x4(a[mt], a_addr<G>(sQ, warp * G::kWarpRows + mt * 16, kk, lane));
      }
    }
#pragma unroll
    for (int np = 0; np < kBc / 16; ++np) {
      uint32_t b[4];
      ldmatrix_x4(b, b_addr<G>(sK, np * 16, kk, lane));
#pragma unroll
      for (int mt = 0; mt < kMT; ++mt) {
        mma16816<T>(s[mt][2 * np], a[mt], b[0], b[1]);
        mma16816<T>(s[mt][2 * np + 1], a[mt], b[2], b[3]);
      }
    }
  }

  // Online softmax. This thread holds rows g and g+8 of each m-tile; the row's other 3 quarters
  // are in lanes 4g..4g+3, reached by xor-shuffles 1 and 2.
#pragma unroll
  for (int mt = 0; mt < kMT; ++mt) {
    if constexpr (kMask) {
      const int row_lo = wrow0 + mt * 16 + g;
#pragma unroll
      for (int n = 0; n < kBc / 8; ++n) {
#pragma unroll
        for (int e = 0; e < 4; ++e) {
          const int key = k0 + n * 8 + 2 * t + (e & 1);
          const int row = row_lo + (e >> 1) * 8;
          if (key >= Skv || (kCausal && key > row + shift)) s[mt][n][e] = -INFINITY;
        }
      }
    }
    float mx[2] = {st.m[mt][0], st.m[mt][1]};
#pragma unroll
    for (int n = 0; n < kBc / 8; ++n) {
      mx[0] = fmaxf(mx[0], fmaxf(s[mt][n][0], s[mt][n][1]));
      mx[1] = fmaxf(mx[1], fmaxf(s[mt][n][2], s[mt][n][3]));
    }
    float base[2];
    if constexpr (G::kLazy) {
      // Keep the old reference max unless some row of the warp grew by more than 2^8 (then
      // p ≤ 256 — safe in f32 sums and in f16/bf16 P). Exact either way: O and l share the
      // reference, and the final O / l cancels it. Saves the O rescale on almost every tile.
      bool grow = false;
#pragma unroll
      for (int i = 0; i < 2; ++i) {
        mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 1));
        mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 2));
        grow |= mx[i] * sl2 > st.m[mt][i] * sl2 + 8.f;
      }
      if (__any_sync(0xffffffffu, grow)) {
        float alpha[2];
#pragma unroll
        for (int i = 0; i < 2; ++i) {
          const float b = mx[i] == -INFINITY ? 0.f : mx[i] * sl2;
          alpha[i] = fast_exp2(st.m[mt][i] * sl2 - b);
          st.m[mt][i] = mx[i];
          st.l[mt][i] *= alpha[i];
        }
#pragma unroll
        for (int n = 0; n < D / 8; ++n) {
          st.acc[mt][n][0] *= alpha[0];
          st.acc[mt][n][1] *= alpha[0];
          st.acc[mt][n][2] *= alpha[1];
          st.acc[mt][n][3] *= alpha[1];
        }
      }
#pragma unroll
      for (int i = 0; i < 2; ++i) base[i] = st.m[mt][i] == -INFINITY ? 0.f : st.m[mt][i] * sl2;
    } else {
      float alpha[2];
#pragma unroll
      for (int i = 0; i < 2; ++i) {
        mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 1));
        mx[i] = fmaxf(mx[i], __shfl_xor_sync(0xffffffffu, mx[i], 2));
        // A row whose keys are all masked so far keeps m = −inf: subtract 0, so exp2 gives 0.
        base[i] = mx[i] == -INFINITY ? 0.f : mx[i] * sl2;
        alpha[i] = fast_exp2(st.m[mt][i] * sl2 - base[i]);
        st.m[mt][i] = mx[i];
        st.l[mt][i] *= alpha[i];
      }
#pragma unroll
      for (int n = 0; n < D / 8; ++n) {
        st.acc[mt][n][0] *= alpha[0];
        st.acc[mt][n][1] *= alpha[0];
        st.acc[mt][n][2] *= alpha[1];
        st.acc[mt][n][3] *= alpha[1];
      }
    }
    float psum[2] = {0.f, 0.f};
#pragma unroll
    for (int n = 0; n < kBc / 8; ++n) {
#pragma unroll
      for (int e = 0; e < 4; ++e) {
        const float p = fast_exp2(fmaf(s[mt][n][e], sl2, -base[e >> 1]));
        s[mt][n][e] = p;
        psum[e >> 1] += p;
      }
    }
#pragma unroll
    for (int i = 0; i < 2; ++i) st.l[mt][i] += psum[i];
  }

  // O += P·V. P's A fragment for keys 16kk.. is the S accumulators of n-tiles 2kk, 2kk+1.
  // V ldmatrix.trans: matrix i = keys +8·(i%2), d chunk +(i/2) → b0, b1 of two d n-tiles.
#pragma unroll
  for (int kk = 0; kk < kBc / 16; ++kk) {
    uint32_t pa[kMT][4];
#pragma unroll
    for (int mt = 0; mt < kMT; ++mt) {
      pa[mt][0] = pack2<T>(s[mt][2 * kk][0], s[mt][2 * kk][1]);
      pa[mt][1] = pack2<T>(s[mt][2 * kk][2], s[mt][2 * kk][3]);
      pa[mt][2] = pack2<T>(s[mt][2 * kk + 1][0], s[mt][2 * kk + 1][1]);
      pa[mt][3] = pack2<T>(s[mt][2 * kk + 1][2], s[mt][2 * kk + 1][3]);
    }
#pragma unroll
    for (int dp = 0; dp < D / 16; ++dp) {
      uint32_t b[4];
      ldmatrix_x4_trans(b, a_addr<G>(sV, kk * 16, dp, lane));
#pragma unroll
      for (int mt = 0; mt < kMT; ++mt) {
        mma16816<T>(st.acc[mt][2 * dp], pa[mt], b[0], b[1]);
        mma16816<T>(st.acc[mt][2 * dp + 1], pa[mt], b[2], b[3]);
      }
    }
  }
}

// One block: query rows q0..q0+kBr−1 of one (batch, head). Grid: 1-D, query block fastest.
// K, V are [B, Hkv, Skv, D]: query head h reads KV head h·Hkv/H through the pointers (grouped-
// query heads, no copy); causal is aligned bottom-right (row i sees keys ≤ i + Skv − S) and a
// row that sees no key writes zeros (l = 0).
template <class T, class G, bool kCausal>
__global__ void __launch_bounds__(G::kThreads, G::kMinBlocks)
    flash_mma_kernel(const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
                     T* __restrict__ o, int S, int num_qb, float sl2, int H, int Hkv, int Skv) {
  constexpr int D = G::D, kBc = G::kBc, kMT = G::kMT;
  extern __shared__ __align__(128) unsigned char smem[];
  const int tid = int(threadIdx.x), warp = tid >> 5, lane = tid & 31;
  const int64_t bh = int64_t(blockIdx.x) / num_qb;
  const int qi = int(int64_t(blockIdx.x) % num_qb);
  // Causal: the last query blocks of a head do the most work; start them first.
  const int qb = kCausal ? num_qb - 1 - qi : qi;
  const int q0 = qb * G::kBr;
  const int64_t head = bh * int64_t(S) * D;
  const int64_t kv_head = (bh / H * Hkv + bh % H * Hkv / H) * int64_t(Skv) * D;
  const int shift = Skv - S;
  const T* qh = q + head;
  const T* kh = k + kv_head;
  const T* vh = v + kv_head;

  const uint32_t sQ = smem_addr(smem);
  const uint32_t sKV = sQ + G::kQBytes;  // stage s: K at sKV + 2s·tile, V right after
  const int kv_end = kCausal ? max(0, min(Skv, q0 + G::kBr + shift)) : Skv;
  const int n_tiles = (kv_end + kBc - 1) / kBc;

  load_tile<G, G::kBr>(sQ, qh, q0, S, tid);
  cp_async_commit();
  load_tile<G, kBc>(sKV, kh, 0, Skv, tid);
  load_tile<G, kBc>(sKV + G::kTileBytes, vh, 0, Skv, tid);
  cp_async_commit();

  const int wrow0 = q0 + warp * G::kWarpRows;  // this warp's first query row
  const int wrow_last = wrow0 + G::kWarpRows - 1;
  uint32_t qf[G::kQRegs ? kMT : 1][D / 16][4];
  if constexpr (G::kQRegs) {
    cp_async_wait<1>();  // Q has landed (K/V of tile 0 may still be in flight)
    __syncthreads();
#pragma unroll
    for (int mt = 0; mt < kMT; ++mt)
#pragma unroll
      for (int kk = 0; kk < D / 16; ++kk) {
        ldmatrix_x4(qf[mt][kk], a_addr<G>(sQ, warp * G::kWarpRows + mt * 16, kk, lane));
      }
  }

  WarpState<G> st;
#pragma unroll
  for (int mt = 0; mt < kMT; ++mt) {
#pragma unroll
    for (int n = 0; n < D / 8; ++n)
      st.acc[mt][n][0] = st.acc[mt][n][1] = st.acc[mt][n][2] = st.acc[mt][n][3] = 0.f;
    st.m[mt][0] = st.m[mt][1] = -INFINITY;
    st.l[mt][0] = st.l[mt][1] = 0.f;
  }

  for (int j = 0; j < n_tiles; ++j) {
    cp_async_wait<0>();  // tile j (the only group in flight) has landed for this thread ...
    __syncthreads();     // ... and for every thread; every warp is done with tile j−1's stage
    if (j + 1 < n_tiles) {
      const uint32_t next = sKV + uint32_t(((j + 1) & 1) * 2 * G::kTileBytes);
      load_tile<G, kBc>(next, kh, (j + 1) * kBc, Skv, tid);
      load_tile<G, kBc>(next + G::kTileBytes, vh, (j + 1) * kBc, Skv, tid);
    }
    cp_async_commit();
    const int k0 = j * kBc;
    if (kCausal && k0 > wrow_last + shift) continue;  // the whole tile is in this warp's future
    const uint32_t sK = sKV + uint32_t((j & 1) * 2 * G::kTileBytes);
    const bool mask = k0 + kBc > Skv || (kCausal && k0 + kBc - 1 > wrow0 + shift);
    if (mask)
      tile_step<T, G, kCausal, true>(st, qf, sQ, sK, sK + G::kTileBytes, k0, wrow0, Skv, shift,
                                     sl2, warp, lane);
    else
      tile_step<T, G, kCausal, false>(st, qf, sQ, sK, sK + G::kTileBytes, k0, wrow0, Skv, shift,
                                      sl2, warp, lane);
  }

  // Epilogue: normalise, stage this warp's rows in its own rows of sQ (only it reads them), then
  // 16-byte coalesced stores.
  const int g = lane >> 2, t = lane & 3;
  __syncwarp();
#pragma unroll
  for (int mt = 0; mt < kMT; ++mt) {
#pragma unroll
    for (int i = 0; i < 2; ++i) {
      float total = st.l[mt][i];
      total += __shfl_xor_sync(0xffffffffu, total, 1);
      total += __shfl_xor_sync(0xffffffffu, total, 2);
      const float inv = total > 0.f ? 1.f / total : 0.f;
      const int r = warp * G::kWarpRows + mt * 16 + g + 8 * i;
#pragma unroll
      for (int n = 0; n < D / 8; ++n) {
        const uint32_t packed = pack2<T>(st.acc[mt][n][2 * i] * inv, st.acc[mt][n][2 * i + 1] * inv);
        *reinterpret_cast<uint32_t*>(smem + G::offset(r, n) + 4 * t) = packed;
      }
    }
  }
  __syncwarp();
  T* oh = o + head;
#pragma unroll
  for (int i = 0; i < G::kWarpRows * G::kChunks / 32; ++i) {
    const int c = lane + 32 * i;
    const int r = c / G::kChunks, ch = c % G::kChunks;
    const int row = wrow0 + r;
    if (row < S) {
      const uint4 val =
          *reinterpret_cast<const uint4*>(smem + G::offset(warp * G::kWarpRows + r, ch));
      *reinterpret_cast<uint4*>(oh + int64_t(row) * D + ch * 8) = val;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Host side: launch one instantiation, raising its shared-memory limit on first use.
template <class T, class G, bool kCausal>
void launch_geometry(const DeviceProblem& p, cudaStream_t stream) {
  auto kernel = flash_mma_kernel<T, G, kCausal>;
  static bool configured = false;  // one per instantiation
  if (!configured) {
    CUDA_CHECK(cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize,
                                    G::kSmemBytes));
    configured = true;
  }
  const int num_qb = int((p.seq + G::kBr - 1) / G::kBr);
  const int64_t blocks = int64_t(num_qb) * p.batch * p.heads;
  if (blocks > 0x7fffffffLL) {
    throw HarnessError("too-large-for-device", "batch·heads·ceil(seq/" + std::to_string(G::kBr) +
                                                   ") exceeds the grid limit of 2^31−1 blocks");
  }
  const float sl2 = p.scale * 1.4426950408889634f;  // scale·log2(e), folded once
  kernel<<<dim3(unsigned(blocks)), G::kThreads, G::kSmemBytes, stream>>>(
      static_cast<const T*>(p.q), static_cast<const T*>(p.k), static_cast<const T*>(p.v),
      static_cast<T*>(p.o), int(p.seq), num_qb, sl2, int(p.heads), int(p.hkv()), int(p.skv()));
  CUDA_CHECK_LAUNCH();
}

// Dispatches dtype and causality for the geometries a version picks per head dim:
// `Pick<D>::type` (non-causal) and `Pick<D>::causal_type`.
template <template <int> class Pick, int D>
void launch_dim(const DeviceProblem& p, cudaStream_t stream) {
  using G = typename Pick<D>::type;
  using GC = typename Pick<D>::causal_type;
  if (p.dtype == Dtype::F16) {
    if (p.causal) launch_geometry<__half, GC, true>(p, stream);
    else launch_geometry<__half, G, false>(p, stream);
  } else {
    if (p.causal) launch_geometry<__nv_bfloat16, GC, true>(p, stream);
    else launch_geometry<__nv_bfloat16, G, false>(p, stream);
  }
}

template <template <int> class Pick>
void launch_any(const char* id, const DeviceProblem& p, cudaStream_t stream) {
  if (p.dtype == Dtype::F32) {
    throw HarnessError("unsupported", std::string("--dtype: ") + id +
                                          " supports f16 and bf16 (got f32)");
  }
  switch (p.dim) {
    case 32: launch_dim<Pick, 32>(p, stream); break;
    case 64: launch_dim<Pick, 64>(p, stream); break;
    case 128: launch_dim<Pick, 128>(p, stream); break;
    default:
      throw HarnessError("unsupported", std::string("--dim: ") + id +
                                            " supports head dims 32, 64, 128 (got " +
                                            std::to_string(p.dim) + ")");
  }
}

// The K/V shapes the flash_mma versions take: all (grouped heads through the K/V pointers,
// S ≠ Skv with the bottom-right causal shift).
inline const char* kv_support(const DeviceProblem&) { return nullptr; }

// Writes the geometry `launch_any` would pick, as kernel parameters.
template <class G>
void params_geometry(JsonWriter& w) {
  w.kv("blockRows", G::kBr).kv("tileKeys", G::kBc).kv("warps", G::kWarps);
  w.kv("threads", G::kThreads).kv("rowsPerWarp", G::kWarpRows).kv("qInRegisters", G::kQRegs);
  w.kv("stages", 2).kv("smemBytes", G::kSmemBytes).kv("minBlocksPerSM", G::kMinBlocks);
  w.kv("leanAddressing", G::kLean).kv("lazyRescale", G::kLazy);
  w.kv("mma", "mma.sync.m16n8k16");
  w.kv("accumulate", "f32");
}

template <template <int> class Pick, int D>
void params_dim(JsonWriter& w, bool causal) {
  if (causal) params_geometry<typename Pick<D>::causal_type>(w);
  else params_geometry<typename Pick<D>::type>(w);
}

template <template <int> class Pick>
void params_any(JsonWriter& w, const DeviceProblem& p) {
  if (p.dim == 32) params_dim<Pick, 32>(w, p.causal);
  else if (p.dim == 64) params_dim<Pick, 64>(w, p.causal);
  else params_dim<Pick, 128>(w, p.causal);
}

}  // namespace flash_mma
}  // namespace attnlab
