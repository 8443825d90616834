// flash-sgmat-f16 — FlashAttention forward on the tensor cores from WGSL, through
// `chromium-experimental-subgroup-matrix` (16×16×16 f16 matrices, f32 accumulators).
//   * A workgroup owns BR = 16·SG query rows of one (batch, head); subgroup g owns rows
//     16g..16g+15 and keeps them as D/16 left matrices (Q, f16) and D/16 f32 result matrices (O).
//   * K and V stream through workgroup memory in tiles of BC keys (coalesced vec4 loads).
//     S = Q·Kᵀ: Kᵀ blocks are read from the K tile as column-major right matrices.
//   * Subgroup matrices are opaque, so the softmax runs on scalars: S goes to workgroup memory,
//     two invocations per row take its max and write P = exp2(S·c − m) as f16, and P·V runs
//     on the tensor cores again (P left, V right, both from workgroup memory).
//   * Lazy rescale: m is only raised when a tile's max exceeds it by more than RESCALE_LOG2
//     (P then stays ≤ 2^RESCALE_LOG2, well inside f16). Raising it means scaling O's rows, which
//     needs a round trip of O through workgroup memory; with the threshold that happens almost
//     never after the first tile (where O is still zero and nothing needs scaling).
//   * Tails are zero-filled in the tiles and masked in the softmax; causal masks key > row and
//     stops after the Q tile's diagonal.
//   * The D/16 head-dim blocks are separate variables (qm0..qm7, om0..om7), one line per block
//     behind a constant `if (DB > k)` that the compiler folds, instead of arrays of subgroup
//     matrices indexed in a loop: the H100's driver kept such arrays out of registers, and D=128
//     ran ~25% slower. The per-block work lives in the small functions below.
// Changes against flash-f16: both products on tensor cores, P through workgroup memory, lazy
// rescale. Run it alone: `attnlab run --backend dawn --kernel flash-sgmat-f16 --dtype f16`.
//
// Preamble (baked by the engine): D (head dim, multiple of 16), SG (subgroups per workgroup),
// SGS (subgroup size), BC (keys per tile, multiple of 16), KV_LEN (halves of the K/V region).
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
const V_OFF: u32 = BC * D; // the V tile follows the K tile
const NEG_BIG: f32 = -3.0e38;
const RESCALE_LOG2: f32 = 8.0;

var<workgroup> kv: array<f16, KV_LEN>; // Q staging, then [K tile | V tile], row-major
var<workgroup> st: array<f32, SG * 16u * BC>; // scores, per subgroup [16][BC]
var<workgroup> pt: array<f16, SG * 16u * BC>; // probabilities, per subgroup [16][BC]
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
  return subgroupMatrixLoad<Left, row_major>(&kv, g * 16u * D + db * 16u, D);
}

// Kᵀ for keys 16cb..16cb+15 of the tile, head-dim block db: the K tile read column-major.
fn kt_block(cb: u32, db: u32) -> Right {
  return subgroupMatrixLoad<Right, col_major>(&kv, cb * 16u * D + db * 16u, D);
}

// V for keys 16cb..16cb+15 of the tile, head-dim block db.
fn v_block(cb: u32, db: u32) -> Right {
  return subgroupMatrixLoad<Right, row_major>(&kv, V_OFF + cb * 16u * D + db * 16u, D);
}

// One O block × each row's alpha, through the subgroup's 16×16 scratch at `area`; `mine` is
// where this invocation's 8 values of its row sit.
fn rescaled(om: Acc, area: u32, mine: u32, alpha: f32) -> Acc {
  subgroupMatrixStore<row_major>(&st, area, om, 16u);
  workgroupBarrier();
  for (var i = 0u; i < 8u; i++) {
    st[mine + i] = st[mine + i] * alpha;
  }
  workgroupBarrier();
  let scaled = subgroupMatrixLoad<Acc, row_major>(&st, area, 16u);
  workgroupBarrier();
  return scaled;
}

// One O block / l to storage: through the scratch at `area`, 8 values per invocation (`mine`)
// to `out` (a vec4 index), only for rows inside the sequence.
fn write_block(om: Acc, area: u32, mine: u32, out: u32, in_seq: bool, inv: f32) {
  subgroupMatrixStore<row_major>(&st, area, om, 16u);
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
  let s_row = g * 16u * BC + r_local * BC; // this row in st / pt
  let area = g * 16u * BC; // this subgroup's 16×16 scratch in st for O blocks
  let mine = area + r_local * 16u + h * 8u; // this invocation's 8 values there

  // Q tile → workgroup memory (zero past the tail) → left matrices.
  for (var t = lid; t < BR * D4; t += WG) {
    let r = q0 + t / D4;
    var x = vec4<f16>(0.0);
    if (r < s) {
      x = q[base + r * D4 + t % D4];
    }
    put4(t * 4u, x);
  }
  workgroupBarrier();
  let qm0 = q_block(g, 0u);
  var qm1: Left;
  var qm2: Left;
  var qm3: Left;
  var qm4: Left;
  var qm5: Left;
  var qm6: Left;
  var qm7: Left;
  if (DB > 1u) { qm1 = q_block(g, 1u); }
  if (DB > 2u) { qm2 = q_block(g, 2u); }
  if (DB > 3u) { qm3 = q_block(g, 3u); }
  if (DB > 4u) { qm4 = q_block(g, 4u); }
  if (DB > 5u) { qm5 = q_block(g, 5u); }
  if (DB > 6u) { qm6 = q_block(g, 6u); }
  if (DB > 7u) { qm7 = q_block(g, 7u); }
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
  for (var k0 = 0u; k0 < k_end; k0 += BC) {
    if (lid == 0u) {
      need_rescale = vec4<u32>(0u);
    }
    for (var t = lid; t < BC * D4; t += WG) {
      let key = k0 + t / D4;
      var kx = vec4<f16>(0.0);
      var vx = vec4<f16>(0.0);
      if (key < s) {
        let at = base + key * D4 + t % D4;
        kx = k[at];
        vx = v[at];
      }
      put4(t * 4u, kx);
      put4(V_OFF + t * 4u, vx);
    }
    workgroupBarrier();

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
      subgroupMatrixStore<row_major>(&st, g * 16u * BC + cb * 16u, acc, BC);
    }
    workgroupBarrier();

    // Online softmax on scalars: this invocation's HALF keys of its row; the row max first, then
    // P from the stored scores again (writing the scaled scores back cost more than rereading).
    var mx = NEG_BIG;
    for (var j = 0u; j < HALF; j++) {
      let key = k0 + h * HALF + j;
      var x = NEG_BIG;
      if (key < k_end && (params.causal == 0u || key <= row)) {
        x = st[s_row + h * HALF + j] * c;
      }
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
      let key = k0 + h * HALF + j;
      var p = 0.0;
      if (key < k_end && (params.causal == 0u || key <= row)) {
        p = exp2(st[s_row + h * HALF + j] * c - m);
      }
      sum += p;
      pt[s_row + h * HALF + j] = f16(p);
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
      let pm = subgroupMatrixLoad<Left, row_major>(&pt, g * 16u * BC + cb * 16u, BC);
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
