// flash-decode lane part, portable version (no `subgroups`): one invocation per key (L = 1), so a
// dot product needs no cross-lane sum; the row statistics use workgroup-memory reductions.
fn lane_slot(lid: u32) -> u32 {
  return lid;
}

fn lane_sum(x: f32) -> f32 {
  return x;
}
