/**
 * `attnlab sweep --runner URL …`: the sweep's points (every size × target) fanned out across
 * the GPU lanes of every given runner, with the same stop rule per point as a local sweep;
 * results come back in the local sweep's order. A failed point is reported with its lane (and
 * not retried elsewhere); any failure fails the sweep (exit 1) after every point has ended.
 */
import type { ResultFile, RunSpec } from '../model/index.ts';
import { CliError } from './errors.ts';
import { fanOut } from './fanout.ts';
import type { FanLane } from './fanout.ts';
import { connectRunner } from './runner-lanes.ts';

/** A sweep target: backend and kernel. */
export interface SweepTarget {
  /** `BACKEND:KERNEL` as given. */
  spec: string;
  backend: string;
  kernel: string;
}

/** Splits `URL#TOKEN` (the token part optional). */
function parseRunner(text: string): { url: string; token: string | undefined } {
  const hash = text.indexOf('#');
  return hash < 0
    ? { url: text, token: undefined }
    : { url: text.slice(0, hash), token: text.slice(hash + 1) };
}

/**
 * Runs `specs[size][target]` on the runners' lanes; returns results as `[size][target]`.
 * `log` gets one line per settled point (per-lane progress), the size shown as `labels[size]`.
 */
export async function sweepOnRunners(
  runnerUrls: readonly string[],
  targets: readonly SweepTarget[],
  specs: readonly (readonly RunSpec[])[],
  labels: readonly string[],
  log: (line: string) => void,
): Promise<ResultFile[][]> {
  const runners = await Promise.all(
    runnerUrls.map(async (text) => {
      const { url, token } = parseRunner(text);
      try {
        return await connectRunner(url, token);
      } catch (err) {
        throw new CliError(`--runner ${url}: ${(err as Error).message}`);
      }
    }),
  );
  try {
    const perTarget = await Promise.all(
      targets.map(async (t, ti) => {
        let lanes: FanLane<RunSpec, ResultFile>[];
        try {
          lanes = runners.flatMap((r) => r.lanes(t.backend));
        } catch (err) {
          throw new CliError(`--target ${t.spec}: ${(err as Error).message}`);
        }
        const points = specs.map((row) => row[ti] as RunSpec);
        return fanOut(points, lanes, (i, o) => {
          const what = `${t.spec} ${labels[i] ?? `point ${i + 1}`}`;
          log(`${what} on ${o.lane}: ${o.ok ? 'done' : `FAILED: ${o.error}`}`);
        });
      }),
    );
    const failures = targets.flatMap((t, ti) =>
      (perTarget[ti] ?? []).flatMap((o, si) =>
        o.ok ? [] : [`${t.spec} point ${si + 1} failed on ${o.lane}: ${o.error}`],
      ),
    );
    if (failures.length > 0) throw new CliError(failures.join('\n'), 1);
    return specs.map((_, si) =>
      targets.map((_t, ti) => {
        const o = perTarget[ti]?.[si];
        if (o?.ok !== true) throw new Error('unreachable: failures were reported above');
        return o.value;
      }),
    );
  } finally {
    for (const r of runners) r.close();
  }
}
