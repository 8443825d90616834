// flash-f16 — flash-f32's tiling with f16 tensors: Q, K, V and O are stored as f16 (half the
// bytes), K/V tiles sit in workgroup memory as T, and Q·Kᵀ is computed in T. The softmax
// statistics (running max m, sum l) and the P·V accumulator stay f32, as in FlashAttention.
// T is f16 where the adapter has `shader-f16` (half_native.wgsl) and f32 otherwise
// (half_emulated.wgsl, which reads the same f16 bytes through unpack2x16float); the engine
// prepends one of the two and records which in the result (`math`).
// Run it alone: `attnlab run --backend webgpu --kernel flash-f16 --dtype f16 --seq 77`.
//
// Preamble (baked by the engine from the adapter's limits): D, BR (rows per workgroup =
// workgroup size), BC (K/V rows per tile).

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
@group(0) @binding(1) var<storage, read> q: array<H4>;
@group(0) @binding(2) var<storage, read> k: array<H4>;
@group(0) @binding(3) var<storage, read> v: array<H4>;
@group(0) @binding(4) var<storage, read_write> o: array<H4>;

const D4: u32 = D / 4u;
const NEG_BIG: f32 = -3.0e38;

var<workgroup> k_tile: array<vec4<T>, BC * D4>;
var<workgroup> v_tile: array<vec4<T>, BC * D4>;

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
    return;
  }
  let bh = group / q_tiles;
  let q0 = (group % q_tiles) * BR;
  let row = q0 + lid;
  let row_valid = row < s;
  let base = bh * s * D4;
  let skv = params.kv_seq_len;
  let kv_base = (bh / params.group) * skv * D4; // grouped-query heads: see flash-f32
  // The scale is applied in f32 after the f16 dot product, to keep Q's rounding at one step.
  let c = params.scale_log2e;

  let q_off = base + min(row, s - 1u) * D4;
  var qr: array<vec4<T>, D4>;
  var acc: array<vec4<f32>, D4>;
  for (var d = 0u; d < D4; d++) {
    qr[d] = load4(q[q_off + d]);
    acc[d] = vec4<f32>(0.0);
  }
  var m = NEG_BIG;
  var l = 0.0;

  var k_end = skv;
  if (params.causal != 0u) {
    k_end = min(skv, max(q0 + BR + skv, s) - s); // bottom-right causal: see flash-f32
  }
  for (var k0 = 0u; k0 < k_end; k0 += BC) {
    for (var t = lid; t < BC * D4; t += BR) {
      let key = k0 + t / D4;
      var kv = vec4<T>(0.0);
      var vv = vec4<T>(0.0);
      if (key < skv) {
        let g = kv_base + key * D4 + t % D4;
        kv = load4(k[g]);
        vv = load4(v[g]);
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
        var acc4 = vec4<T>(0.0);
        for (var d = 0u; d < D4; d++) {
          acc4 = fma(qr[d], k_tile[j * D4 + d], acc4);
        }
        x = f32(acc4.x + acc4.y + acc4.z + acc4.w) * c;
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
        let p = exp2(sc[j] - m_new);
        l += p;
        for (var d = 0u; d < D4; d++) {
          acc[d] = fma(vec4<f32>(p), vec4<f32>(v_tile[j * D4 + d]), acc[d]);
        }
      }
      m = m_new;
    }
    workgroupBarrier();
  }

  if (row_valid) {
    let inv = select(0.0, 1.0 / l, l > 0.0);
    let o_off = base + row * D4;
    for (var d = 0u; d < D4; d++) {
      o[o_off + d] = store4(acc[d] * inv);
    }
  }
}
