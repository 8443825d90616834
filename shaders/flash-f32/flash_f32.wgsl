// flash-f32 — FlashAttention-style forward in f32: one pass over K/V, no S×S matrix stored.
//   * A workgroup owns a tile of BR query rows of one (batch, head); each invocation owns one
//     query row, held in registers already multiplied by scale·log2(e), so softmax uses exp2.
//   * K and V stream through workgroup memory in tiles of BC rows (cooperative, coalesced loads).
//   * Online softmax: a running max m and sum l per row; when a tile raises the max, the
//     accumulator and l are rescaled by exp2(m_old − m_new).
//   * Tails (S not a multiple of BR, Skv not of BC) are masked; causal masks keys past the
//     bottom-right-aligned diagonal (query i sees keys j ≤ i + Skv − S) and stops at the last K
//     tile the Q tile can see. A row that sees no key at all (S > Skv) outputs zeros.
//   * Grouped-query heads: Q/O are [B, H, S, D], K/V [B, Hkv, Skv, D]; the (b, h) of a workgroup
//     reads K/V head (b·H + h) / group = b·Hkv + h / group.
// Changes against naive-f32: fused, tiled, online softmax, exp2 with the scale folded in.
// Run it alone: `attnlab run --backend webgpu --kernel flash-f32 --seq 77 --dim 64`.
//
// Preamble (baked by the engine from the adapter's limits): D (head dim), BR (rows per
// workgroup = workgroup size), BC (K/V rows per tile).

struct Params {
  seq_len: u32, // S, query rows per head
  bh: u32, // B·H
  causal: u32,
  kv_seq_len: u32, // Skv, keys per KV head
  scale: f32,
  scale_log2e: f32,
  group: u32, // H / Hkv: query heads sharing a KV head (query head h reads KV head h / group)
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> o: array<vec4<f32>>;

const D4: u32 = D / 4u;
// A finite stand-in for −∞: exp2(NEG_BIG − m) underflows to exactly 0.
const NEG_BIG: f32 = -3.0e38;

var<workgroup> k_tile: array<vec4<f32>, BC * D4>;
var<workgroup> v_tile: array<vec4<f32>, BC * D4>;

@compute @workgroup_size(BR)
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
  let row = q0 + lid;
  let row_valid = row < s;
  let base = bh * s * D4;
  let skv = params.kv_seq_len;
  let kv_base = (bh / params.group) * skv * D4;

  // Inactive rows (past the tail) load row S−1 and compute garbage they never write: every
  // invocation must reach the barriers below.
  let q_off = base + min(row, s - 1u) * D4;
  var qr: array<vec4<f32>, D4>;
  var acc: array<vec4<f32>, D4>;
  for (var d = 0u; d < D4; d++) {
    qr[d] = q[q_off + d] * params.scale_log2e;
    acc[d] = vec4<f32>(0.0);
  }
  var m = NEG_BIG;
  var l = 0.0;

  var k_end = skv;
  if (params.causal != 0u) {
    // Keys past the Q tile's last row's diagonal (q0 + BR − 1 + Skv − S) are fully masked.
    k_end = min(skv, max(q0 + BR + skv, s) - s);
  }
  for (var k0 = 0u; k0 < k_end; k0 += BC) {
    for (var t = lid; t < BC * D4; t += BR) {
      let key = k0 + t / D4;
      var kv = vec4<f32>(0.0);
      var vv = vec4<f32>(0.0);
      if (key < skv) {
        let g = kv_base + key * D4 + t % D4;
        kv = k[g];
        vv = v[g];
      }
      k_tile[t] = kv;
      v_tile[t] = vv;
    }
    workgroupBarrier();

    var sc: array<f32, BC>;
    var m_tile = NEG_BIG;
    for (var j = 0u; j < BC; j++) {
      let key = k0 + j;
      var x = NEG_BIG;
      if (key < k_end && (params.causal == 0u || key + s <= row + skv)) {
        var acc4 = vec4<f32>(0.0);
        for (var d = 0u; d < D4; d++) {
          acc4 = fma(qr[d], k_tile[j * D4 + d], acc4);
        }
        x = acc4.x + acc4.y + acc4.z + acc4.w;
      }
      sc[j] = x;
      m_tile = max(m_tile, x);
    }
    if (m_tile > NEG_BIG) {
      let m_new = max(m, m_tile);
      let alpha = exp2(m - m_new);
      l *= alpha;
      for (var d = 0u; d < D4; d++) {
        acc[d] *= alpha;
      }
      for (var j = 0u; j < BC; j++) {
        let p = exp2(sc[j] - m_new); // masked keys: exp2(NEG_BIG − m) = 0
        l += p;
        for (var d = 0u; d < D4; d++) {
          acc[d] = fma(vec4<f32>(p), v_tile[j * D4 + d], acc[d]);
        }
      }
      m = m_new;
    }
    workgroupBarrier();
  }

  if (row_valid) {
    let inv = select(0.0, 1.0 / l, l > 0.0); // no visible key: zeros, as FlashAttention
    let o_off = base + row * D4;
    for (var d = 0u; d < D4; d++) {
      o[o_off + d] = acc[d] * inv;
    }
  }
}
