// Host emulator for flash-v1: runs the kernel's own algorithm (flash_v1.cuh, the same source the
// GPU runs) on the CPU, with a block's 128 threads as cooperative fibers, __syncthreads and
// shuffles as barriers, and mma.sync.m16n8k16 modelled from the fragment tables of the PTX ISA
// (transcribed below as "lane L, register r holds element (row, col)", independently of the
// address arithmetic in the kernel). It checks every tile/fragment index, the masking and the
// online softmax against f64 — on a machine without a GPU. It cannot check what only hardware
// shows (the asm syntax, alignment faults, races the cooperative schedule hides); the harness's
// --selftest on the GPU covers those.
//
// Build and run (no GPU needed):
//   nvcc -O2 -std=c++17 -o emulate_flash native-runner/cuda/emulate_flash.cu && ./emulate_flash
#include <ucontext.h>

#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "common.cuh"
#include "flash_v1.cuh"
#include "../cpu/reference.hpp"
#include "reference_kv.hpp"

using namespace attnlab;

namespace {

// ---------------------------------------------------------------------------------------------
// Cooperative fibers: one per emulated thread; a barrier yields until all participants arrive.
struct Barrier {
  int expected = 0;
  int arrived = 0;
  uint64_t generation = 0;
};

struct Block;

struct Fiber {
  ucontext_t ctx;
  std::vector<char> stack;
  bool done = false;
};

struct Block {
  static constexpr int kN = flash_v1::kThreads;
  ucontext_t scheduler;
  Fiber fibers[kN];
  int current = 0;
  Barrier block;
  Barrier warps[flash_v1::kWarps];
  float fslot[kN];
  uint32_t a[kN][4], b[kN][2];
  float c[kN][4];

  void yield() { swapcontext(&fibers[current].ctx, &scheduler); }
  void wait(Barrier& bar) {
    const uint64_t gen = bar.generation;
    if (++bar.arrived == bar.expected) {
      bar.arrived = 0;
      ++bar.generation;
      return;
    }
    while (bar.generation == gen) yield();
  }
};

template <class T>
float element(uint32_t reg, int half) {
  const uint16_t bits = uint16_t(half ? reg >> 16 : reg & 0xffff);
  T x;
  std::memcpy(&x, &bits, 2);
  return to_float(x);
}

// The host side of the ops interface.
struct EmuOps {
  Block* blk;
  int tid;
  int thread() const { return tid; }
  void sync() const { blk->wait(blk->block); }
  float exp2(float x) const { return std::exp2(x); }
  float shfl_xor(float x, int mask) const {
    const int w = tid / 32, lane = tid % 32;
    blk->fslot[tid] = x;
    blk->wait(blk->warps[w]);
    const float y = blk->fslot[w * 32 + (lane ^ mask)];
    blk->wait(blk->warps[w]);
    return y;
  }
  template <class T>
  uint32_t pack(float lo, float hi) const {
    T pair[2];
    if constexpr (std::is_same_v<T, __half>) {
      pair[0] = __float2half_rn(lo);
      pair[1] = __float2half_rn(hi);
    } else {
      pair[0] = __float2bfloat16_rn(lo);
      pair[1] = __float2bfloat16_rn(hi);
    }
    uint32_t x;
    std::memcpy(&x, pair, 4);
    return x;
  }
  template <class T>
  void store_pair(T* p, uint32_t x) const { std::memcpy(p, &x, 4); }

  // mma.sync.aligned.m16n8k16.row.col.f32.{f16,bf16}: every lane posts its fragments, then each
  // lane rebuilds A (16×16), B (16×8) and C from all 32 lanes using the PTX tables:
  //   A: a_i, i = 0..7 (register i/2, half i%2): row = g for i ∈ {0,1,4,5}, g+8 otherwise;
  //      col = 2t + (i&1) for i < 4, 2t + (i&1) + 8 for i ≥ 4.
  //   B: b_i, i = 0..3 (register i/2, half i%2): row = 2t + (i&1) (+8 for i ≥ 2); col = g.
  //   C/D: c_i, i = 0..3: row = g (+8 for i ≥ 2); col = 2t + (i&1).
  template <class T>
  void mma(float (&d)[4], const uint32_t (&a)[4], uint32_t b0, uint32_t b1) const {
    const int w = tid / 32, lane = tid % 32;
    for (int r = 0; r < 4; ++r) blk->a[tid][r] = a[r];
    blk->b[tid][0] = b0;
    blk->b[tid][1] = b1;
    for (int i = 0; i < 4; ++i) blk->c[tid][i] = d[i];
    blk->wait(blk->warps[w]);
    float A[16][16], B[16][8];
    for (int L = 0; L < 32; ++L) {
      const int g = L / 4, t = L % 4, src = w * 32 + L;
      for (int i = 0; i < 8; ++i) {
        const int row = (i < 2 || (i >= 4 && i < 6)) ? g : g + 8;
        const int col = 2 * t + (i & 1) + (i >= 4 ? 8 : 0);
        A[row][col] = element<T>(blk->a[src][i / 2], i % 2);
      }
      for (int i = 0; i < 4; ++i) {
        const int row = 2 * t + (i & 1) + (i >= 2 ? 8 : 0);
        B[row][g] = element<T>(blk->b[src][i / 2], i % 2);
      }
    }
    const int g = lane / 4, t = lane % 4;
    float out[4];
    for (int i = 0; i < 4; ++i) {
      const int row = g + (i >= 2 ? 8 : 0), col = 2 * t + (i & 1);
      double sum = 0;
      for (int kk = 0; kk < 16; ++kk) sum += double(A[row][kk]) * double(B[kk][col]);
      out[i] = float(double(blk->c[tid][i]) + sum);
    }
    blk->wait(blk->warps[w]);  // nobody overwrites the slots until every lane has read them
    for (int i = 0; i < 4; ++i) d[i] = out[i];
  }
};

// ---------------------------------------------------------------------------------------------
struct Launch {
  Block* blk;
  int tid;
  void (*body)(const EmuOps&, void*);
  void* arg;
};

Launch* g_launches = nullptr;

void fiber_entry(int index) {
  Launch& l = g_launches[index];
  l.body(EmuOps{l.blk, l.tid}, l.arg);
  l.blk->fibers[l.tid].done = true;
  l.blk->yield();
}

// Runs one block of `body` to completion under the cooperative scheduler.
void run_block(void (*body)(const EmuOps&, void*), void* arg) {
  auto blk = std::make_unique<Block>();
  blk->block.expected = Block::kN;
  for (auto& w : blk->warps) w.expected = 32;
  std::vector<Launch> launches(Block::kN);
  g_launches = launches.data();
  for (int i = 0; i < Block::kN; ++i) {
    launches[size_t(i)] = {blk.get(), i, body, arg};
    Fiber& f = blk->fibers[i];
    f.stack.resize(256 * 1024);
    getcontext(&f.ctx);
    f.ctx.uc_stack.ss_sp = f.stack.data();
    f.ctx.uc_stack.ss_size = f.stack.size();
    f.ctx.uc_link = &blk->scheduler;
    makecontext(&f.ctx, reinterpret_cast<void (*)()>(fiber_entry), 1, i);
  }
  for (bool any = true; any;) {
    any = false;
    for (int i = 0; i < Block::kN; ++i) {
      if (blk->fibers[i].done) continue;
      any = true;
      blk->current = i;
      swapcontext(&blk->scheduler, &blk->fibers[i].ctx);
    }
  }
}

template <class T, int D, bool kCausal>
struct Job {
  const T *q, *k, *v;
  T* o;
  int64_t bh;
  int qb, S;
  float scale_log2;
  std::vector<T> sk, svt;
  int64_t kvh;
  int Skv;
  static void body(const EmuOps& ops, void* p) {
    Job& j = *static_cast<Job*>(p);
    flash_v1::attention_block<EmuOps, T, D, kCausal>(ops, j.q, j.k, j.v, j.o, j.bh, j.qb, j.S,
                                                      j.scale_log2, j.sk.data(), j.svt.data(),
                                                      j.kvh, j.Skv);
  }
};

template <class T>
T from_float(float x) {
  if constexpr (std::is_same_v<T, __half>) return __float2half_rn(x);
  else return __float2bfloat16_rn(x);
}

template <class T, int D, bool kCausal>
// Hkv, Skv: the K/V shape (0: the square problem).
bool run_case(Dtype dtype, int64_t batch, int64_t heads, int64_t S, double scale, int64_t hkv = 0,
              int64_t skv = 0) {
  Args a;
  a.batch = batch; a.heads = heads; a.seq = S; a.dim = D; a.causal = kCausal; a.dtype = dtype;
  a.scale = scale;
  const KvDims kv = resolve_kv(a, hkv, skv);
  const int64_t n = a.elements(), nkv = kv_elements(a, kv);
  std::vector<float> qf(static_cast<size_t>(n)), kf(static_cast<size_t>(nkv)), vf(static_cast<size_t>(nkv)), of(static_cast<size_t>(n));
  std::vector<T> q(static_cast<size_t>(n)), k(static_cast<size_t>(nkv)), v(static_cast<size_t>(nkv)), o(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) {
    q[size_t(i)] = from_float<T>(input_value(11, 0, uint64_t(i)));
    qf[size_t(i)] = to_float(q[size_t(i)]);
    o[size_t(i)] = from_float<T>(NAN);  // poisoned
  }
  for (int64_t i = 0; i < nkv; ++i) {
    k[size_t(i)] = from_float<T>(input_value(11, 1, uint64_t(i)));
    v[size_t(i)] = from_float<T>(input_value(11, 2, uint64_t(i)));
    kf[size_t(i)] = to_float(k[size_t(i)]);
    vf[size_t(i)] = to_float(v[size_t(i)]);
  }
  const float scale_log2 = float(a.resolved_scale()) * 1.4426950408889634f;
  const int qblocks = int((S + flash_v1::kBr - 1) / flash_v1::kBr);
  for (int64_t bh = 0; bh < batch * heads; ++bh) {
    for (int qb = qblocks - 1; qb >= 0; --qb) {
      Job<T, D, kCausal> job{q.data(), k.data(), v.data(), o.data(), bh, qb, int(S), scale_log2,
                             std::vector<T>(flash_v1::Smem<D>::kKElems, from_float<T>(NAN)),
                             std::vector<T>(flash_v1::Smem<D>::kVElems, from_float<T>(NAN)),
                             kv_head_of(bh, heads, kv.heads), int(kv.seq)};
      run_block(&Job<T, D, kCausal>::body, &job);
    }
  }
  for (int64_t i = 0; i < n; ++i) of[size_t(i)] = to_float(o[size_t(i)]);
  const auto rows = sample_rows(a, 11, int64_t(1) << 30);
  const ErrorStats e = check_rows_kv(a, kv, qf.data(), kf.data(), vf.data(), of.data(), rows);
  const bool ok = e.passed(tolerance_for(dtype));
  std::printf("%s flash-v1(emulated) %s B=%lld H=%lld Hkv=%lld S=%lld Skv=%lld D=%d %s scale=%s %s\n",
              ok ? "PASS" : "FAIL", dtype_name(dtype), (long long)batch, (long long)heads,
              (long long)kv.heads, (long long)S, (long long)kv.seq, D, kCausal ? "causal" : "full",
              scale > 0 ? "1" : "1/sqrt(D)", describe_errors("vs f64", e).c_str());
  std::fflush(stdout);
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  // --quick: the cases the unit test runs; default: the full matrix.
  const bool quick = argc > 1 && std::strcmp(argv[1], "--quick") == 0;
  int failures = 0;
  auto tally = [&](bool ok) { failures += ok ? 0 : 1; };
  tally(run_case<__half, 64, false>(Dtype::F16, 1, 2, 77, 0));
  tally(run_case<__half, 64, true>(Dtype::F16, 1, 2, 77, 0));
  tally(run_case<__nv_bfloat16, 128, true>(Dtype::BF16, 1, 1, 130, 0));
  tally(run_case<__half, 32, false>(Dtype::F16, 2, 1, 1, 0));
  tally(run_case<__half, 128, false>(Dtype::F16, 1, 1, 100, 1.0));
  // Grouped-query heads and S ≠ Skv (issue 14): K/V indexed per KV head, bottom-right causal,
  // rows that see no key (S > Skv) written as zeros.
  tally(run_case<__half, 64, true>(Dtype::F16, 1, 4, 77, 0, 2, 300));
  tally(run_case<__nv_bfloat16, 64, true>(Dtype::BF16, 1, 4, 77, 0, 1, 3));
  if (!quick) {
    tally(run_case<__half, 64, false>(Dtype::F16, 1, 4, 3, 0, 1, 1000));
    tally(run_case<__half, 128, true>(Dtype::F16, 1, 2, 1, 0, 2, 300));
    tally(run_case<__half, 32, true>(Dtype::F16, 2, 4, 130, 0, 4, 1000));
    tally(run_case<__nv_bfloat16, 64, false>(Dtype::BF16, 1, 2, 77, 0));
    tally(run_case<__nv_bfloat16, 64, true>(Dtype::BF16, 2, 1, 129, 0));
    tally(run_case<__half, 128, true>(Dtype::F16, 1, 1, 128, 0));
    tally(run_case<__half, 32, true>(Dtype::F16, 1, 2, 65, 0));
    tally(run_case<__nv_bfloat16, 32, true>(Dtype::BF16, 1, 1, 64, 1.0));
    tally(run_case<__nv_bfloat16, 128, false>(Dtype::BF16, 1, 1, 200, 0));
  }
  std::printf("%s: %d failure(s)\n", failures ? "EMULATION FAILED" : "EMULATION PASSED", failures);
  return failures ? 1 : 0;
}
