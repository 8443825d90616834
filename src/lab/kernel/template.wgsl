// @attnlab scheme=row-per-invocation dtype=f32 entries=main
// @attnlab description="one query row per invocation, K and V read straight from storage"
//
// A blank start that follows the WGSL kernel contract (shaders/README.md): correct, simple and
// slow. Make it faster, press Check, then Run, and compare its result with flash-f32's in Compare.
//
// Header: the `// @attnlab` lines above are the descriptor; the kernel's id in results is its
// name here (or `id=…`). `like=flash-f32` instead would take that built-in's scheme, tiles and
// dispatch.
// Bindings (group 0): 0 the params uniform; 1 Q, 2 K, 3 V (read-only); 4 O (read_write).
//   Q and O are [B, H, S, D] contiguous, K and V [B, Hkv, Skv, D]; f32 is 4 bytes an element.
// Preamble: the engine prepends `const D`, `BR` and `BC` (u32) for this scheme; do not declare
//   them. D is a multiple of 8, so vec4 loads are whole.
// Dispatch: one entry point `main`, @workgroup_size(BR); B·H·⌈S/BR⌉ workgroups folded into an
//   x·y grid: the linear id is wid.x + wid.y·nwg.x, and ids past the count return at once.
// Check: O is filled with NaN before the check launch, so every row < S must be written.

struct Params {
  seq_len: u32, // S, query rows per (batch, head)
  bh: u32, // B·H
  causal: u32, // 1: key j is masked for row i when j > i + Skv − S
  kv_seq_len: u32, // Skv, keys per K/V head
  scale: f32, // softmax scale (default 1/√D)
  scale_log2e: f32, // scale · log2(e), for exp2
  group: u32, // H / Hkv: query head h reads K/V head h / group
}

@group(0) @binding(0) var<uniform> params: Params;
@group(0) @binding(1) var<storage, read> q: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> k: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> v: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> o: array<vec4<f32>>;

const D4: u32 = D / 4u;

@compute @workgroup_size(BR)
fn main(
  @builtin(workgroup_id) wid: vec3<u32>,
  @builtin(num_workgroups) nwg: vec3<u32>,
  @builtin(local_invocation_index) lid: u32,
) {
  let s = params.seq_len;
  let q_tiles = (s + BR - 1u) / BR;
  let g = wid.x + wid.y * nwg.x;
  if (g >= q_tiles * params.bh) {
    return;
  }
  let bh = g / q_tiles;
  let row = (g % q_tiles) * BR + lid;
  if (row >= s) {
    return; // no barriers below, so tail invocations may leave early
  }
  let skv = params.kv_seq_len;
  let q_off = (bh * s + row) * D4;
  let kv_base = (bh / params.group) * skv * D4;

  // Online softmax: running max m and sum l; the accumulator is rescaled when m grows.
  var m = -3.0e38;
  var l = 0.0;
  var acc: array<vec4<f32>, D4>;
  for (var j = 0u; j < skv; j++) {
    if (params.causal != 0u && j + s > row + skv) {
      break;
    }
    var dot4 = vec4<f32>(0.0);
    for (var d = 0u; d < D4; d++) {
      dot4 = fma(q[q_off + d], k[kv_base + j * D4 + d], dot4);
    }
    let x = (dot4.x + dot4.y + dot4.z + dot4.w) * params.scale_log2e;
    let m_new = max(m, x);
    let alpha = exp2(m - m_new);
    let p = exp2(x - m_new);
    l = l * alpha + p;
    for (var d = 0u; d < D4; d++) {
      acc[d] = acc[d] * alpha + p * v[kv_base + j * D4 + d];
    }
    m = m_new;
  }

  let inv = select(0.0, 1.0 / l, l > 0.0); // a row that sees no key: zeros
  for (var d = 0u; d < D4; d++) {
    o[q_off + d] = acc[d] * inv;
  }
}
