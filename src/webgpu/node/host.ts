/** The Node host of the engine: tool version and commit, host fingerprint, Dawn runtime string. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, hostname, platform, release, arch } from 'node:os';
import type { Env } from '../../model/index.ts';
import { dawnVersion } from './gpu.ts';

const ROOT = new URL('../../../', import.meta.url);

/** `{ name, version, commit? }` of this checkout (commit absent outside a git clone). */
export function nodeToolInfo(): { name: string; version: string; commit?: string } {
  const pkg = JSON.parse(readFileSync(new URL('package.json', ROOT), 'utf8')) as {
    version: string;
  };
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return { name: 'attnlab', version: pkg.version, commit };
  } catch {
    return { name: 'attnlab', version: pkg.version };
  }
}

/** Host part of the fingerprint. */
export function nodeHostEnv(): NonNullable<Env['host']> {
  const cpuList = cpus();
  return {
    hostname: hostname(),
    os: `${platform()} ${release()}`,
    arch: arch(),
    cpu: cpuList[0]?.model.trim() ?? 'unknown',
    cpus: cpuList.length,
    node: process.version,
  };
}

/** Runtime string recorded in env.adapter.runtime. */
export function dawnRuntime(via: 'system' | 'swiftshader'): string {
  return `node-dawn ${dawnVersion()} (node ${process.version}${via === 'swiftshader' ? ', SwiftShader found by attnlab' : ''})`;
}
