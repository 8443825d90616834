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
//   * The D/16 head-dim blocks are written out (up to 8 copies, each behind a constant
//     `if (DB > k)` that the compiler folds) instead of arrays of subgroup matrices indexed in a
//     loop: the H100's driver kept such arrays out of registers, and D=128 ran ~25% slower.
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

fn put4(at: u32, x: vec4<f16>) {
  kv[at] = x.x;
  kv[at + 1u] = x.y;
  kv[at + 2u] = x.z;
  kv[at + 3u] = x.w;
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
  var qm_0: subgroup_matrix_left<f16, 16, 16>;
  var qm_1: subgroup_matrix_left<f16, 16, 16>;
  var qm_2: subgroup_matrix_left<f16, 16, 16>;
  var qm_3: subgroup_matrix_left<f16, 16, 16>;
  var qm_4: subgroup_matrix_left<f16, 16, 16>;
  var qm_5: subgroup_matrix_left<f16, 16, 16>;
  var qm_6: subgroup_matrix_left<f16, 16, 16>;
  var qm_7: subgroup_matrix_left<f16, 16, 16>;
  var om_0: subgroup_matrix_result<f32, 16, 16>;
  var om_1: subgroup_matrix_result<f32, 16, 16>;
  var om_2: subgroup_matrix_result<f32, 16, 16>;
  var om_3: subgroup_matrix_result<f32, 16, 16>;
  var om_4: subgroup_matrix_result<f32, 16, 16>;
  var om_5: subgroup_matrix_result<f32, 16, 16>;
  var om_6: subgroup_matrix_result<f32, 16, 16>;
  var om_7: subgroup_matrix_result<f32, 16, 16>;
  {
    let db = 0u;
    qm_0 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(
      &kv, g * 16u * D + db * 16u, D);
    om_0 = subgroup_matrix_result<f32, 16, 16>();
  }
  if (DB > 1u) {
    let db = 1u;
    qm_1 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(
      &kv, g * 16u * D + db * 16u, D);
    om_1 = subgroup_matrix_result<f32, 16, 16>();
  }
  if (DB > 2u) {
    let db = 2u;
    qm_2 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(
      &kv, g * 16u * D + db * 16u, D);
    om_2 = subgroup_matrix_result<f32, 16, 16>();
  }
  if (DB > 3u) {
    let db = 3u;
    qm_3 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(
      &kv, g * 16u * D + db * 16u, D);
    om_3 = subgroup_matrix_result<f32, 16, 16>();
  }
  if (DB > 4u) {
    let db = 4u;
    qm_4 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(
      &kv, g * 16u * D + db * 16u, D);
    om_4 = subgroup_matrix_result<f32, 16, 16>();
  }
  if (DB > 5u) {
    let db = 5u;
    qm_5 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(
      &kv, g * 16u * D + db * 16u, D);
    om_5 = subgroup_matrix_result<f32, 16, 16>();
  }
  if (DB > 6u) {
    let db = 6u;
    qm_6 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(
      &kv, g * 16u * D + db * 16u, D);
    om_6 = subgroup_matrix_result<f32, 16, 16>();
  }
  if (DB > 7u) {
    let db = 7u;
    qm_7 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(
      &kv, g * 16u * D + db * 16u, D);
    om_7 = subgroup_matrix_result<f32, 16, 16>();
  }
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
      var acc = subgroup_matrix_result<f32, 16, 16>();
      {
        let db = 0u;
        let kt = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, cb * 16u * D + db * 16u, D);
        acc = subgroupMatrixMultiplyAccumulate(qm_0, kt, acc);
      }
      if (DB > 1u) {
        let db = 1u;
        let kt = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, cb * 16u * D + db * 16u, D);
        acc = subgroupMatrixMultiplyAccumulate(qm_1, kt, acc);
      }
      if (DB > 2u) {
        let db = 2u;
        let kt = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, cb * 16u * D + db * 16u, D);
        acc = subgroupMatrixMultiplyAccumulate(qm_2, kt, acc);
      }
      if (DB > 3u) {
        let db = 3u;
        let kt = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, cb * 16u * D + db * 16u, D);
        acc = subgroupMatrixMultiplyAccumulate(qm_3, kt, acc);
      }
      if (DB > 4u) {
        let db = 4u;
        let kt = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, cb * 16u * D + db * 16u, D);
        acc = subgroupMatrixMultiplyAccumulate(qm_4, kt, acc);
      }
      if (DB > 5u) {
        let db = 5u;
        let kt = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, cb * 16u * D + db * 16u, D);
        acc = subgroupMatrixMultiplyAccumulate(qm_5, kt, acc);
      }
      if (DB > 6u) {
        let db = 6u;
        let kt = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, cb * 16u * D + db * 16u, D);
        acc = subgroupMatrixMultiplyAccumulate(qm_6, kt, acc);
      }
      if (DB > 7u) {
        let db = 7u;
        let kt = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, cb * 16u * D + db * 16u, D);
        acc = subgroupMatrixMultiplyAccumulate(qm_7, kt, acc);
      }
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
      // O's rows × alpha, one 16×16 block at a time through this subgroup's score area.
      {
        let db = 0u;
        subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_0, 16u);
        workgroupBarrier();
        for (var i = 0u; i < 8u; i++) {
          let at = g * 16u * BC + r_local * 16u + h * 8u + i;
          st[at] = st[at] * alpha;
        }
        workgroupBarrier();
        om_0 = subgroupMatrixLoad<subgroup_matrix_result<f32, 16, 16>, row_major>(
          &st, g * 16u * BC, 16u);
        workgroupBarrier();
      }
      if (DB > 1u) {
        let db = 1u;
        subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_1, 16u);
        workgroupBarrier();
        for (var i = 0u; i < 8u; i++) {
          let at = g * 16u * BC + r_local * 16u + h * 8u + i;
          st[at] = st[at] * alpha;
        }
        workgroupBarrier();
        om_1 = subgroupMatrixLoad<subgroup_matrix_result<f32, 16, 16>, row_major>(
          &st, g * 16u * BC, 16u);
        workgroupBarrier();
      }
      if (DB > 2u) {
        let db = 2u;
        subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_2, 16u);
        workgroupBarrier();
        for (var i = 0u; i < 8u; i++) {
          let at = g * 16u * BC + r_local * 16u + h * 8u + i;
          st[at] = st[at] * alpha;
        }
        workgroupBarrier();
        om_2 = subgroupMatrixLoad<subgroup_matrix_result<f32, 16, 16>, row_major>(
          &st, g * 16u * BC, 16u);
        workgroupBarrier();
      }
      if (DB > 3u) {
        let db = 3u;
        subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_3, 16u);
        workgroupBarrier();
        for (var i = 0u; i < 8u; i++) {
          let at = g * 16u * BC + r_local * 16u + h * 8u + i;
          st[at] = st[at] * alpha;
        }
        workgroupBarrier();
        om_3 = subgroupMatrixLoad<subgroup_matrix_result<f32, 16, 16>, row_major>(
          &st, g * 16u * BC, 16u);
        workgroupBarrier();
      }
      if (DB > 4u) {
        let db = 4u;
        subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_4, 16u);
        workgroupBarrier();
        for (var i = 0u; i < 8u; i++) {
          let at = g * 16u * BC + r_local * 16u + h * 8u + i;
          st[at] = st[at] * alpha;
        }
        workgroupBarrier();
        om_4 = subgroupMatrixLoad<subgroup_matrix_result<f32, 16, 16>, row_major>(
          &st, g * 16u * BC, 16u);
        workgroupBarrier();
      }
      if (DB > 5u) {
        let db = 5u;
        subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_5, 16u);
        workgroupBarrier();
        for (var i = 0u; i < 8u; i++) {
          let at = g * 16u * BC + r_local * 16u + h * 8u + i;
          st[at] = st[at] * alpha;
        }
        workgroupBarrier();
        om_5 = subgroupMatrixLoad<subgroup_matrix_result<f32, 16, 16>, row_major>(
          &st, g * 16u * BC, 16u);
        workgroupBarrier();
      }
      if (DB > 6u) {
        let db = 6u;
        subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_6, 16u);
        workgroupBarrier();
        for (var i = 0u; i < 8u; i++) {
          let at = g * 16u * BC + r_local * 16u + h * 8u + i;
          st[at] = st[at] * alpha;
        }
        workgroupBarrier();
        om_6 = subgroupMatrixLoad<subgroup_matrix_result<f32, 16, 16>, row_major>(
          &st, g * 16u * BC, 16u);
        workgroupBarrier();
      }
      if (DB > 7u) {
        let db = 7u;
        subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_7, 16u);
        workgroupBarrier();
        for (var i = 0u; i < 8u; i++) {
          let at = g * 16u * BC + r_local * 16u + h * 8u + i;
          st[at] = st[at] * alpha;
        }
        workgroupBarrier();
        om_7 = subgroupMatrixLoad<subgroup_matrix_result<f32, 16, 16>, row_major>(
          &st, g * 16u * BC, 16u);
        workgroupBarrier();
      }
    }

    // O += P·V.
    for (var cb = 0u; cb < CB; cb++) {
      let pm = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(
        &pt, g * 16u * BC + cb * 16u, BC);
      {
        let db = 0u;
        let vm = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, V_OFF + cb * 16u * D + db * 16u, D);
        om_0 = subgroupMatrixMultiplyAccumulate(pm, vm, om_0);
      }
      if (DB > 1u) {
        let db = 1u;
        let vm = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, V_OFF + cb * 16u * D + db * 16u, D);
        om_1 = subgroupMatrixMultiplyAccumulate(pm, vm, om_1);
      }
      if (DB > 2u) {
        let db = 2u;
        let vm = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, V_OFF + cb * 16u * D + db * 16u, D);
        om_2 = subgroupMatrixMultiplyAccumulate(pm, vm, om_2);
      }
      if (DB > 3u) {
        let db = 3u;
        let vm = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, V_OFF + cb * 16u * D + db * 16u, D);
        om_3 = subgroupMatrixMultiplyAccumulate(pm, vm, om_3);
      }
      if (DB > 4u) {
        let db = 4u;
        let vm = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, V_OFF + cb * 16u * D + db * 16u, D);
        om_4 = subgroupMatrixMultiplyAccumulate(pm, vm, om_4);
      }
      if (DB > 5u) {
        let db = 5u;
        let vm = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, V_OFF + cb * 16u * D + db * 16u, D);
        om_5 = subgroupMatrixMultiplyAccumulate(pm, vm, om_5);
      }
      if (DB > 6u) {
        let db = 6u;
        let vm = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, V_OFF + cb * 16u * D + db * 16u, D);
        om_6 = subgroupMatrixMultiplyAccumulate(pm, vm, om_6);
      }
      if (DB > 7u) {
        let db = 7u;
        let vm = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, V_OFF + cb * 16u * D + db * 16u, D);
        om_7 = subgroupMatrixMultiplyAccumulate(pm, vm, om_7);
      }
    }
    workgroupBarrier();
  }

  // O / l: each block through workgroup memory, then 8 values per invocation to storage.
  let inv = 1.0 / (l + subgroupShuffleXor(l, 1u));
  {
    let db = 0u;
    subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_0, 16u);
    workgroupBarrier();
    if (row < s) {
      let at = g * 16u * BC + r_local * 16u + h * 8u;
      let out = base + row * D4 + db * 4u + h * 2u;
      o[out] = vec4<f16>(vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv);
      o[out + 1u] = vec4<f16>(vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv);
    }
    workgroupBarrier();
  }
  if (DB > 1u) {
    let db = 1u;
    subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_1, 16u);
    workgroupBarrier();
    if (row < s) {
      let at = g * 16u * BC + r_local * 16u + h * 8u;
      let out = base + row * D4 + db * 4u + h * 2u;
      o[out] = vec4<f16>(vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv);
      o[out + 1u] = vec4<f16>(vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv);
    }
    workgroupBarrier();
  }
  if (DB > 2u) {
    let db = 2u;
    subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_2, 16u);
    workgroupBarrier();
    if (row < s) {
      let at = g * 16u * BC + r_local * 16u + h * 8u;
      let out = base + row * D4 + db * 4u + h * 2u;
      o[out] = vec4<f16>(vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv);
      o[out + 1u] = vec4<f16>(vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv);
    }
    workgroupBarrier();
  }
  if (DB > 3u) {
    let db = 3u;
    subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_3, 16u);
    workgroupBarrier();
    if (row < s) {
      let at = g * 16u * BC + r_local * 16u + h * 8u;
      let out = base + row * D4 + db * 4u + h * 2u;
      o[out] = vec4<f16>(vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv);
      o[out + 1u] = vec4<f16>(vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv);
    }
    workgroupBarrier();
  }
  if (DB > 4u) {
    let db = 4u;
    subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_4, 16u);
    workgroupBarrier();
    if (row < s) {
      let at = g * 16u * BC + r_local * 16u + h * 8u;
      let out = base + row * D4 + db * 4u + h * 2u;
      o[out] = vec4<f16>(vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv);
      o[out + 1u] = vec4<f16>(vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv);
    }
    workgroupBarrier();
  }
  if (DB > 5u) {
    let db = 5u;
    subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_5, 16u);
    workgroupBarrier();
    if (row < s) {
      let at = g * 16u * BC + r_local * 16u + h * 8u;
      let out = base + row * D4 + db * 4u + h * 2u;
      o[out] = vec4<f16>(vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv);
      o[out + 1u] = vec4<f16>(vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv);
    }
    workgroupBarrier();
  }
  if (DB > 6u) {
    let db = 6u;
    subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_6, 16u);
    workgroupBarrier();
    if (row < s) {
      let at = g * 16u * BC + r_local * 16u + h * 8u;
      let out = base + row * D4 + db * 4u + h * 2u;
      o[out] = vec4<f16>(vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv);
      o[out + 1u] = vec4<f16>(vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv);
    }
    workgroupBarrier();
  }
  if (DB > 7u) {
    let db = 7u;
    subgroupMatrixStore<row_major>(&st, g * 16u * BC, om_7, 16u);
    workgroupBarrier();
    if (row < s) {
      let at = g * 16u * BC + r_local * 16u + h * 8u;
      let out = base + row * D4 + db * 4u + h * 2u;
      o[out] = vec4<f16>(vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv);
      o[out + 1u] = vec4<f16>(vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv);
    }
    workgroupBarrier();
  }
}
