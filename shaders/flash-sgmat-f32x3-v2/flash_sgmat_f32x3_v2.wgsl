// flash-sgmat-f32x3-v2 — flash-sgmat-f32x3 (f32 attention on the tensor cores: every f32 operand
// split into f16 hi and lo parts, each product taken as hi·hi + hi·lo + lo·hi with f32
// accumulation) reworked after measuring where its time went on the H100. Changes:
//   * Padded rows in workgroup memory: K/V/Q rows D + 8 halves apart, so the 8 rows a matrix load
//     reads at once start in different banks (5× faster loads in a micro-benchmark; see
//     flash-sgmat-f16-v2 and BENCHMARKS.md, issue 8).
//   * S and P column-major. S is stored as 16-float columns 20 floats apart, P (hi, lo) as
//     columns 40 halves apart, and the softmax gives invocation (r, h) = (lane % 16, lane / 16)
//     row r's keys 2j + h: at most two of the 32 lanes of a read share a bank (four with the
//     row-major layout), and the column-major S store and P load stay conflict-free.
//   * The next K/V tile is read from storage into registers while this tile is being worked on.
//   * The softmax reads each score once, into registers (v1 read S twice): +15–18%.
//   * Q staged 64 rows at a time, so 8 subgroups (128 query rows per K/V tile) fit the 48 KiB
//     limit; default tiles 8 subgroups × 16 keys (the engine's plan).
// Unchanged (see flash-sgmat-f32x3): the mantissa-mask split, P taken 2⁶ larger so its lo parts
// stay f16 normals, lazy rescale, head-dim blocks as separate variables, masking of tails and
// of causal keys. Range: inputs must be finite f16 values in magnitude (|x| < 65504).
// Run it alone: `attnlab run --backend dawn --kernel flash-sgmat-f32x3-v2`.
//
// Preamble (baked by the engine): D (head dim, multiple of 16), SG (subgroups per workgroup),
// SGS (subgroup size), BC (keys per tile, multiple of 16), KV_LEN (halves of the K/V region:
// max(4·BC, 16·min(SG, 4))·(D + 8), see subgroupMatrixBytes in src/webgpu/tiles.ts).
enable f16;
enable subgroups;
enable chromium_experimental_subgroup_matrix;
// Every subgroup-matrix offset below is a function of g = lid / SGS, the subgroup's index, and of
// loop counters with uniform bounds: equal across a subgroup because the engine sizes the
// workgroup as SG whole subgroups of SGS invocations numbered consecutively. Tint's analysis
// cannot see that lid / SGS is subgroup-uniform, hence the diagnostic is turned off.
diagnostic(off, chromium.subgroup_matrix_uniformity);

struct Params {
  seq_len: u32,
  bh: u32,
  causal: u32,
  _pad: u32,
  scale: f32,
  scale_log2e: f32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> o: array<vec4<f32>>;

const D4: u32 = D / 4u;
const DB: u32 = D / 16u; // 16-wide blocks of the head dim
const CB: u32 = BC / 16u; // 16-wide blocks of a K/V tile
const BR: u32 = 16u * SG;
const WG: u32 = SG * SGS;
const HALF: u32 = BC / 2u; // keys of a tile each of a row's two invocations handles (every other)
const DP: u32 = D + 8u; // row stride of Q/K/V in workgroup memory, halves (padded, see above)
const STC: u32 = 20u; // column stride of S in st, floats; also the row stride of O scratch blocks
const PTC: u32 = 40u; // column stride of P in ph / pl, halves
const KL_OFF: u32 = BC * DP; // [Khi | Klo | Vhi | Vlo], each BC rows of DP
const VH_OFF: u32 = 2u * BC * DP;
const VL_OFF: u32 = 3u * BC * DP;
const NPT: u32 = (BC * D4 + WG - 1u) / WG; // vec4s of a K (or V) tile per invocation
const QSG: u32 = min(SG, 4u); // subgroups whose Q rows are staged at once
const NEG_BIG: f32 = -3.0e38;
const RESCALE_LOG2: f32 = 8.0;
// P is taken as exp2(S·c − m + P_SHIFT): 2^6 larger, so its lo parts stay f16 normals for
// p ≥ ~2⁻⁸ instead of ~2⁻² (≤ 2^(6+8) = 16384 < 65504; the factor cancels in O / l).
const P_SHIFT: f32 = 6.0;

var<workgroup> kv: array<f16, KV_LEN>; // Q staging, then [Khi | Klo | Vhi | Vlo], row-major
var<workgroup> st: array<f32, SG * BC * STC>; // scores, per subgroup BC columns of STC
var<workgroup> ph: array<f16, SG * BC * PTC>; // probabilities, hi part, per subgroup BC columns of PTC
var<workgroup> pl: array<f16, SG * BC * PTC>; // probabilities, lo part
// A vec4 (16 bytes), not a u32: on the H100 (Vulkan, NVIDIA 580) a 4-byte workgroup variable put
// every subgroup-matrix load and store 4 bytes early (scalar accesses were right), so the whole
// kernel read Q, K, P, V and wrote S, O one f32 / two f16 off. Keep every workgroup variable a
// multiple of 16 bytes.
var<workgroup> need_rescale: vec4<u32>;

// hi keeps the top 11 significant bits of x by masking the mantissa, so f16(hi) is exact and
// x − hi is exact in f32. The obvious x − f32(f16(x)) came out as 0 on the H100 (the f32→f16→f32
// round trip is folded away), which silently made this kernel a plain f16 one (rel L2 3e-4).
const HI_MASK: u32 = 0xffffe000u;

fn hi_part(x: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(x) & HI_MASK);
}

fn hi4(x: vec4<f32>) -> vec4<f16> {
  return vec4<f16>(bitcast<vec4<f32>>(bitcast<vec4<u32>>(x) & vec4<u32>(HI_MASK)));
}

fn lo4(x: vec4<f32>) -> vec4<f16> {
  return vec4<f16>(x - bitcast<vec4<f32>>(bitcast<vec4<u32>>(x) & vec4<u32>(HI_MASK)));
}

alias Left = subgroup_matrix_left<f16, 16, 16>;
alias Right = subgroup_matrix_right<f16, 16, 16>;
alias Acc = subgroup_matrix_result<f32, 16, 16>;

fn put4(at: u32, x: vec4<f16>) {
  kv[at] = x.x;
  kv[at + 1u] = x.y;
  kv[at + 2u] = x.z;
  kv[at + 3u] = x.w;
}

// The Q tile's hi (or lo) parts → kv, zero past the tail.
fn stage_q(hi: bool, q0: u32, s: u32, base: u32, lid: u32) {
  for (var t = lid; t < QSG * 16u * D4; t += WG) {
    let r = q0 + t / D4;
    var x = vec4<f32>(0.0);
    if (r < s) {
      x = q[base + r * D4 + t % D4];
    }
    put4((t / D4) * DP + (t % D4) * 4u, select(lo4(x), hi4(x), hi));
  }
}

// Q rows 16g..16g+15, head-dim block db, from the part staged in kv.
fn q_block(g: u32, db: u32) -> Left {
  return subgroupMatrixLoad<Left, row_major>(&kv, g * 16u * DP + db * 16u, DP);
}

// acc + Qlo·Khiᵀ + Qhi·Kloᵀ + Qhi·Khiᵀ for keys 16cb..16cb+15, head-dim block db (small terms
// first); Kᵀ is the K tile read column-major.
fn s_step(acc: Acc, qh: Left, ql: Left, cb: u32, db: u32) -> Acc {
  let at = cb * 16u * DP + db * 16u;
  let kh = subgroupMatrixLoad<Right, col_major>(&kv, at, DP);
  let kl = subgroupMatrixLoad<Right, col_major>(&kv, KL_OFF + at, DP);
  var r = subgroupMatrixMultiplyAccumulate(ql, kh, acc);
  r = subgroupMatrixMultiplyAccumulate(qh, kl, r);
  return subgroupMatrixMultiplyAccumulate(qh, kh, r);
}

// om + Plo·Vhi + Phi·Vlo + Phi·Vhi for keys 16cb..16cb+15, head-dim block db.
fn pv_step(om: Acc, pmh: Left, pml: Left, cb: u32, db: u32) -> Acc {
  let at = cb * 16u * DP + db * 16u;
  let vh = subgroupMatrixLoad<Right, row_major>(&kv, VH_OFF + at, DP);
  let vl = subgroupMatrixLoad<Right, row_major>(&kv, VL_OFF + at, DP);
  var r = subgroupMatrixMultiplyAccumulate(pml, vh, om);
  r = subgroupMatrixMultiplyAccumulate(pmh, vl, r);
  return subgroupMatrixMultiplyAccumulate(pmh, vh, r);
}

// One O block × each row's alpha, through the subgroup's 16×16 scratch at `area`; `mine` is
// where this invocation's 8 values of its row sit.
fn rescaled(om: Acc, area: u32, mine: u32, alpha: f32) -> Acc {
  subgroupMatrixStore<row_major>(&st, area, om, STC);
  workgroupBarrier();
  for (var i = 0u; i < 8u; i++) {
    st[mine + i] = st[mine + i] * alpha;
  }
  workgroupBarrier();
  let scaled = subgroupMatrixLoad<Acc, row_major>(&st, area, STC);
  workgroupBarrier();
  return scaled;
}

// One O block / l to storage: through the scratch at `area`, 8 values per invocation (`mine`)
// to `out` (a vec4 index), only for rows inside the sequence.
fn write_block(om: Acc, area: u32, mine: u32, out: u32, in_seq: bool, inv: f32) {
  subgroupMatrixStore<row_major>(&st, area, om, STC);
  workgroupBarrier();
  if (in_seq) {
    o[out] = vec4<f32>(st[mine], st[mine + 1u], st[mine + 2u], st[mine + 3u]) * inv;
    o[out + 1u] = vec4<f32>(st[mine + 4u], st[mine + 5u], st[mine + 6u], st[mine + 7u]) * inv;
  }
  workgroupBarrier();
}

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let s = params.seq_len;
  let q_tiles = (s + BR - 1u) / BR;
  let group = wid.x + wid.y * nwg.x;
  if (group >= q_tiles * params.bh) {
    return; // whole workgroup: the dispatch was rounded up to a rectangle
  }
  let bh = group / q_tiles;
  let q0 = (group % q_tiles) * BR;
  let base = bh * s * D4;
  let g = lid / SGS; // this invocation's subgroup
  let lane = lid % SGS;
  // Softmax role: two invocations per row of the subgroup's 16 rows.
  let r_local = lane % 16u; // SGS = 32: row r_local, keys 2j + h
  let h = lane / 16u;
  let row = q0 + g * 16u + r_local;
  let c = params.scale_log2e;
  let s_base = g * BC * STC + r_local; // this row's column entry in st
  let p_base = g * BC * PTC + r_local;

  let area = g * BC * STC; // this subgroup's 16×16 scratch in st for O blocks
  let mine = area + r_local * STC + h * 8u; // this invocation's 8 values there

  // Q tile → workgroup memory → left matrices (hi parts, then lo parts), QSG subgroups' rows at a
  // time.
  var qh0: Left;
  var qh1: Left;
  var qh2: Left;
  var qh3: Left;
  var qh4: Left;
  var qh5: Left;
  var qh6: Left;
  var qh7: Left;
  var ql0: Left;
  var ql1: Left;
  var ql2: Left;
  var ql3: Left;
  var ql4: Left;
  var ql5: Left;
  var ql6: Left;
  var ql7: Left;
  for (var c = 0u; c < SG; c += QSG) {
    stage_q(true, q0 + c * 16u, s, base, lid);
    workgroupBarrier();
    if (g >= c && g < c + QSG) {
      qh0 = q_block(g - c, 0u);
      if (DB > 1u) { qh1 = q_block(g - c, 1u); }
      if (DB > 2u) { qh2 = q_block(g - c, 2u); }
      if (DB > 3u) { qh3 = q_block(g - c, 3u); }
      if (DB > 4u) { qh4 = q_block(g - c, 4u); }
      if (DB > 5u) { qh5 = q_block(g - c, 5u); }
      if (DB > 6u) { qh6 = q_block(g - c, 6u); }
      if (DB > 7u) { qh7 = q_block(g - c, 7u); }
    }
    workgroupBarrier();
    stage_q(false, q0 + c * 16u, s, base, lid);
    workgroupBarrier();
    if (g >= c && g < c + QSG) {
      ql0 = q_block(g - c, 0u);
      if (DB > 1u) { ql1 = q_block(g - c, 1u); }
      if (DB > 2u) { ql2 = q_block(g - c, 2u); }
      if (DB > 3u) { ql3 = q_block(g - c, 3u); }
      if (DB > 4u) { ql4 = q_block(g - c, 4u); }
      if (DB > 5u) { ql5 = q_block(g - c, 5u); }
      if (DB > 6u) { ql6 = q_block(g - c, 6u); }
      if (DB > 7u) { ql7 = q_block(g - c, 7u); }
    }
    workgroupBarrier();
  }
  var om0 = Acc();
  var om1 = Acc();
  var om2 = Acc();
  var om3 = Acc();
  var om4 = Acc();
  var om5 = Acc();
  var om6 = Acc();
  var om7 = Acc();
  var m = NEG_BIG;
  var l = 0.0; // this invocation's half of the row sum

  var k_end = s;
  if (params.causal != 0u) {
    k_end = min(s, q0 + BR);
  }
  var kx: array<vec4<f32>, NPT>;
  var vx: array<vec4<f32>, NPT>;
  for (var i = 0u; i < NPT; i++) {
    let t = lid + i * WG;
    let key = t / D4;
    kx[i] = vec4<f32>(0.0);
    vx[i] = vec4<f32>(0.0);
    if (t < BC * D4 && key < k_end) {
      let at = base + key * D4 + t % D4;
      kx[i] = k[at];
      vx[i] = v[at];
    }
  }
  for (var k0 = 0u; k0 < k_end; k0 += BC) {
    if (lid == 0u) {
      need_rescale = vec4<u32>(0u);
    }
    for (var i = 0u; i < NPT; i++) {
      let t = lid + i * WG;
      if (t < BC * D4) {
        let w = (t / D4) * DP + (t % D4) * 4u;
        put4(w, hi4(kx[i]));
        put4(KL_OFF + w, lo4(kx[i]));
        put4(VH_OFF + w, hi4(vx[i]));
        put4(VL_OFF + w, lo4(vx[i]));
      }
    }
    workgroupBarrier();
    for (var i = 0u; i < NPT; i++) {
      let t = lid + i * WG;
      let key = k0 + BC + t / D4;
      kx[i] = vec4<f32>(0.0);
      vx[i] = vec4<f32>(0.0);
      if (t < BC * D4 && key < k_end) {
        let at = base + key * D4 + t % D4;
        kx[i] = k[at];
        vx[i] = v[at];
      }
    }

    // S = Qhi·Khiᵀ + Qhi·Kloᵀ + Qlo·Khiᵀ for this subgroup's 16 rows, CB blocks of 16 keys.
    for (var cb = 0u; cb < CB; cb++) {
      var acc = s_step(Acc(), qh0, ql0, cb, 0u);
      if (DB > 1u) { acc = s_step(acc, qh1, ql1, cb, 1u); }
      if (DB > 2u) { acc = s_step(acc, qh2, ql2, cb, 2u); }
      if (DB > 3u) { acc = s_step(acc, qh3, ql3, cb, 3u); }
      if (DB > 4u) { acc = s_step(acc, qh4, ql4, cb, 4u); }
      if (DB > 5u) { acc = s_step(acc, qh5, ql5, cb, 5u); }
      if (DB > 6u) { acc = s_step(acc, qh6, ql6, cb, 6u); }
      if (DB > 7u) { acc = s_step(acc, qh7, ql7, cb, 7u); }
      subgroupMatrixStore<col_major>(&st, g * BC * STC + cb * 16u * STC, acc, STC);
    }
    workgroupBarrier();

    // Online softmax on scalars: this invocation's HALF keys of its row (every other key), read
    // once into xs; the row max first, then P from xs.
    var xs: array<f32, HALF>;
    var mx = NEG_BIG;
    for (var j = 0u; j < HALF; j++) {
      let key = k0 + 2u * j + h;
      var x = NEG_BIG;
      if (key < k_end && (params.causal == 0u || key <= row)) {
        x = st[s_base + (2u * j + h) * STC] * c;
      }
      xs[j] = x;
      mx = max(mx, x);
    }
    mx = max(mx, subgroupShuffleXor(mx, 16u));
    var alpha = 1.0;
    if (mx > m + RESCALE_LOG2 || (m == NEG_BIG && mx > NEG_BIG)) {
      if (m > NEG_BIG) {
        alpha = exp2(m - mx);
        need_rescale = vec4<u32>(1u); // same value from every writer
      }
      m = mx;
    }
    var sum = 0.0;
    for (var j = 0u; j < HALF; j++) {
      var p = 0.0;
      if (xs[j] > NEG_BIG) {
        p = exp2(xs[j] - m + P_SHIFT);
      }
      sum += p;
      let p_hi = hi_part(p);
      ph[p_base + (2u * j + h) * PTC] = f16(p_hi);
      pl[p_base + (2u * j + h) * PTC] = f16(p - p_hi);
    }
    l = l * alpha + sum;
    let rescale = workgroupUniformLoad(&need_rescale).x; // also the barrier before P·V

    if (rescale != 0u) {
      // O's rows × alpha, one 16×16 block at a time through this subgroup's scratch.
      om0 = rescaled(om0, area, mine, alpha);
      if (DB > 1u) { om1 = rescaled(om1, area, mine, alpha); }
      if (DB > 2u) { om2 = rescaled(om2, area, mine, alpha); }
      if (DB > 3u) { om3 = rescaled(om3, area, mine, alpha); }
      if (DB > 4u) { om4 = rescaled(om4, area, mine, alpha); }
      if (DB > 5u) { om5 = rescaled(om5, area, mine, alpha); }
      if (DB > 6u) { om6 = rescaled(om6, area, mine, alpha); }
      if (DB > 7u) { om7 = rescaled(om7, area, mine, alpha); }
    }

    // O += Phi·Vhi + Phi·Vlo + Plo·Vhi.
    for (var cb = 0u; cb < CB; cb++) {
      let p_at = g * BC * PTC + cb * 16u * PTC;
      let pmh = subgroupMatrixLoad<Left, col_major>(&ph, p_at, PTC);
      let pml = subgroupMatrixLoad<Left, col_major>(&pl, p_at, PTC);
      om0 = pv_step(om0, pmh, pml, cb, 0u);
      if (DB > 1u) { om1 = pv_step(om1, pmh, pml, cb, 1u); }
      if (DB > 2u) { om2 = pv_step(om2, pmh, pml, cb, 2u); }
      if (DB > 3u) { om3 = pv_step(om3, pmh, pml, cb, 3u); }
      if (DB > 4u) { om4 = pv_step(om4, pmh, pml, cb, 4u); }
      if (DB > 5u) { om5 = pv_step(om5, pmh, pml, cb, 5u); }
      if (DB > 6u) { om6 = pv_step(om6, pmh, pml, cb, 6u); }
      if (DB > 7u) { om7 = pv_step(om7, pmh, pml, cb, 7u); }
    }
    workgroupBarrier();
  }

  // O / l: each block through workgroup memory, then 8 values per invocation to storage.
  let inv = 1.0 / (l + subgroupShuffleXor(l, 16u));
  let out = base + row * D4 + h * 2u; // + 4·db: this invocation's 8 values of block db
  let in_seq = row < s;
  write_block(om0, area, mine, out, in_seq, inv);
  if (DB > 1u) { write_block(om1, area, mine, out + 4u, in_seq, inv); }
  if (DB > 2u) { write_block(om2, area, mine, out + 8u, in_seq, inv); }
  if (DB > 3u) { write_block(om3, area, mine, out + 12u, in_seq, inv); }
  if (DB > 4u) { write_block(om4, area, mine, out + 16u, in_seq, inv); }
  if (DB > 5u) { write_block(om5, area, mine, out + 20u, in_seq, inv); }
  if (DB > 6u) { write_block(om6, area, mine, out + 24u, in_seq, inv); }
  if (DB > 7u) { write_block(om7, area, mine, out + 28u, in_seq, inv); }
}
