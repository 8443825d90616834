/**
 * Node-only facts about this checkout and this machine, shared by the CLI, the Dawn engine glue
 * and the native runner: where the repository is, the tool's version and commit, and the host
 * part of the environment fingerprint.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { availableParallelism, cpus, hostname, release, type } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Env } from '../model/index.ts';

/** Repository root (the folder holding package.json). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Tool identity written into every result file. */
export interface ToolInfo {
  name: string;
  version: string;
  /** Short git commit; absent outside a git clone. */
  commit?: string;
}

let cached: ToolInfo | undefined;

/** `{ name, version, commit? }` of this checkout, read once per process. */
export function toolInfo(): ToolInfo {
  if (cached) return cached;
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as {
    version: string;
  };
  let commit: string | undefined;
  try {
    commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    commit = undefined;
  }
  cached = { name: 'attnlab', version: pkg.version, ...(commit ? { commit } : {}) };
  return cached;
}

/** Host part of the fingerprint: hostname, OS, CPU model and count, Node version. */
export function hostEnv(): NonNullable<Env['host']> {
  return {
    hostname: hostname(),
    os: `${type()} ${release()}`,
    arch: process.arch,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cpus: availableParallelism(),
    node: process.version,
  };
}
