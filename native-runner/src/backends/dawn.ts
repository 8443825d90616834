/**
 * The `dawn` backend: the lab's WGSL kernels run headless on the host's GPU through Dawn (npm
 * `webgpu`, Vulkan). Each job is a child process (dawn-harness.ts, the same engine code path
 * as `attnlab run --backend dawn`) speaking harness lines, so the driver can kill a hung GPU
 * and apply the idle timeout. Discovery runs the harness with `--info` and says why Dawn is
 * missing: no addon for this platform, no Vulkan loader, or no adapter.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KERNELS, headDimsOf } from '../../../shaders/index.ts';
import { parseHarnessLine } from '../../../src/model/index.ts';
import type { BackendInfo, Env, KernelInfo } from '../../../src/model/index.ts';
import type { HarnessCommand } from '../driver.ts';
import { mergeHostEnv, probe, tail } from './host.ts';
import { NativeBackend } from './native.ts';

/** Prefix of the harness `log` line that carries the kernel list as JSON (`--info`). */
export const KERNELS_LOG_PREFIX = 'kernels ';

/** The harness script, beside this file. */
export const DAWN_HARNESS = fileURLToPath(new URL('./dawn-harness.ts', import.meta.url));

/** Every WGSL kernel as the runner lists it before discovery (availability comes from Dawn). */
export const DAWN_KERNELS: readonly KernelInfo[] = KERNELS.map((k) => ({
  id: k.id,
  description: k.description,
  dtypes: [k.dtype],
  headDims: headDimsOf(k),
  causal: true,
  kvShape: k.kvShapeRefusal === undefined,
  available: true,
}));

/** Folders the Vulkan loader is searched in (LD_LIBRARY_PATH first, then the usual ones). */
export function vulkanLoaderDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const fromEnv = (env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== '');
  return [
    ...fromEnv,
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/usr/lib64',
    '/usr/lib',
    '/lib/x86_64-linux-gnu',
    '/usr/local/lib',
  ];
}

/** Path of libvulkan.so.1, or null when the loader is not installed where Dawn looks. */
export function findVulkanLoader(env: NodeJS.ProcessEnv = process.env): string | null {
  for (const dir of vulkanLoaderDirs(env)) {
    const path = join(dir, 'libvulkan.so.1');
    if (existsSync(path)) return path;
  }
  return null;
}

/** Why Dawn's addon cannot load on this platform, or null when it has one. */
export function dawnAddonProblem(): string | null {
  let dir: string;
  try {
    dir = dirname(createRequire(import.meta.url).resolve('webgpu/package.json'));
  } catch {
    return 'the npm package "webgpu" (Dawn for Node) is not installed (npm install webgpu)';
  }
  const platform = `${process.platform}-${process.arch}`;
  const addon = join(dir, 'dist', platform, 'dawn.node');
  if (!existsSync(addon)) return `Dawn has no addon for ${platform} (${addon} is missing)`;
  return null;
}

/** `node --import <tsx loader> dawn-harness.ts`: runs from any working directory. */
export function dawnHarnessCommand(): HarnessCommand {
  return {
    command: process.execPath,
    args: ['--import', import.meta.resolve('tsx'), DAWN_HARNESS],
  };
}

/** What `dawn-harness.ts --info` printed: the hello env and the kernel list, or why not. */
export async function readDawnInfo(
  timeoutMs = 60_000,
): Promise<{ ok: true; env: Env; kernels: KernelInfo[] } | { ok: false; reason: string }> {
  const cmd = dawnHarnessCommand();
  const out = await probe(cmd.command, [...cmd.args, '--info'], timeoutMs);
  let env: Env | null = null;
  let kernels: KernelInfo[] | null = null;
  let error: string | null = null;
  for (const text of out.stdout.split('\n')) {
    if (text.trim() === '') continue;
    const parsed = parseHarnessLine(text);
    if (!parsed.ok) continue;
    const line = parsed.line;
    if (line.type === 'hello') env = mergeHostEnv(line.env);
    else if (line.type === 'error') error = line.message;
    else if (line.type === 'log' && line.message.startsWith(KERNELS_LOG_PREFIX)) {
      kernels = JSON.parse(line.message.slice(KERNELS_LOG_PREFIX.length)) as KernelInfo[];
    }
  }
  if (env && kernels) return { ok: true, env, kernels };
  const why = error ?? (out.ok ? 'the Dawn harness printed no hello line' : out.reason);
  const stderr = tail(out.stderr, 600);
  return { ok: false, reason: stderr && !error ? `${why}; stderr: ${stderr}` : why };
}

/** The `dawn` backend. */
export class DawnBackend extends NativeBackend {
  readonly id = 'dawn';
  override readonly userKernelLanguages = ['wgsl'] as const;
  readonly unpinnable =
    'Dawn for Node picks its Vulkan adapter itself and cannot be told which of identical GPUs to use';
  protected readonly kernels = DAWN_KERNELS;
  protected readonly timingMethod = 'timestamp-query' as const;
  protected readonly memoryModel = 'dawn' as const;
  private env0: Env | null = null;

  protected async probe(): Promise<BackendInfo> {
    const addon = dawnAddonProblem();
    if (addon) return this.absent(addon);
    if (process.platform === 'linux' && !findVulkanLoader()) {
      return this.absent(
        'no Vulkan loader: libvulkan.so.1 is not in LD_LIBRARY_PATH or the system library folders (apt-get install libvulkan1, or use the GPU-host bundle, which ships it)',
      );
    }
    const found = await readDawnInfo();
    if (!found.ok) return this.absent(`Dawn found no usable adapter: ${found.reason}`);
    this.env0 = found.env;
    const adapter = found.env.adapter;
    const device = adapter
      ? [adapter.description, adapter.vendor, adapter.architecture]
          .filter((p) => p !== '')
          .join(' ')
      : undefined;
    return {
      id: this.id,
      available: true,
      reason: adapter?.runtime ?? 'Dawn adapter found',
      ...(device ? { device } : {}),
      kernels: found.kernels,
    };
  }

  protected harness(): Promise<HarnessCommand> {
    return Promise.resolve(dawnHarnessCommand());
  }

  protected async describe(): Promise<Env | null> {
    await this.discover();
    return this.env0;
  }
}
