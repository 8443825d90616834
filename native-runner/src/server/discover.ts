/**
 * Backend discovery for the runner: each backend's description and environment fingerprint,
 * bounded by a timeout, with anything invalid or thrown turned into an unavailable backend
 * (with the reason) rather than a runner that fails to start.
 */
import { backendInfoSchema, envSchema, formatIssues } from '../../../src/model/index.ts';
import type { BackendInfo, Env } from '../../../src/model/index.ts';
import type { Backend } from '../backend.ts';
import { describeThrown } from './outcome.ts';
import type { RunnerSettings } from './runner.ts';

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`${what} did not answer within ${ms / 1000} s`));
    }, ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

/** Discovers one backend (bounded by the discovery timeout): its description and fingerprint. */
export async function discoverOne(
  backend: Backend,
  settings: RunnerSettings,
): Promise<{ info: BackendInfo; env: Env }> {
  let info: BackendInfo;
  try {
    const raw = await withTimeout(
      backend.discover(),
      settings.discoverTimeoutMs,
      `${backend.id}: discovery`,
    );
    const parsed = backendInfoSchema.safeParse(raw);
    info = parsed.success
      ? { ...parsed.data, id: backend.id }
      : {
          id: backend.id,
          available: false,
          reason: `discovery returned an invalid description: ${formatIssues(parsed.error).join('; ')}`,
          kernels: [],
        };
  } catch (err) {
    info = { id: backend.id, available: false, reason: describeThrown(err).message, kernels: [] };
  }
  let env: Env = {};
  if (info.available) {
    try {
      const raw = await withTimeout(
        backend.env(),
        settings.discoverTimeoutMs,
        `${backend.id}: env`,
      );
      // A malformed fingerprint must not make every `welcome` invalid.
      const parsed = envSchema.safeParse(raw);
      if (parsed.success) env = parsed.data;
      else {
        const why = formatIssues(parsed.error).join('; ');
        settings.log(`backend ${backend.id}: invalid environment fingerprint ignored: ${why}`);
      }
    } catch (err) {
      settings.log(
        `backend ${backend.id}: no environment fingerprint: ${describeThrown(err).message}`,
      );
    }
  }
  return { info, env };
}
