// flash-sgmat-f32x3 — f32 attention on the tensor cores from WGSL: every f32 operand x is split
// into two f16 parts, hi = f16(x) and lo = f16(x − hi), and each product is taken as
// hi·hi + hi·lo + lo·hi with f32 accumulation (the lo·lo term, ~2⁻²² relative, is dropped). This
// is what CUTLASS's OpMultiplyAddFastF32 does with TF32 — the path PyTorch's f32 "efficient"
// SDPA takes on sm80+ — done here with the 16×16×16 f16 subgroup matrices WebGPU exposes.
//   * Same tiling as flash-sgmat-f16: BR = 16·SG query rows per workgroup, subgroup g owns rows
//     16g..16g+15 as left matrices (Qhi and Qlo) and f32 result matrices (O); K and V tiles of
//     BC keys in workgroup memory as hi and lo halves; S and P through workgroup memory; lazy
//     rescale of O (see flash-sgmat-f16).
//   * Range: inputs must be finite f16 values in magnitude (|x| < 65504); lo parts below 6e-5
//     become f16 subnormals, which keeps their absolute error under 3e-8.
//   * The D/16 head-dim blocks are written out (up to 8 copies, each behind a constant
//     `if (DB > k)` that the compiler folds) instead of arrays of subgroup matrices indexed in a
//     loop: the H100's driver kept such arrays out of registers, and D=128 ran ~25% slower.
// Changes against flash-sgmat-f16: f32 tensors, 3 products per block instead of 1.
// Run it alone: `attnlab run --backend dawn --kernel flash-sgmat-f32x3`.
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
@group(0) @binding(1) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> o: array<vec4<f32>>;

const D4: u32 = D / 4u;
const DB: u32 = D / 16u; // 16-wide blocks of the head dim
const CB: u32 = BC / 16u; // 16-wide blocks of a K/V tile
const BR: u32 = 16u * SG;
const WG: u32 = SG * SGS;
const HALF: u32 = BC / 2u; // keys of a tile each of a row's two invocations handles
const KL_OFF: u32 = BC * D; // [Khi | Klo | Vhi | Vlo], each BC×D
const VH_OFF: u32 = 2u * BC * D;
const VL_OFF: u32 = 3u * BC * D;
const NEG_BIG: f32 = -3.0e38;
const RESCALE_LOG2: f32 = 8.0;
// P is taken as exp2(S·c − m + P_SHIFT): 2^6 larger, so its lo parts stay f16 normals for
// p ≥ ~2⁻⁸ instead of ~2⁻² (≤ 2^(6+8) = 16384 < 65504; the factor cancels in O / l).
const P_SHIFT: f32 = 6.0;

var<workgroup> kv: array<f16, KV_LEN>; // Q staging, then [Khi | Klo | Vhi | Vlo], row-major
var<workgroup> st: array<f32, SG * 16u * BC>; // scores, per subgroup [16][BC]
var<workgroup> ph: array<f16, SG * 16u * BC>; // probabilities, hi part, per subgroup [16][BC]
var<workgroup> pl: array<f16, SG * 16u * BC>; // probabilities, lo part
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
  let s_row = g * 16u * BC + r_local * BC; // this row in st / ph / pl

  // Q tile → workgroup memory (zero past the tail) → left matrices: hi parts, then lo parts.
  var qh_0: subgroup_matrix_left<f16, 16, 16>;
  var qh_1: subgroup_matrix_left<f16, 16, 16>;
  var qh_2: subgroup_matrix_left<f16, 16, 16>;
  var qh_3: subgroup_matrix_left<f16, 16, 16>;
  var qh_4: subgroup_matrix_left<f16, 16, 16>;
  var qh_5: subgroup_matrix_left<f16, 16, 16>;
  var qh_6: subgroup_matrix_left<f16, 16, 16>;
  var qh_7: subgroup_matrix_left<f16, 16, 16>;
  var ql_0: subgroup_matrix_left<f16, 16, 16>;
  var ql_1: subgroup_matrix_left<f16, 16, 16>;
  var ql_2: subgroup_matrix_left<f16, 16, 16>;
  var ql_3: subgroup_matrix_left<f16, 16, 16>;
  var ql_4: subgroup_matrix_left<f16, 16, 16>;
  var ql_5: subgroup_matrix_left<f16, 16, 16>;
  var ql_6: subgroup_matrix_left<f16, 16, 16>;
  var ql_7: subgroup_matrix_left<f16, 16, 16>;
  var om_0: subgroup_matrix_result<f32, 16, 16>;
  var om_1: subgroup_matrix_result<f32, 16, 16>;
  var om_2: subgroup_matrix_result<f32, 16, 16>;
  var om_3: subgroup_matrix_result<f32, 16, 16>;
  var om_4: subgroup_matrix_result<f32, 16, 16>;
  var om_5: subgroup_matrix_result<f32, 16, 16>;
  var om_6: subgroup_matrix_result<f32, 16, 16>;
  var om_7: subgroup_matrix_result<f32, 16, 16>;
  for (var part = 0u; part < 2u; part++) {
    for (var t = lid; t < BR * D4; t += WG) {
      let r = q0 + t / D4;
      var x = vec4<f32>(0.0);
      if (r < s) {
        x = q[base + r * D4 + t % D4];
      }
      put4(t * 4u, select(lo4(x), hi4(x), part == 0u));
    }
    workgroupBarrier();
    {
      let db = 0u;
      let at = g * 16u * D + db * 16u;
      if (part == 0u) {
        qh_0 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      } else {
        ql_0 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      }
      om_0 = subgroup_matrix_result<f32, 16, 16>();
    }
    if (DB > 1u) {
      let db = 1u;
      let at = g * 16u * D + db * 16u;
      if (part == 0u) {
        qh_1 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      } else {
        ql_1 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      }
      om_1 = subgroup_matrix_result<f32, 16, 16>();
    }
    if (DB > 2u) {
      let db = 2u;
      let at = g * 16u * D + db * 16u;
      if (part == 0u) {
        qh_2 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      } else {
        ql_2 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      }
      om_2 = subgroup_matrix_result<f32, 16, 16>();
    }
    if (DB > 3u) {
      let db = 3u;
      let at = g * 16u * D + db * 16u;
      if (part == 0u) {
        qh_3 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      } else {
        ql_3 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      }
      om_3 = subgroup_matrix_result<f32, 16, 16>();
    }
    if (DB > 4u) {
      let db = 4u;
      let at = g * 16u * D + db * 16u;
      if (part == 0u) {
        qh_4 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      } else {
        ql_4 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      }
      om_4 = subgroup_matrix_result<f32, 16, 16>();
    }
    if (DB > 5u) {
      let db = 5u;
      let at = g * 16u * D + db * 16u;
      if (part == 0u) {
        qh_5 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      } else {
        ql_5 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      }
      om_5 = subgroup_matrix_result<f32, 16, 16>();
    }
    if (DB > 6u) {
      let db = 6u;
      let at = g * 16u * D + db * 16u;
      if (part == 0u) {
        qh_6 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      } else {
        ql_6 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      }
      om_6 = subgroup_matrix_result<f32, 16, 16>();
    }
    if (DB > 7u) {
      let db = 7u;
      let at = g * 16u * D + db * 16u;
      if (part == 0u) {
        qh_7 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      } else {
        ql_7 = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&kv, at, D);
      }
      om_7 = subgroup_matrix_result<f32, 16, 16>();
    }
    workgroupBarrier();
  }
  var m = NEG_BIG;
  var l = 0.0; // this invocation's half of the row sum

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
      var kx = vec4<f32>(0.0);
      var vx = vec4<f32>(0.0);
      if (key < s) {
        let at = base + key * D4 + t % D4;
        kx = k[at];
        vx = v[at];
      }
      put4(t * 4u, hi4(kx));
      put4(KL_OFF + t * 4u, lo4(kx));
      put4(VH_OFF + t * 4u, hi4(vx));
      put4(VL_OFF + t * 4u, lo4(vx));
    }
    workgroupBarrier();

    // S = Qhi·Khiᵀ + Qhi·Kloᵀ + Qlo·Khiᵀ for this subgroup's 16 rows, CB blocks of 16 keys.
    for (var cb = 0u; cb < CB; cb++) {
      var acc = subgroup_matrix_result<f32, 16, 16>();
      {
        let db = 0u;
        let at = cb * 16u * D + db * 16u;
        let kh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(&kv, at, D);
        let kl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, KL_OFF + at, D);
        acc = subgroupMatrixMultiplyAccumulate(ql_0, kh, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_0, kl, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_0, kh, acc);
      }
      if (DB > 1u) {
        let db = 1u;
        let at = cb * 16u * D + db * 16u;
        let kh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(&kv, at, D);
        let kl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, KL_OFF + at, D);
        acc = subgroupMatrixMultiplyAccumulate(ql_1, kh, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_1, kl, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_1, kh, acc);
      }
      if (DB > 2u) {
        let db = 2u;
        let at = cb * 16u * D + db * 16u;
        let kh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(&kv, at, D);
        let kl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, KL_OFF + at, D);
        acc = subgroupMatrixMultiplyAccumulate(ql_2, kh, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_2, kl, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_2, kh, acc);
      }
      if (DB > 3u) {
        let db = 3u;
        let at = cb * 16u * D + db * 16u;
        let kh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(&kv, at, D);
        let kl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, KL_OFF + at, D);
        acc = subgroupMatrixMultiplyAccumulate(ql_3, kh, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_3, kl, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_3, kh, acc);
      }
      if (DB > 4u) {
        let db = 4u;
        let at = cb * 16u * D + db * 16u;
        let kh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(&kv, at, D);
        let kl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, KL_OFF + at, D);
        acc = subgroupMatrixMultiplyAccumulate(ql_4, kh, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_4, kl, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_4, kh, acc);
      }
      if (DB > 5u) {
        let db = 5u;
        let at = cb * 16u * D + db * 16u;
        let kh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(&kv, at, D);
        let kl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, KL_OFF + at, D);
        acc = subgroupMatrixMultiplyAccumulate(ql_5, kh, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_5, kl, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_5, kh, acc);
      }
      if (DB > 6u) {
        let db = 6u;
        let at = cb * 16u * D + db * 16u;
        let kh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(&kv, at, D);
        let kl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, KL_OFF + at, D);
        acc = subgroupMatrixMultiplyAccumulate(ql_6, kh, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_6, kl, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_6, kh, acc);
      }
      if (DB > 7u) {
        let db = 7u;
        let at = cb * 16u * D + db * 16u;
        let kh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(&kv, at, D);
        let kl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, col_major>(
          &kv, KL_OFF + at, D);
        acc = subgroupMatrixMultiplyAccumulate(ql_7, kh, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_7, kl, acc);
        acc = subgroupMatrixMultiplyAccumulate(qh_7, kh, acc);
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
        p = exp2(st[s_row + h * HALF + j] * c - m + P_SHIFT);
      }
      sum += p;
      let p_hi = hi_part(p);
      ph[s_row + h * HALF + j] = f16(p_hi);
      pl[s_row + h * HALF + j] = f16(p - p_hi);
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

    // O += Phi·Vhi + Phi·Vlo + Plo·Vhi.
    for (var cb = 0u; cb < CB; cb++) {
      let p_at = g * 16u * BC + cb * 16u;
      let pmh = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&ph, p_at, BC);
      let pml = subgroupMatrixLoad<subgroup_matrix_left<f16, 16, 16>, row_major>(&pl, p_at, BC);
      {
        let db = 0u;
        let at = cb * 16u * D + db * 16u;
        let vh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VH_OFF + at, D);
        let vl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VL_OFF + at, D);
        om_0 = subgroupMatrixMultiplyAccumulate(pml, vh, om_0);
        om_0 = subgroupMatrixMultiplyAccumulate(pmh, vl, om_0);
        om_0 = subgroupMatrixMultiplyAccumulate(pmh, vh, om_0);
      }
      if (DB > 1u) {
        let db = 1u;
        let at = cb * 16u * D + db * 16u;
        let vh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VH_OFF + at, D);
        let vl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VL_OFF + at, D);
        om_1 = subgroupMatrixMultiplyAccumulate(pml, vh, om_1);
        om_1 = subgroupMatrixMultiplyAccumulate(pmh, vl, om_1);
        om_1 = subgroupMatrixMultiplyAccumulate(pmh, vh, om_1);
      }
      if (DB > 2u) {
        let db = 2u;
        let at = cb * 16u * D + db * 16u;
        let vh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VH_OFF + at, D);
        let vl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VL_OFF + at, D);
        om_2 = subgroupMatrixMultiplyAccumulate(pml, vh, om_2);
        om_2 = subgroupMatrixMultiplyAccumulate(pmh, vl, om_2);
        om_2 = subgroupMatrixMultiplyAccumulate(pmh, vh, om_2);
      }
      if (DB > 3u) {
        let db = 3u;
        let at = cb * 16u * D + db * 16u;
        let vh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VH_OFF + at, D);
        let vl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VL_OFF + at, D);
        om_3 = subgroupMatrixMultiplyAccumulate(pml, vh, om_3);
        om_3 = subgroupMatrixMultiplyAccumulate(pmh, vl, om_3);
        om_3 = subgroupMatrixMultiplyAccumulate(pmh, vh, om_3);
      }
      if (DB > 4u) {
        let db = 4u;
        let at = cb * 16u * D + db * 16u;
        let vh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VH_OFF + at, D);
        let vl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VL_OFF + at, D);
        om_4 = subgroupMatrixMultiplyAccumulate(pml, vh, om_4);
        om_4 = subgroupMatrixMultiplyAccumulate(pmh, vl, om_4);
        om_4 = subgroupMatrixMultiplyAccumulate(pmh, vh, om_4);
      }
      if (DB > 5u) {
        let db = 5u;
        let at = cb * 16u * D + db * 16u;
        let vh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VH_OFF + at, D);
        let vl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VL_OFF + at, D);
        om_5 = subgroupMatrixMultiplyAccumulate(pml, vh, om_5);
        om_5 = subgroupMatrixMultiplyAccumulate(pmh, vl, om_5);
        om_5 = subgroupMatrixMultiplyAccumulate(pmh, vh, om_5);
      }
      if (DB > 6u) {
        let db = 6u;
        let at = cb * 16u * D + db * 16u;
        let vh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VH_OFF + at, D);
        let vl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VL_OFF + at, D);
        om_6 = subgroupMatrixMultiplyAccumulate(pml, vh, om_6);
        om_6 = subgroupMatrixMultiplyAccumulate(pmh, vl, om_6);
        om_6 = subgroupMatrixMultiplyAccumulate(pmh, vh, om_6);
      }
      if (DB > 7u) {
        let db = 7u;
        let at = cb * 16u * D + db * 16u;
        let vh = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VH_OFF + at, D);
        let vl = subgroupMatrixLoad<subgroup_matrix_right<f16, 16, 16>, row_major>(
          &kv, VL_OFF + at, D);
        om_7 = subgroupMatrixMultiplyAccumulate(pml, vh, om_7);
        om_7 = subgroupMatrixMultiplyAccumulate(pmh, vl, om_7);
        om_7 = subgroupMatrixMultiplyAccumulate(pmh, vh, om_7);
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
      o[out] = vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv;
      o[out + 1u] = vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv;
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
      o[out] = vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv;
      o[out + 1u] = vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv;
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
      o[out] = vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv;
      o[out + 1u] = vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv;
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
      o[out] = vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv;
      o[out + 1u] = vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv;
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
      o[out] = vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv;
      o[out + 1u] = vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv;
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
      o[out] = vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv;
      o[out + 1u] = vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv;
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
      o[out] = vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv;
      o[out + 1u] = vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv;
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
      o[out] = vec4<f32>(st[at], st[at + 1u], st[at + 2u], st[at + 3u]) * inv;
      o[out + 1u] = vec4<f32>(st[at + 4u], st[at + 5u], st[at + 6u], st[at + 7u]) * inv;
    }
    workgroupBarrier();
  }
}
