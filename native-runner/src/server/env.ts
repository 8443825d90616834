/**
 * The runner's environment fingerprint sent in `welcome`: host, OS, Node, runner version and
 * commit, merged with what each backend reports about its device (GPU, compiler, software).
 */
import { hostEnv, toolInfo } from '../../../src/node/host.ts';
import type { Env } from '../../../src/model/index.ts';

/** Host and runner part of the fingerprint. */
export function runnerEnv(runnerId: string): Env {
  const tool = toolInfo();
  return {
    host: hostEnv(),
    runner: {
      id: runnerId,
      version: tool.version,
      ...(tool.commit ? { commit: tool.commit } : {}),
    },
  };
}

/**
 * Merges backend fingerprints into the runner's: the first backend that reports a GPU, adapter
 * or compiler supplies it (backends are listed GPU-first), and software versions are united
 * with each key prefixed by the backend id (`sdpa.torch`) so two backends never overwrite.
 */
export function mergeEnvs(base: Env, backends: readonly { id: string; env: Env }[]): Env {
  const merged: Env = { ...base };
  const software: Record<string, string> = { ...(base.software ?? {}) };
  for (const { id, env } of backends) {
    if (merged.gpu === undefined && env.gpu !== undefined) merged.gpu = env.gpu;
    if (merged.adapter === undefined && env.adapter !== undefined) merged.adapter = env.adapter;
    if (merged.compiler === undefined && env.compiler !== undefined) merged.compiler = env.compiler;
    for (const [key, value] of Object.entries(env.software ?? {})) software[`${id}.${key}`] = value;
    if (env.compiler !== undefined) {
      const c = env.compiler;
      software[`${id}.compiler`] = `${c.name}${c.version ? ` ${c.version}` : ''} ${c.flags}`.trim();
    }
  }
  if (Object.keys(software).length > 0) merged.software = software;
  return merged;
}
