// flash-sgmat-f16-v2 — flash-sgmat-f16 reworked after measuring where its time went on the H100:
// the same algorithm (Q·Kᵀ and P·V as 16×16×16 f16 subgroup matrices, f32 accumulators, scalar
// online softmax through workgroup memory, lazy rescale), with five changes:
//   * Padded rows in workgroup memory. Q/K/V rows are D + 8 halves apart (16 bytes more than D),
//     scores BC + 4 floats, probabilities BC + 8 halves. With rows a multiple of 128 bytes apart,
//     the 8 rows a matrix load reads at once all start in the same bank: a micro-benchmark of
//     loads + multiplies from workgroup memory ran at 97 TFLOP/s with 128-half rows and 507 with
//     136-half rows (BENCHMARKS.md, issue 8).
//   * The next K/V tile is read from storage into registers while this tile is being worked on,
//     and written to workgroup memory at the top of the next step (one tile of workgroup memory,
//     the global-load latency hidden).
//   * Q is staged 64 rows at a time (QSG subgroups), so the staging area no longer grows with
//     the workgroup: 8 subgroups (128 query rows, each K/V tile shared by twice the rows) fit the
//     48 KiB limit at D = 128.
//   * The softmax reads each score from workgroup memory once, into registers (v1 read S twice:
//     once for the row max, once for P): +13% at D = 128, +18% at D = 64.
//   * Default tiles 8 subgroups × 16 keys (the engine's plan; smaller when memory is short).
// Layout of a workgroup: BR = 16·SG query rows of one (batch, head); subgroup g owns rows
// 16g..16g+15 as D/16 left matrices (Q) and D/16 result matrices (O), the head-dim blocks as
// separate variables behind constant `if (DB > k)` lines (see flash-sgmat-f16). Tails are
// zero-filled and masked; causal masks key > row and stops after the Q tile's diagonal.
// Run it alone: `attnlab run --backend dawn --kernel flash-sgmat-f16-v2 --dtype f16`.
//
// Preamble (baked by the engine): D (head dim, multiple of 16), SG (subgroups per workgroup),
// SGS (subgroup size), BC (keys per tile, multiple of 16), KV_LEN (halves of the K/V region:
// max(2·BC, 16·min(SG, 4))·(D + 8), see subgroupMatrixBytes in src/webgpu/tiles.ts).
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
@group(0) @binding(1) var<storage, read> q: array<vec4<f16>>;
@group(0) @binding(2) var<storage, read> k: array<vec4<f16>>;
@group(0) @binding(3) var<storage, read> v: array<vec4<f16>>;
@group(0) @binding(4) var<storage, read_write> o: array<vec4<f16>>;

const D4: u32 = D / 4u;
const DB: u32 = D / 16u; // 16-wide blocks of the head dim
const CB: u32 = BC / 16u; // 16-wide blocks of a K/V tile
const BR: u32 = 16u * SG;
const WG: u32 = SG * SGS;
const HALF: u32 = BC / 2u; // keys of a tile each of a row's two invocations handles
const DP: u32 = D + 8u; // row stride of Q/K/V in workgroup memory, halves (padded, see above)
const STS: u32 = BC + 4u; // row stride of st, floats
const PTS: u32 = BC + 8u; // row stride of pt, halves
const V_OFF: u32 = BC * DP; // the V tile follows the K tile
const NPT: u32 = (BC * D4 + WG - 1u) / WG; // vec4s of a K (or V) tile per invocation
const QSG: u32 = min(SG, 4u); // subgroups whose Q rows are staged at once
const NEG_BIG: f32 = -3.0e38;
const RESCALE_LOG2: f32 = 8.0;

var<workgroup> kv: array<f16, KV_LEN>; // Q staging, then [K tile | V tile], row-major
var<workgroup> st: array<f32, SG * 16u * STS>; // scores, per subgroup [16][STS]
var<workgroup> pt: array<f16, SG * 16u * PTS>; // probabilities, per subgroup [16][PTS]
// A vec4 (16 bytes), not a u32: on the H100 (Vulkan, NVIDIA 580) a 4-byte workgroup variable put
// every subgroup-matrix load and store 4 bytes early (scalar accesses were right), so the whole
// kernel read Q, K, P, V and wrote S, O one f32 / two f16 off. Keep every workgroup variable a
// multiple of 16 bytes.
var<workgroup> need_rescale: vec4<u32>;

alias Left = subgroup_matrix_left<f16, 16, 16>;
alias Right = subgroup_matrix_right<f16, 16, 16>;
alias Acc = subgroup_matrix_result<f32, 16, 16>;

fn put4(at: u32, x: vec4<f16>) {
  kv[at] = x.x;
  kv[at + 1u] = x.y;
  kv[at + 2u] = x.z;
  kv[at + 3u] = x.w;
}

// Q rows 16g..16g+15, head-dim block db (the Q tile is staged in kv).
fn q_block(g: u32, db: u32) -> Left {
  return subgroupMatrixLoad<Left, row_major>(&kv, g * 16u * DP + db * 16u, DP);
}

// Kᵀ for keys 16cb..16cb+15 of the tile, head-dim block db: the K tile read column-major.
fn kt_block(cb: u32, db: u32) -> Right {
  return subgroupMatrixLoad<Right, col_major>(&kv, cb * 16u * DP + db * 16u, DP);
}

// V for keys 16cb..16cb+15 of the tile, head-dim block db.
fn v_block(cb: u32, db: u32) -> Right {
  return subgroupMatrixLoad<Right, row_major>(&kv, V_OFF + cb * 16u * DP + db * 16u, DP);
}

// One O block × each row's alpha, through the subgroup's 16×16 scratch at `area`; `mine` is
// where this invocation's 8 values of its row sit.
fn rescaled(om: Acc, area: u32, mine: u32, alpha: f32) -> Acc {
  subgroupMatrixStore<row_major>(&st, area, om, STS);
  workgroupBarrier();
  for (var i = 0u; i < 8u; i++) {
    st[mine + i] = st[mine + i] * alpha;
  }
  workgroupBarrier();
  let scaled = subgroupMatrixLoad<Acc, row_major>(&st, area, STS);
  workgroupBarrier();
  return scaled;
}

// One O block / l to storage: through the scratch at `area`, 8 values per invocation (`mine`)
// to `out` (a vec4 index), only for rows inside the sequence.
fn write_block(om: Acc, area: u32, mine: u32, out: u32, in_seq: bool, inv: f32) {
  subgroupMatrixStore<row_major>(&st, area, om, STS);
  workgroupBarrier();
  if (in_seq) {
    o[out] = vec4<f16>(vec4<f32>(st[mine], st[mine + 1u], st[mine + 2u], st[mine + 3u]) * inv);
    o[out + 1u] = vec4<f16>(vec4<f32>(st[mine + 4u], st[mine + 5u], st[mine + 6u], st[mine + 7u]) * inv);
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
  let r_local = lane / 2u; // SGS = 32: lanes 0..31 → rows 0..15
  let h = lane % 2u;
  let row = q0 + g * 16u + r_local;
  let c = params.scale_log2e;
  let s_row = g * 16u * STS + r_local * STS; // this row in st
  let p_row = g * 16u * PTS + r_local * PTS; // this row in pt
  let area = g * 16u * STS; // this subgroup's 16×16 scratch in st for O blocks
  let mine = area + r_local * STS + h * 8u; // this invocation's 8 values there

  // Q tile → workgroup memory → left matrices, QSG subgroups' rows at a time (the staging area
  // holds 64 rows), zero past the tail.
  var qm0: Left;
  var qm1: Left;
  var qm2: Left;
  var qm3: Left;
  var qm4: Left;
  var qm5: Left;
  var qm6: Left;
  var qm7: Left;
  for (var c = 0u; c < SG; c += QSG) {
    for (var t = lid; t < QSG * 16u * D4; t += WG) {
      let r = q0 + c * 16u + t / D4;
      var x = vec4<f16>(0.0);
      if (r < s) {
        x = q[base + r * D4 + t % D4];
      }
      put4((t / D4) * DP + (t % D4) * 4u, x);
    }
    workgroupBarrier();
    if (g >= c && g < c + QSG) {
      qm0 = q_block(g - c, 0u);
      if (DB > 1u) { qm1 = q_block(g - c, 1u); }
      if (DB > 2u) { qm2 = q_block(g - c, 2u); }
      if (DB > 3u) { qm3 = q_block(g - c, 3u); }
      if (DB > 4u) { qm4 = q_block(g - c, 4u); }
      if (DB > 5u) { qm5 = q_block(g - c, 5u); }
      if (DB > 6u) { qm6 = q_block(g - c, 6u); }
      if (DB > 7u) { qm7 = q_block(g - c, 7u); }
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
  workgroupBarrier();

  var k_end = s;
  if (params.causal != 0u) {
    k_end = min(s, q0 + BR);
  }
  var kx: array<vec4<f16>, NPT>;
  var vx: array<vec4<f16>, NPT>;
  for (var i = 0u; i < NPT; i++) {
    let t = lid + i * WG;
    let key = t / D4;
    kx[i] = vec4<f16>(0.0);
    vx[i] = vec4<f16>(0.0);
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
        put4((t / D4) * DP + (t % D4) * 4u, kx[i]);
        put4(V_OFF + (t / D4) * DP + (t % D4) * 4u, vx[i]);
      }
    }
    workgroupBarrier();
    // The next tile's K/V into registers now; their latency hides behind this tile's work.
    for (var i = 0u; i < NPT; i++) {
      let t = lid + i * WG;
      let key = k0 + BC + t / D4;
      kx[i] = vec4<f16>(0.0);
      vx[i] = vec4<f16>(0.0);
      if (t < BC * D4 && key < k_end) {
        let at = base + key * D4 + t % D4;
        kx[i] = k[at];
        vx[i] = v[at];
      }
    }

    // S = Q·Kᵀ for this subgroup's 16 rows, CB blocks of 16 keys.
    for (var cb = 0u; cb < CB; cb++) {
      var acc = subgroupMatrixMultiplyAccumulate(qm0, kt_block(cb, 0u), Acc());
      if (DB > 1u) { acc = subgroupMatrixMultiplyAccumulate(qm1, kt_block(cb, 1u), acc); }
      if (DB > 2u) { acc = subgroupMatrixMultiplyAccumulate(qm2, kt_block(cb, 2u), acc); }
      if (DB > 3u) { acc = subgroupMatrixMultiplyAccumulate(qm3, kt_block(cb, 3u), acc); }
      if (DB > 4u) { acc = subgroupMatrixMultiplyAccumulate(qm4, kt_block(cb, 4u), acc); }
      if (DB > 5u) { acc = subgroupMatrixMultiplyAccumulate(qm5, kt_block(cb, 5u), acc); }
      if (DB > 6u) { acc = subgroupMatrixMultiplyAccumulate(qm6, kt_block(cb, 6u), acc); }
      if (DB > 7u) { acc = subgroupMatrixMultiplyAccumulate(qm7, kt_block(cb, 7u), acc); }
      subgroupMatrixStore<row_major>(&st, g * 16u * STS + cb * 16u, acc, STS);
    }
    workgroupBarrier();

    // Online softmax on scalars: this invocation's HALF keys of its row, read once into xs; the
    // row max first, then P from xs.
    var xs: array<f32, HALF>;
    var mx = NEG_BIG;
    for (var j = 0u; j < HALF; j++) {
      let key = k0 + h * HALF + j;
      var x = NEG_BIG;
      if (key < k_end && (params.causal == 0u || key <= row)) {
        x = st[s_row + h * HALF + j] * c;
      }
      xs[j] = x;
      mx = max(mx, x);
    }
    mx = max(mx, subgroupShuffleXor(mx, 1u));
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
        p = exp2(xs[j] - m);
      }
      sum += p;
      pt[p_row + h * HALF + j] = f16(p);
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

    // O += P·V.
    for (var cb = 0u; cb < CB; cb++) {
      let pm = subgroupMatrixLoad<Left, row_major>(&pt, g * 16u * PTS + cb * 16u, PTS);
      om0 = subgroupMatrixMultiplyAccumulate(pm, v_block(cb, 0u), om0);
      if (DB > 1u) { om1 = subgroupMatrixMultiplyAccumulate(pm, v_block(cb, 1u), om1); }
      if (DB > 2u) { om2 = subgroupMatrixMultiplyAccumulate(pm, v_block(cb, 2u), om2); }
      if (DB > 3u) { om3 = subgroupMatrixMultiplyAccumulate(pm, v_block(cb, 3u), om3); }
      if (DB > 4u) { om4 = subgroupMatrixMultiplyAccumulate(pm, v_block(cb, 4u), om4); }
      if (DB > 5u) { om5 = subgroupMatrixMultiplyAccumulate(pm, v_block(cb, 5u), om5); }
      if (DB > 6u) { om6 = subgroupMatrixMultiplyAccumulate(pm, v_block(cb, 6u), om6); }
      if (DB > 7u) { om7 = subgroupMatrixMultiplyAccumulate(pm, v_block(cb, 7u), om7); }
    }
    workgroupBarrier();
  }

  // O / l: each block through workgroup memory, then 8 values per invocation to storage.
  let inv = 1.0 / (l + subgroupShuffleXor(l, 1u));
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
