// flash-f16 storage part, native: the adapter has `shader-f16`, so tiles and Q·Kᵀ use f16 math.
enable f16;

alias T = f16;
alias H4 = vec4<f16>;

fn load4(x: H4) -> vec4<T> {
  return x;
}

fn store4(x: vec4<f32>) -> H4 {
  return vec4<f16>(x);
}
