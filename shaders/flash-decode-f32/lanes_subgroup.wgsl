// flash-decode lane part, subgroup version (the adapter has `subgroups`): L consecutive lanes of a
// subgroup share a key; their partial dot products are summed with subgroupShuffleXor (log2 L
// steps, no workgroup memory). Lanes are numbered by subgroup with a workgroup atomic, because
// WGSL does not promise which invocations form a subgroup (as in flash-subgroup).
enable subgroups;

var<workgroup> subgroup_counter: atomic<u32>;

// This invocation's slot in 0..WG−1: L-aligned runs of slots lie in one subgroup. Must be called
// by every invocation, in uniform control flow, before any of them returns.
fn lane_slot(lid: u32) -> u32 {
  if (lid == 0u) {
    atomicStore(&subgroup_counter, 0u);
  }
  workgroupBarrier();
  // Every invocation is active here, so the exclusive count is the subgroup invocation id.
  let lane = subgroupExclusiveAdd(1u);
  let size = subgroupAdd(1u);
  var sg_index = 0u;
  if (lane == 0u) {
    sg_index = atomicAdd(&subgroup_counter, 1u);
  }
  sg_index = subgroupBroadcastFirst(sg_index);
  return sg_index * size + lane;
}

// Sum of x over the L lanes sharing a key (uniform control flow).
fn lane_sum(x: f32) -> f32 {
  var y = x;
  for (var w = 1u; w < L; w <<= 1u) {
    y += subgroupShuffleXor(y, w);
  }
  return y;
}
