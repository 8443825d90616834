/**
 * Harness lines: what a native backend (CUDA, SDPA, CPU, Dawn, or any plug-in) prints on stdout,
 * one JSON object per line. The runner parses them with `parseHarnessLine`; anything that speaks
 * these lines plugs into the runner.
 */
import { z } from 'zod';
import {
  clockReadingSchema,
  correctnessSchema,
  envSchema,
  memorySchema,
  timingSchema,
} from './result.ts';
import { formatIssues } from './errors.ts';

/** Schema id a harness announces in its `hello` line. */
export const HARNESS_SCHEMA = 'attnlab/harness@1';

/** Every harness line, tagged by `type`. */
export const harnessLineSchema = z.discriminatedUnion('type', [
  z.object({
    /** First line: who is speaking. */
    type: z.literal('hello'),
    schema: z.literal(HARNESS_SCHEMA),
    backend: z.string(),
    kernel: z.string().optional(),
    /** Kernel parameters chosen for this device (tile sizes, …). */
    kernelParams: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
    env: envSchema,
  }),
  z.object({ type: z.literal('check'), correctness: correctnessSchema }),
  z.object({ type: z.literal('memory'), memory: memorySchema }),
  z.object({
    /** A batch of samples in ms (one launch each). */
    type: z.literal('samples'),
    ms: z.array(z.number().nonnegative()),
    /** Per-sample throttle flags, same length as ms. */
    throttled: z.array(z.boolean()).optional(),
  }),
  z.object({ type: z.literal('clock'), clock: clockReadingSchema }),
  z.object({
    /** Last line of a successful run. */
    type: z.literal('done'),
    timing: timingSchema,
  }),
  z.object({
    type: z.literal('error'),
    /** Machine-readable code, e.g. `cuda-error`, `correctness-failed`, `too-large`. */
    code: z.string(),
    message: z.string(),
  }),
  z.object({
    /** Free-text progress or diagnostics for the log. */
    type: z.literal('log'),
    message: z.string(),
  }),
]);
/** A parsed harness line. */
export type HarnessLine = z.output<typeof harnessLineSchema>;
/** A harness line as written. */
export type HarnessLineInput = z.input<typeof harnessLineSchema>;

/** Parses one stdout line; returns an error string instead of throwing (a harness may misbehave). */
export function parseHarnessLine(
  line: string,
): { ok: true; line: HarnessLine } | { ok: false; error: string } {
  let json: unknown;
  try {
    json = JSON.parse(line);
  } catch {
    return { ok: false, error: `harness printed a non-JSON line: ${line.slice(0, 200)}` };
  }
  const parsed = harnessLineSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    return { ok: false, error: `invalid harness line: ${formatIssues(parsed.error).join('; ')}` };
  }
  return { ok: true, line: parsed.data };
}
