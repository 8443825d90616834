/** Tool name, version and git commit, written into every result file. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (the folder holding package.json). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

let cached: { name: string; version: string; commit?: string } | undefined;

/** `{ name, version, commit? }` of this checkout; commit is absent outside a git clone. */
export function toolInfo(): { name: string; version: string; commit?: string } {
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
