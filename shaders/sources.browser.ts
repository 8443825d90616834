/**
 * Shader sources for the browser build: Vite inlines each .wgsl as a string (`?raw`). Node
 * (tsx) cannot import `?raw`; it uses sources.node.ts, which reads the same files.
 */
import flashDecodeF16 from './flash-decode-f16/flash_decode_f16.wgsl?raw';
import flashDecodeF32 from './flash-decode-f32/flash_decode_f32.wgsl?raw';
import decodeLanesSubgroup from './flash-decode-f32/lanes_subgroup.wgsl?raw';
import decodeLanesWorkgroup from './flash-decode-f32/lanes_workgroup.wgsl?raw';
import flashF16Main from './flash-f16/flash_f16.wgsl?raw';
import flashF16Emulated from './flash-f16/half_emulated.wgsl?raw';
import flashF16Native from './flash-f16/half_native.wgsl?raw';
import flashF32 from './flash-f32/flash_f32.wgsl?raw';
import flashSgmatF16 from './flash-sgmat-f16/flash_sgmat_f16.wgsl?raw';
import flashSgmatF32x3 from './flash-sgmat-f32x3/flash_sgmat_f32x3.wgsl?raw';
import flashSgmatF16V2 from './flash-sgmat-f16-v2/flash_sgmat_f16_v2.wgsl?raw';
import flashSgmatF32x3V2 from './flash-sgmat-f32x3-v2/flash_sgmat_f32x3_v2.wgsl?raw';
import flashSubgroup from './flash-subgroup/flash_subgroup.wgsl?raw';
import naiveF32 from './naive-f32/naive_f32.wgsl?raw';
import type { ShaderSources } from './kernel.ts';

/** Every kernel's WGSL, bundled. */
export const browserShaderSources: ShaderSources = {
  'naive-f32/naive_f32.wgsl': naiveF32,
  'flash-f32/flash_f32.wgsl': flashF32,
  'flash-f16/flash_f16.wgsl': flashF16Main,
  'flash-f16/half_native.wgsl': flashF16Native,
  'flash-f16/half_emulated.wgsl': flashF16Emulated,
  'flash-subgroup/flash_subgroup.wgsl': flashSubgroup,
  'flash-sgmat-f16/flash_sgmat_f16.wgsl': flashSgmatF16,
  'flash-sgmat-f32x3/flash_sgmat_f32x3.wgsl': flashSgmatF32x3,
  'flash-sgmat-f16-v2/flash_sgmat_f16_v2.wgsl': flashSgmatF16V2,
  'flash-sgmat-f32x3-v2/flash_sgmat_f32x3_v2.wgsl': flashSgmatF32x3V2,
  'flash-decode-f32/flash_decode_f32.wgsl': flashDecodeF32,
  'flash-decode-f32/lanes_subgroup.wgsl': decodeLanesSubgroup,
  'flash-decode-f32/lanes_workgroup.wgsl': decodeLanesWorkgroup,
  'flash-decode-f16/flash_decode_f16.wgsl': flashDecodeF16,
};
