// flash-decode-f16 — split-KV decode attention (flash-decoding) on f16 tensors, for few query
// rows against a long K/V cache, where one workgroup per (batch, head) would leave the GPU idle.
//   * split_main: the Skv keys are cut into chunks of C; a workgroup owns one chunk of one K/V
//     head and up to R of the H/Hkv·S query rows that read that head (grouped-query heads share
//     it, so K and V are read once per chunk, not once per query head). It writes the chunk's
//     partial softmax statistics per row — max m and sum l (log2 domain) — and the unnormalised
//     accumulator Σ_j exp2(s_j − m)·V_j, all f32, to the `partials` scratch buffer.
//       1. Q rows → workgroup memory.
//       2. Scores: L lanes share a key (vec4 loads, consecutive lanes read consecutive vec4s);
//          Q·Kᵀ in T, summed over the lanes by lane_sum, scaled in f32, masked, → sc.
//       3. Per row: chunk max and sum of exp2 by workgroup-memory tree reductions; sc → p.
//       4. P·V: one invocation per (row, vec4 of D), coalesced V loads, four independent key
//          chains; when there are fewer outputs than invocations, the keys are split and summed
//          through workgroup memory.
//   * combine_main: per output vec4, O = Σ_c exp2(m_c − M)·acc_c / Σ_c exp2(m_c − M)·l_c with M the
//     max over chunks; a row that sees no key (causal, S > Skv) outputs zeros.
// Causal is bottom-right aligned: query i sees keys j ≤ i + Skv − S. T is f16 where the adapter
// has `shader-f16` (half_native.wgsl), else f32 on the same f16 bytes (half_emulated.wgsl); the
// lane part is lanes_subgroup.wgsl (L lanes per key) with `subgroups`, else lanes_workgroup.wgsl
// (L = 1). Run it alone:
//   `attnlab run --backend webgpu --kernel flash-decode-f16 --dtype f16 -H 8 --kv-heads 2 -s 1 --kv-seq 300`
//
// Preamble (baked by the engine): D, WG (workgroup size), L (lanes per key), C (keys per chunk),
// R (query rows per workgroup).

struct Params {
  seq_len: u32, // S, query rows per head
  bh: u32, // B·H
  causal: u32,
  kv_seq_len: u32, // Skv, keys per KV head
  scale: f32,
  scale_log2e: f32,
  group: u32, // H / Hkv: query heads sharing a KV head
  _pad: u32,
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<H4>;
@group(0) @binding(2) var<storage, read> k: array<H4>;
@group(0) @binding(3) var<storage, read> v: array<H4>;
@group(0) @binding(4) var<storage, read_write> o: array<H4>;
// Per chunk c and row: the accumulator at (c·rows + row)·D4 + d, then after every chunk's
// accumulators, (m, l, 0, 0) at chunks·rows·D4 + c·rows + row (rows = B·H·S).
@group(0) @binding(5) var<storage, read_write> partials: array<vec4<f32>>;

const D4: u32 = D / 4u;
const PER: u32 = D4 / L; // vec4s of a key row each lane loads
const KEYS_AT_ONCE: u32 = WG / L;
const P: u32 = WG / R; // invocations per row in the statistics reductions
const NEG_BIG: f32 = -3.0e38;

var<workgroup> q_tile: array<vec4<T>, R * D4>;
var<workgroup> sc: array<f32, R * C>;
var<workgroup> red: array<f32, WG>;
var<workgroup> red4: array<vec4<f32>, WG>;

fn chunks() -> u32 {
  return (params.kv_seq_len + C - 1u) / C;
}

// Max (max_not_sum) or sum of red[] over each row's P invocations; every invocation calls it.
fn reduce_rows(lid: u32, x: f32, max_not_sum: bool) -> f32 {
  let sp = lid % P;
  red[lid] = x;
  workgroupBarrier();
  for (var w = P / 2u; w > 0u; w >>= 1u) {
    if (sp < w) {
      let other = red[lid + w];
      red[lid] = select(red[lid] + other, max(red[lid], other), max_not_sum);
    }
    workgroupBarrier();
  }
  let out = red[lid - sp];
  workgroupBarrier(); // red is reused by the next reduction
  return out;
}

@compute @workgroup_size(WG)
fn split_main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let s = params.seq_len;
  let skv = params.kv_seq_len;
  let g_rows = params.group * s; // query rows reading one K/V head, contiguous in Q and O
  let row_blocks = (g_rows + R - 1u) / R;
  let n_chunks = chunks();
  let idx = wid.x + wid.y * nwg.x;
  if (idx >= (params.bh / params.group) * row_blocks * n_chunks) {
    return; // whole workgroup: the dispatch was rounded up to a rectangle
  }
  let slot = lane_slot(lid);
  let chunk_id = idx % n_chunks;
  let r0 = ((idx / n_chunks) % row_blocks) * R;
  let kvh = idx / (n_chunks * row_blocks); // b·Hkv + K/V head
  let rows_here = min(R, g_rows - r0);
  let row_base = kvh * g_rows + r0; // linear row id (b·H + h)·S + i of this block's first row
  let rows_total = params.bh * s;
  let c0 = chunk_id * C;
  let chunk = min(C, skv - c0);
  let kv_base = kvh * skv * D4;

  // 1. Q rows (zeros past the block's last row).
  for (var t = lid; t < R * D4; t += WG) {
    var x = vec4<T>(0.0);
    if (t / D4 < rows_here) {
      x = load4(q[row_base * D4 + t]);
    }
    q_tile[t] = x;
  }
  workgroupBarrier();

  // 2. Scores of this chunk, log2 domain (the scale is applied in f32 after the T dot product).
  let part = slot % L;
  let key_slot = slot / L;
  let c = params.scale_log2e;
  // The next key batch is loaded while this one is scored (its loads stay in flight).
  var kr: array<vec4<T>, PER>;
  var kn: array<vec4<T>, PER>;
  let k_first = kv_base + min(c0 + key_slot, skv - 1u) * D4 + part;
  for (var t = 0u; t < PER; t++) {
    kr[t] = load4(k[k_first + t * L]);
  }
  for (var kb = 0u; kb < C; kb += KEYS_AT_ONCE) {
    let j = kb + key_slot;
    let key = c0 + j;
    let valid = j < chunk;
    if (kb + KEYS_AT_ONCE < C) {
      let k_next = kv_base + min(key + KEYS_AT_ONCE, skv - 1u) * D4 + part;
      for (var t = 0u; t < PER; t++) {
        kn[t] = load4(k[k_next + t * L]);
      }
    }
    for (var r = 0u; r < rows_here; r++) {
      var a = vec4<T>(0.0);
      for (var t = 0u; t < PER; t++) {
        a = fma(q_tile[r * D4 + part + t * L], kr[t], a);
      }
      var x = lane_sum(f32(a.x + a.y + a.z + a.w)) * c;
      let i = (r0 + r) % s;
      if (!valid || (params.causal != 0u && key + s > i + skv)) {
        x = NEG_BIG;
      }
      if (part == 0u && j < C) {
        sc[r * C + j] = x;
      }
    }
    kr = kn;
  }
  workgroupBarrier();

  // 3. Row statistics: P invocations per row stride over the chunk.
  let sr = lid / P;
  let sp = lid % P;
  var mx = NEG_BIG;
  for (var j = sp; j < chunk; j += P) {
    mx = max(mx, sc[sr * C + j]);
  }
  let m = reduce_rows(lid, mx, true);
  var sum = 0.0;
  for (var j = sp; j < chunk; j += P) {
    var p = 0.0;
    if (m > NEG_BIG) {
      p = exp2(sc[sr * C + j] - m); // a row with no visible key here keeps p = 0, l = 0
    }
    sc[sr * C + j] = p;
    sum += p;
  }
  let l = reduce_rows(lid, sum, false); // its barriers also publish p
  if (sp == 0u && sr < rows_here) {
    partials[n_chunks * rows_total * D4 + chunk_id * rows_total + row_base + sr] =
      vec4<f32>(m, l, 0.0, 0.0);
  }

  // 4. Unnormalised P·V of the chunk.
  let items = rows_here * D4;
  let ks_count = max(1u, WG / items);
  let v_base = kv_base + c0 * D4;
  let out_base = (chunk_id * rows_total + row_base) * D4;
  for (var it = lid; it < items * ks_count; it += WG) {
    let ks = it / items;
    let item = it % items;
    let r = item / D4;
    let d = item % D4;
    // Four independent chains, four V loads in flight per invocation: one chain of dependent
    // loads over the chunk ran at ~200 GB/s on an H100 (BENCHMARKS.md).
    var a0 = vec4<f32>(0.0);
    var a1 = vec4<f32>(0.0);
    var a2 = vec4<f32>(0.0);
    var a3 = vec4<f32>(0.0);
    let st = ks_count;
    var j = ks;
    for (; j + 3u * st < chunk; j += 4u * st) {
      let v0 = vec4<f32>(load4(v[v_base + j * D4 + d]));
      let v1 = vec4<f32>(load4(v[v_base + (j + st) * D4 + d]));
      let v2 = vec4<f32>(load4(v[v_base + (j + 2u * st) * D4 + d]));
      let v3 = vec4<f32>(load4(v[v_base + (j + 3u * st) * D4 + d]));
      a0 = fma(vec4<f32>(sc[r * C + j]), v0, a0);
      a1 = fma(vec4<f32>(sc[r * C + j + st]), v1, a1);
      a2 = fma(vec4<f32>(sc[r * C + j + 2u * st]), v2, a2);
      a3 = fma(vec4<f32>(sc[r * C + j + 3u * st]), v3, a3);
    }
    for (; j < chunk; j += st) {
      a0 = fma(vec4<f32>(sc[r * C + j]), vec4<f32>(load4(v[v_base + j * D4 + d])), a0);
    }
    let acc = (a0 + a1) + (a2 + a3);
    if (ks_count == 1u) {
      partials[out_base + item] = acc;
    } else {
      red4[it] = acc;
    }
  }
  if (ks_count > 1u) {
    workgroupBarrier();
    if (lid < items) {
      var acc = red4[lid];
      for (var ks = 1u; ks < ks_count; ks++) {
        acc += red4[ks * items + lid];
      }
      partials[out_base + lid] = acc;
    }
  }
}

@compute @workgroup_size(WG)
fn combine_main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let rows_total = params.bh * params.seq_len;
  let idx = (wid.x + wid.y * nwg.x) * WG + lid; // (row, vec4 of D)
  if (idx >= rows_total * D4) {
    return;
  }
  let n_chunks = chunks();
  let ml_base = n_chunks * rows_total * D4 + idx / D4;
  var mx = NEG_BIG;
  for (var ci = 0u; ci < n_chunks; ci++) {
    mx = max(mx, partials[ml_base + ci * rows_total].x);
  }
  var out = vec4<f32>(0.0); // no visible key in any chunk: zeros
  if (mx > NEG_BIG) {
    var l = 0.0;
    var acc = vec4<f32>(0.0);
    for (var ci = 0u; ci < n_chunks; ci++) {
      let ml = partials[ml_base + ci * rows_total];
      let w = exp2(ml.x - mx);
      l += ml.y * w;
      acc = fma(vec4<f32>(w), partials[ci * rows_total * D4 + idx], acc);
    }
    out = acc / l;
  }
  o[idx] = store4(out);
}
