/**
 * User kernels: what a run request carries when it asks an engine to time the user's own code
 * (WGSL for webgpu/dawn, a .cu source for cuda, a Python callable for sdpa/python), and what the
 * result file keeps of it so a figure can always be traced to the exact code that produced it.
 */
import { z } from 'zod';

/** Largest user kernel source, bytes (UTF-8); larger ones are refused everywhere. */
export const MAX_USER_SOURCE_BYTES = 256 * 1024;

/** Languages a user kernel can be written in. */
export const USER_KERNEL_LANGUAGES = ['wgsl', 'cuda', 'python'] as const;
/** A user kernel's language. */
export type UserKernelLanguage = (typeof USER_KERNEL_LANGUAGES)[number];

/** `pkg.module:function`, as `python -c "import pkg.module"` would find it. */
export const CALLABLE_PATTERN = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*:[A-Za-z_]\w*$/;

const source = z
  .string()
  .min(1, { error: 'must not be empty' })
  .refine((s) => new TextEncoder().encode(s).length <= MAX_USER_SOURCE_BYTES, {
    error: `must be at most ${MAX_USER_SOURCE_BYTES} bytes (256 KiB)`,
  });
const name = z.string().regex(/^[A-Za-z0-9][\w.-]{0,47}$/, {
  error: 'letters, digits, ".", "_" or "-", at most 48 characters',
});

/** A user kernel in a run request (validated on both sides of the wire). */
export const userKernelSpecSchema = z.discriminatedUnion('language', [
  z.strictObject({
    /** WGSL for the webgpu/dawn engines, following shaders/README.md. */
    language: z.literal('wgsl'),
    /** The WGSL text. */
    source,
    /** Built-in kernel whose descriptor it follows unless its header declares one. */
    like: z.string().min(1).max(64).optional(),
    /** Kernel id in results (the header's `id=` wins). */
    name: name.optional(),
  }),
  z.strictObject({
    /** A .cu file with the documented extern "C" entry point (native-runner/cuda/README). */
    language: z.literal('cuda'),
    /** The CUDA source. */
    source,
    /** Kernel id in results. */
    name: name.optional(),
  }),
  z.strictObject({
    /** A Python callable fn(q, k, v, causal, scale) -> o. */
    language: z.literal('python'),
    /** `pkg.module:fn`. */
    callable: z.string().max(200).regex(CALLABLE_PATTERN, {
      error: 'must be pkg.module:function (Python identifiers)',
    }),
  }),
]);
/** A user kernel in a run request. */
export type UserKernelSpec = z.output<typeof userKernelSpecSchema>;

/** What a result file keeps of a user kernel (`target.userKernel`, result@1.2). */
export const userKernelRecordSchema = z.object({
  /** Language of the kernel. */
  language: z.enum(USER_KERNEL_LANGUAGES),
  /** Hex SHA-256 of the UTF-8 source (wgsl, cuda). */
  sha256: z
    .string()
    .regex(/^[0-9a-f]{64}$/, { error: 'must be 64 lowercase hex digits' })
    .optional(),
  /** The source text itself (wgsl, cuda). */
  source: z.string().max(MAX_USER_SOURCE_BYTES).optional(),
  /** The built-in whose descriptor it followed (wgsl). */
  like: z.string().max(64).optional(),
  /** The Python callable (python). */
  callable: z.string().max(200).optional(),
});
/** A user kernel as recorded in a result file. */
export type UserKernelRecord = z.output<typeof userKernelRecordSchema>;
