/**
 * Dawn for Node (npm `webgpu`): creates the GPU with the toggles a benchmark wants and finds
 * an adapter — a real GPU through its Vulkan driver, or, on machines without one, SwiftShader
 * (the Vulkan CPU driver the Debian chromium package ships), found by itself.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create, globals } from 'webgpu';
import { EngineError } from '../errors.ts';

/** Dawn toggles: unsafe APIs (f16 on NVIDIA Vulkan, subgroups) and exact (unquantized) timestamps. */
export const DAWN_FLAGS = [
  'enable-dawn-features=allow_unsafe_apis,vulkan_enable_f16_on_nvidia',
  'disable-dawn-features=timestamp_quantization',
];

/** Where Debian's chromium package puts SwiftShader's Vulkan ICD. */
export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** What to install when Dawn finds no adapter at all. */
export const DAWN_INSTALL_HELP =
  'Dawn (npm "webgpu") found no Vulkan adapter. On a GPU machine install the GPU’s Vulkan driver and the loader (`apt-get install libvulkan1`); on a machine without a GPU install SwiftShader with `apt-get install chromium libvulkan1` — attnlab then finds /usr/lib/chromium/vk_swiftshader_icd.json by itself (or point VK_ICD_FILENAMES at an ICD json).';

/** A Dawn adapter and how it was found. */
export interface DawnAdapter {
  /** The adapter. */
  adapter: GPUAdapter;
  /** `system` (the loader's own ICDs or VK_ICD_FILENAMES as set) or `swiftshader` (set by us). */
  via: 'system' | 'swiftshader';
}

let globalsInstalled = false;

/** Puts GPUBufferUsage, GPUMapMode, … on globalThis, as a browser has them (idempotent). */
export function installDawnGlobals(): void {
  if (globalsInstalled) return;
  const target = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) {
    if (!(name in target)) target[name] = value;
  }
  globalsInstalled = true;
}

/** Version of the npm `webgpu` package, for the runtime string. */
export function dawnVersion(): string {
  try {
    const path = createRequire(import.meta.url).resolve('webgpu/package.json');
    const pkg = JSON.parse(readFileSync(path, 'utf8')) as { version?: string };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Every GPU object created, kept alive for the life of the process: Dawn frees its instance when
 * the GPU object is garbage-collected, and adapters and devices of a freed instance crash.
 */
const instances: GPU[] = [];

async function tryAdapter(): Promise<GPUAdapter | null> {
  const gpu = create(DAWN_FLAGS);
  instances.push(gpu);
  return gpu.requestAdapter({ powerPreference: 'high-performance' });
}

/** True when the machine exposes a GPU device node (NVIDIA, or a DRM render node). */
export function hasGpuDeviceNode(): boolean {
  if (existsSync('/dev/nvidia0') || existsSync('/dev/dxg')) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

/**
 * Finds an adapter. When the user chose no ICD (VK_ICD_FILENAMES / VK_DRIVER_FILES unset) and
 * the machine has no GPU device node, SwiftShader is used straight away (trying the system's
 * ICDs first only prints driver warnings). Otherwise the Vulkan loader's own choice comes
 * first, and SwiftShader is the fallback when it finds nothing.
 */
export async function findDawnAdapter(): Promise<DawnAdapter> {
  installDawnGlobals();
  // The Vulkan loader reads the real environment, so this does too.
  const env = process.env;
  const userChoseIcd = Boolean(env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES);
  const canUseSwiftShader = !userChoseIcd && existsSync(SWIFTSHADER_ICD);
  if (!canUseSwiftShader || hasGpuDeviceNode()) {
    const first = await tryAdapter();
    if (first) return { adapter: first, via: 'system' };
  }
  if (canUseSwiftShader) {
    // The loader reads the variable when Dawn creates its next Vulkan instance.
    env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const second = await tryAdapter();
    if (second) return { adapter: second, via: 'swiftshader' };
  }
  const tried = userChoseIcd
    ? `VK_ICD_FILENAMES/VK_DRIVER_FILES = ${env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES ?? ''}`
    : existsSync(SWIFTSHADER_ICD)
      ? `the system's Vulkan drivers and ${SWIFTSHADER_ICD}`
      : "the system's Vulkan drivers (SwiftShader is not installed)";
  throw new EngineError(
    'unsupported',
    `no WebGPU adapter through Dawn (tried ${tried})`,
    DAWN_INSTALL_HELP,
  );
}

/**
 * Dawn's null backend: no GPU, but a full WGSL front end with every feature (shader-f16,
 * subgroups). Used to compile-check shader variants no local device can run.
 */
export async function findNullAdapter(): Promise<GPUAdapter> {
  installDawnGlobals();
  const gpu = create(['backend=null', 'enable-dawn-features=allow_unsafe_apis']);
  instances.push(gpu);
  const adapter = await gpu.requestAdapter();
  if (!adapter)
    throw new EngineError('unsupported', "Dawn's null backend is not available in this build");
  return adapter;
}
