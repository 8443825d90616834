// naive-f32 — the textbook three steps, the readable baseline (no tiling, no fusion):
//   scores:  S[i, j] = scale · q_i · k_j   (causal: masked above the diagonal), an S×S f32 matrix
//            per (batch, head) in the `scores` buffer;
//   softmax: each row of S becomes probabilities in place (max, sum of exp, divide);
//   pv:      O[i, :] = Σ_j P[i, j] · V[j, :].
// It materializes B·H·S² floats, so it is the first kernel to hit the device's buffer limits.
// Run it alone: `attnlab run --backend webgpu --kernel naive-f32 --seq 77 --dim 64`.
//
// Preamble (baked by the engine): WG, the workgroup size. Every entry uses 1-D workgroups over
// a linear index; the dispatch is folded into x·y workgroups (num_workgroups.x wide) because one
// dimension holds at most 65535 workgroups.

struct Params {
  seq_len: u32,
  bh: u32,
  causal: u32,
  _pad: u32,
  scale: f32,
  scale_log2e: f32,
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
  let idx = linear_id(wid, nwg, lid);
  if (idx >= params.bh * s * s) {
    return;
  }
  let j = idx % s;
  let i = (idx / s) % s;
  let bh = idx / (s * s);
  if (params.causal != 0u && j > i) {
    scores[idx] = NEG_BIG;
    return;
  }
  let q_off = (bh * s + i) * D;
  let k_off = (bh * s + j) * D;
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
  let row = linear_id(wid, nwg, lid);
  if (row >= params.bh * s) {
    return;
  }
  let off = row * s;
  var m = NEG_BIG;
  for (var j = 0u; j < s; j++) {
    m = max(m, scores[off + j]);
  }
  var sum = 0.0;
  for (var j = 0u; j < s; j++) {
    let p = exp(scores[off + j] - m);
    scores[off + j] = p;
    sum += p;
  }
  let inv = 1.0 / sum;
  for (var j = 0u; j < s; j++) {
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
  let idx = linear_id(wid, nwg, lid);
  if (idx >= params.bh * s * D) {
    return;
  }
  let x = idx % D;
  let row = idx / D; // bh·S + i
  let i = row % s;
  let head = row - i; // bh·S
  var keys = s;
  if (params.causal != 0u) {
    keys = i + 1u;
  }
  var acc = 0.0;
  for (var j = 0u; j < keys; j++) {
    acc += scores[row * s + j] * v[(head + j) * D + x];
  }
  o[idx] = acc;
}
