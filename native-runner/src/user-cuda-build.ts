/**
 * Builds a user's CUDA kernel (a .cu exporting `attnlab_attention`, native-runner/cuda/
 * attnlab_user.h) into its own harness: the built-in harness.cu and naive_f32.cu (the fp32
 * reference; their objects are shared with the built-in harness of the same flags), the adapter
 * that registers the entry point as a kernel, and the user's file. The output lives in a folder
 * named by the source's SHA-256, the kernel id and the arch, so an unchanged source is never
 * rebuilt and two versions never overwrite each other.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_ROOT, NATIVE_ROOT } from './backends/host.ts';
import { BuildError, planBuild, tmpOutput } from './build.ts';
import type { BuildPlan } from './build.ts';

const CUDA_DIR = join(NATIVE_ROOT, 'cuda');
const ADAPTER = join(CUDA_DIR, 'user', 'adapter.cu');
const USER_HEADER = join(CUDA_DIR, 'attnlab_user.h');
const ID = /^[A-Za-z0-9][\w.-]{0,47}$/;

/** Hex SHA-256 of a file's bytes. */
export function sourceHash(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** The build of a user kernel `id` from `sourcePath` for one CUDA arch (e.g. `90`). */
export function planUserCudaBuild(sourcePath: string, id: string, arch: string): BuildPlan {
  if (!ID.test(id)) {
    throw new BuildError(
      `kernel id "${id}": letters, digits, ".", "_" or "-", at most 48 characters`,
    );
  }
  const base = planBuild('cuda', { archs: [arch] });
  const shared = base.compile.filter((s) =>
    ['harness.cu', 'naive_f32.cu'].some((u) => s.args.at(-1)?.endsWith(`/${u}`)),
  );
  const hash = sourceHash(sourcePath);
  const dir = join(BUILD_ROOT, 'cuda', 'user', `${hash.slice(0, 16)}-${id}-sm${arch}`);
  const output = join(dir, 'attnlab-cuda-user');
  const nvcc = base.link.command;
  const flags = base.flags.split(' ');
  const headers = (shared[0]?.cache?.inputs ?? []).slice(1);
  const adapterObj = join(dir, 'adapter.o');
  const userObj = join(dir, 'user.o');
  const objects = [...shared.map((s) => s.cache?.output ?? ''), adapterObj, userObj];
  return {
    target: 'cuda',
    output,
    sources: [...base.sources, ADAPTER, USER_HEADER, sourcePath],
    compile: [
      ...shared,
      {
        command: nvcc,
        args: [...flags, `-DATTNLAB_USER_ID="${id}"`, '-c', '-o', adapterObj, ADAPTER],
        cache: { output: adapterObj, inputs: [ADAPTER, USER_HEADER, ...headers] },
      },
      {
        // -x cu: the user's file is CUDA whatever its name; -I: it includes attnlab_user.h.
        command: nvcc,
        args: [...flags, '-I', CUDA_DIR, '-x', 'cu', '-c', '-o', userObj, sourcePath],
        cache: { output: userObj, inputs: [sourcePath, USER_HEADER] },
      },
    ],
    link: { command: nvcc, args: [...flags, '-o', tmpOutput({ output }), ...objects, '-ldl'] },
    flags: base.flags,
  };
}
