/**
 * Small host helpers the native backends share: running a probe command with a timeout, finding
 * an executable, the host part of the environment fingerprint, and where the native sources and
 * build outputs live.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { REPO_ROOT, hostEnv } from '../../../src/node/host.ts';
import type { Env } from '../../../src/model/index.ts';

/** The native-runner folder (sources in cuda/, cpu/, python/; outputs in build/). */
export const NATIVE_ROOT = join(REPO_ROOT, 'native-runner');
/** Where compiled harnesses go (git-ignored). */
export const BUILD_ROOT = join(NATIVE_ROOT, 'build');

/** What a probe command printed, or why it could not run. */
export type ProbeResult =
  | { ok: true; stdout: string; stderr: string }
  | { ok: false; reason: string; stdout: string; stderr: string };

/** Runs a command to completion with a timeout; never throws. */
export function probe(
  command: string,
  args: readonly string[],
  timeoutMs = 20_000,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    execFile(
      command,
      args,
      { timeout: timeoutMs, maxBuffer: 8 << 20, encoding: 'utf8', killSignal: 'SIGKILL' },
      (error, stdout, stderr) => {
        if (!error) {
          resolve({ ok: true, stdout, stderr });
          return;
        }
        const err = error as Error & { killed?: boolean; code?: unknown };
        const code = err.code;
        let reason: string;
        if (code === 'ENOENT') reason = `${command} not found`;
        else if (err.killed === true) reason = `${command} timed out after ${timeoutMs} ms`;
        else if (typeof code === 'number') reason = `${command} failed (exit ${code})`;
        else reason = `${command} failed (${err.message})`;
        resolve({ ok: false, reason, stdout, stderr });
      },
    );
  });
}

/** First executable named `name` on PATH, or among `extra` full paths; null when none. */
export function findExecutable(name: string, extra: readonly string[] = []): string | null {
  const dirs = (process.env.PATH ?? '').split(delimiter).filter((d) => d !== '');
  for (const candidate of [...dirs.map((d) => join(d, name)), ...extra]) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; keep looking
    }
  }
  return null;
}

/** Merges a harness's `hello` env into the host env (the harness knows its device). */
export function mergeHostEnv(harnessEnv: Env | undefined): Env {
  const env: Env = { ...(harnessEnv ?? {}) };
  env.host = { ...hostEnv(), ...(harnessEnv?.host ?? {}), node: process.version };
  return env;
}

/** Last `max` characters of a text, for error messages that quote stderr. */
export function tail(text: string, max = 2000): string {
  const t = text.trim();
  return t.length <= max ? t : `…${t.slice(t.length - max)}`;
}
