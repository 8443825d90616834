// naive-f32 — the textbook three steps, the readable baseline (no tiling, no fusion):
//   scores:  S[i, j] = scale · q_i · k_j, an S×Skv f32 matrix per (batch, head) in the `scores`
//            buffer; causal masks keys past the bottom-right-aligned diagonal (j > i + Skv − S);
//   softmax: each row of S becomes probabilities in place (max, sum of exp, divide); a row that
//            sees no key (S > Skv) becomes zeros, so its output is zero (FlashAttention's rule);
//   pv:      O[i, :] = Σ_j P[i, j] · V[j, :].
// Grouped-query heads: query head (b, h) reads K/V head (b·H + h) / group = b·Hkv + h / group.
// It materializes B·H·S·Skv floats, so it is the first kernel to hit the device's buffer limits.
// Run it alone: `attnlab run --backend webgpu --kernel naive-f32 --seq 77 --dim 64`.
//
// Preamble (baked by the engine): WG, the workgroup size. Every entry uses 1-D workgroups over
// a linear index; the dispatch is folded into x·y workgroups (num_workgroups.x wide) because one
// dimension holds at most 65535 workgroups.

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
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> o: array<f32>;
@group(0) @binding(5) var<storage, read_write> scores: array<f32>;

// A finite stand-in for −∞: exp(NEG_BIG − max) underflows to exactly 0.
const NEG_BIG: f32 = -3.0e38;

fn linear_id(wid: vec3<u32>, nwg: vec3<u32>, lid: u32) -> u32 {
  return (wid.x + wid.y * nwg.x) * WG + lid;
}

@compute @workgroup_size(WG)
fn scores_main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let s = params.seq_len;
  let skv = params.kv_seq_len;
  let idx = linear_id(wid, nwg, lid);
  if (idx >= params.bh * s * skv) {
    return;
  }
  let j = idx % skv;
  let i = (idx / skv) % s;
  let bh = idx / (s * skv);
  if (params.causal != 0u && j + s > i + skv) {
    scores[idx] = NEG_BIG;
    return;
  }
  let q_off = (bh * s + i) * D;
  let k_off = ((bh / params.group) * skv + j) * D;
  var dot = 0.0;
  for (var x = 0u; x < D; x++) {
    dot += q[q_off + x] * k[k_off + x];
  }
  scores[idx] = dot * params.scale;
}

@compute @workgroup_size(WG)
fn softmax_main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let s = params.seq_len;
  let skv = params.kv_seq_len;
  let row = linear_id(wid, nwg, lid);
  if (row >= params.bh * s) {
    return;
  }
  let off = row * skv;
  var m = NEG_BIG;
  for (var j = 0u; j < skv; j++) {
    m = max(m, scores[off + j]);
  }
  if (m == NEG_BIG) {
    // Every key masked: exp(NEG_BIG − NEG_BIG) would be 1; the row's probabilities are zero.
    for (var j = 0u; j < skv; j++) {
      scores[off + j] = 0.0;
    }
    return;
  }
  var sum = 0.0;
  for (var j = 0u; j < skv; j++) {
    let p = exp(scores[off + j] - m);
    scores[off + j] = p;
    sum += p;
  }
  let inv = 1.0 / sum;
  for (var j = 0u; j < skv; j++) {
    scores[off + j] *= inv;
  }
}

@compute @workgroup_size(WG)
fn pv_main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let s = params.seq_len;
  let skv = params.kv_seq_len;
  let idx = linear_id(wid, nwg, lid);
  if (idx >= params.bh * s * D) {
    return;
  }
  let x = idx % D;
  let row = idx / D; // bh·S + i
  let i = row % s;
  let kv_head = ((row / s) / params.group) * skv; // first key row of this head's K/V head
  var keys = skv;
  if (params.causal != 0u) {
    keys = min(skv, max(i + 1u + skv, s) - s); // keys j ≤ i + Skv − S
  }
  var acc = 0.0;
  for (var j = 0u; j < keys; j++) {
    acc += scores[row * skv + j] * v[(kv_head + j) * D + x];
  }
  o[idx] = acc;
}
