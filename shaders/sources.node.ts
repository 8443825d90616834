/** Shader sources for Node (tsx, vitest, the CLI): the .wgsl files read beside this module. */
import { readFile } from 'node:fs/promises';
import { SHADER_FILES } from './index.ts';
import type { ShaderSources } from './kernel.ts';

let cached: Promise<ShaderSources> | undefined;

/** Reads every kernel's WGSL from disk (once per process). */
export function loadNodeShaderSources(): Promise<ShaderSources> {
  cached ??= (async () => {
    const entries = await Promise.all(
      SHADER_FILES.map(
        async (file) => [file, await readFile(new URL(file, import.meta.url), 'utf8')] as const,
      ),
    );
    return Object.fromEntries(entries);
  })();
  return cached;
}
