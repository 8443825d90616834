/** The kernel registry: every descriptor, and every .wgsl file the loaders must provide. */
import { flashDecodeF16 } from './flash-decode-f16/kernel.ts';
import { flashDecodeF32 } from './flash-decode-f32/kernel.ts';
import { flashF16 } from './flash-f16/kernel.ts';
import { flashF32 } from './flash-f32/kernel.ts';
import { flashSgmatF16 } from './flash-sgmat-f16/kernel.ts';
import { flashSgmatF16V2 } from './flash-sgmat-f16-v2/kernel.ts';
import { flashSgmatF32x3 } from './flash-sgmat-f32x3/kernel.ts';
import { flashSgmatF32x3V2 } from './flash-sgmat-f32x3-v2/kernel.ts';
import { flashSubgroup } from './flash-subgroup/kernel.ts';
import { filesOf } from './kernel.ts';
import type { KernelDescriptor } from './kernel.ts';
import { naiveF32 } from './naive-f32/kernel.ts';

/** All kernels, in the order the UI lists them. */
export const KERNELS: readonly KernelDescriptor[] = [
  naiveF32,
  flashF32,
  flashF16,
  flashSubgroup,
  flashSgmatF16,
  flashSgmatF32x3,
  flashSgmatF16V2,
  flashSgmatF32x3V2,
  flashDecodeF32,
  flashDecodeF16,
];

/** Every .wgsl file any kernel uses (paths relative to shaders/). */
export const SHADER_FILES: readonly string[] = [...new Set(KERNELS.flatMap(filesOf))];

export { composeShader, composeShaderMapped, filesOf, headDimsOf } from './kernel.ts';
export type {
  ComposedShader,
  KernelDescriptor,
  KernelScheme,
  LineOrigin,
  MatrixLayout,
  ShaderSources,
} from './kernel.ts';
