// flash-subgroup — flash-f32 with each query row split across L lanes of a subgroup.
//   * L consecutive lanes share a row; lane `part` owns head-dim slices part, part+L, … (vec4s),
//     so each invocation holds D/L of q and of the accumulator instead of all D (fewer
//     registers, more rows in flight).
//   * The partial dot products of a score are summed with subgroupShuffleXor (log2 L steps):
//     no workgroup memory or barrier per score.
//   * K/V tiles, online softmax (exp2, scale·log2(e) folded into q), tail and causal masking
//     as in flash-f32. Every lane of a row computes the same softmax statistics.
// Needs the `subgroups` feature and a subgroup size that is a multiple of L (the engine picks
// L ≤ the adapter's minimum subgroup size). Subgroups are numbered with a workgroup atomic,
// because WGSL does not promise which invocations form a subgroup.
// Run it alone: `attnlab run --backend webgpu --kernel flash-subgroup --seq 77 --dim 64`.
//
// Preamble (baked by the engine): D, L (lanes per row), WG (workgroup size, a multiple of the
// largest subgroup size), BC (K/V rows per tile).
enable subgroups;

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
const PER_LANE: u32 = D4 / L; // vec4s of the row each lane owns
const BR: u32 = WG / L; // query rows per workgroup
const NEG_BIG: f32 = -3.0e38;

var<workgroup> k_tile: array<vec4<f32>, BC * D4>;
var<workgroup> v_tile: array<vec4<f32>, BC * D4>;
var<workgroup> subgroup_counter: atomic<u32>;

@compute @workgroup_size(WG)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
  @builtin(subgroup_invocation_id) lane: u32,
  @builtin(subgroup_size) sg_size: u32,
) {
  let s = params.seq_len;
  let q_tiles = (s + BR - 1u) / BR;
  let group = wid.x + wid.y * nwg.x;
  if (group >= q_tiles * params.bh) {
    return;
  }
  if (lid == 0u) {
    atomicStore(&subgroup_counter, 0u);
  }
  workgroupBarrier();
  var sg_index = 0u;
  if (lane == 0u) {
    sg_index = atomicAdd(&subgroup_counter, 1u);
  }
  sg_index = subgroupBroadcast(sg_index, 0u);
  let slot = sg_index * sg_size + lane; // unique in 0..WG−1; L-aligned groups share a row
  let part = slot % L;

  let bh = group / q_tiles;
  let q0 = (group % q_tiles) * BR;
  let row = q0 + slot / L;
  let row_valid = row < s;
  let base = bh * s * D4;
  let skv = params.kv_seq_len;
  let kv_base = (bh / params.group) * skv * D4; // grouped-query heads: see flash-f32

  let q_off = base + min(row, s - 1u) * D4;
  var qr: array<vec4<f32>, PER_LANE>;
  var acc: array<vec4<f32>, PER_LANE>;
  for (var t = 0u; t < PER_LANE; t++) {
    qr[t] = q[q_off + part + t * L] * params.scale_log2e;
    acc[t] = vec4<f32>(0.0);
  }
  var m = NEG_BIG;
  var l = 0.0;

  var k_end = skv;
  if (params.causal != 0u) {
    k_end = min(skv, max(q0 + BR + skv, s) - s); // bottom-right causal: see flash-f32
  }
  for (var k0 = 0u; k0 < k_end; k0 += BC) {
    for (var t = lid; t < BC * D4; t += WG) {
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
      var acc4 = vec4<f32>(0.0);
      for (var t = 0u; t < PER_LANE; t++) {
        acc4 = fma(qr[t], k_tile[j * D4 + part + t * L], acc4);
      }
      var x = acc4.x + acc4.y + acc4.z + acc4.w;
      // Butterfly sum over the L lanes of this row; every lane runs it (uniform control flow).
      for (var w = 1u; w < L; w <<= 1u) {
        x += subgroupShuffleXor(x, w);
      }
      let key = k0 + j;
      if (key >= k_end || (params.causal != 0u && key + s > row + skv)) {
        x = NEG_BIG;
      }
      sc[j] = x;
      m_tile = max(m_tile, x);
    }
    if (m_tile > NEG_BIG) {
      let m_new = max(m, m_tile);
      let alpha = exp2(m - m_new);
      l *= alpha;
      for (var t = 0u; t < PER_LANE; t++) {
        acc[t] *= alpha;
      }
      for (var j = 0u; j < BC; j++) {
        let p = exp2(sc[j] - m_new);
        l += p;
        for (var t = 0u; t < PER_LANE; t++) {
          acc[t] = fma(vec4<f32>(p), v_tile[j * D4 + part + t * L], acc[t]);
        }
      }
      m = m_new;
    }
    workgroupBarrier();
  }

  if (row_valid) {
    let inv = select(0.0, 1.0 / l, l > 0.0);
    let o_off = base + row * D4;
    for (var t = 0u; t < PER_LANE; t++) {
      o[o_off + part + t * L] = acc[t] * inv;
    }
  }
}
