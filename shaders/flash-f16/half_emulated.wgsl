// flash-f16 storage part, emulated: no `shader-f16` on this adapter, so the f16 tensors are read
// as packed u32 pairs (4 halves per vec2<u32>, the same bytes) and the math runs in f32.
alias T = f32;
alias H4 = vec2<u32>;

fn load4(x: H4) -> vec4<T> {
  return vec4<f32>(unpack2x16float(x.x), unpack2x16float(x.y));
}

fn store4(x: vec4<f32>) -> H4 {
  return vec2<u32>(pack2x16float(x.xy), pack2x16float(x.zw));
}
