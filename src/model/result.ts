/**
 * The result file, schema "attnlab/result@1": everything needed to re-judge a run later.
 *
 * Validation uses zod 4: one schema object gives the TypeScript type, runtime validation with
 * field paths in the browser and in Node, and (via z.toJSONSchema) the JSON Schema file that
 * other tools read — three things we would otherwise keep in sync by hand.
 */
import { z } from 'zod';
import { attentionConfigSchema } from './config.ts';
import { ValidationError, formatIssues } from './errors.ts';
import { userKernelRecordSchema } from './user-kernel.ts';

/**
 * The schema id written into every result file: `attnlab/result@MAJOR.MINOR`. A minor version
 * only adds optional fields, so a reader of major 1 reads every 1.x file (and the plain
 * `attnlab/result@1` of files written before minor versions existed):
 * - 1.0 (`attnlab/result@1`): the first format.
 * - 1.1: `config.kvHeads` and `config.kvSeqLen` (absent: Hkv = H, Skv = S); `env.gpu.copyGbps`
 *   (measured copy ceiling); `env.adapter.software` (true: a CPU-emulated WebGPU adapter).
 * - 1.2: `env.gpu.index`, `env.gpu.uuid` and `env.gpu.pciBusId`: which GPU of the host ran it.
 * - 1.2: `target.userKernel` (the user's own kernel: language, source and its SHA-256, or the
 *   Python callable; absent: a built-in kernel).
 */
export const RESULT_SCHEMA = 'attnlab/result@1.2';
/** Major version this build reads and writes. */
export const RESULT_MAJOR = 1;
/** Minor version this build writes. */
export const RESULT_MINOR = 2;
/** Every schema id a reader of this major version accepts. */
export const RESULT_SCHEMA_PATTERN = /^attnlab\/result@1(\.\d+)?$/;

/** Lifecycle of a run, shared by browser, runner and CLI. */
export const RUN_STATES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
/** A run's state. */
export type RunState = (typeof RUN_STATES)[number];

/** Backends attnlab knows; a runner may add others that speak the harness lines. */
export const BACKEND_IDS = ['webgpu', 'dawn', 'cuda', 'sdpa', 'cpu'] as const;

const finite = z.number().refine(Number.isFinite, { error: 'must be a finite number' });
const nonNeg = finite.refine((x) => x >= 0, { error: 'must be ≥ 0' });
const interval = z.tuple([finite, finite]);

/** How the run decides when it has enough samples. */
export const stopRuleSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    /** A fixed number of samples. */
    kind: z.literal('count'),
    /** Samples to take, 1..100000. */
    iterations: z.number().int().min(1, { error: 'must be in 1..100000' }).max(100_000, {
      error: 'must be in 1..100000',
    }),
  }),
  z.strictObject({
    /** Until the relative half-width of the median's CI drops below the target. */
    kind: z.literal('ci'),
    /** Target relative half-width, e.g. 0.01 for ±1%; in (0, 0.5]. */
    target: z.number().gt(0, { error: 'must be in (0, 0.5]' }).max(0.5, {
      error: 'must be in (0, 0.5]',
    }),
    /** Give up after this many samples (default 10000). */
    maxIterations: z.number().int().min(10).max(100_000).optional(),
    /** Give up after this much wall time in ms (default 60000). */
    maxMs: z.number().positive().max(3_600_000).optional(),
  }),
  z.strictObject({
    /** Sample until a wall-time budget is spent. */
    kind: z.literal('time'),
    /** Budget in ms, 1..3600000. */
    budgetMs: z.number().min(1, { error: 'must be in 1..3600000 ms' }).max(3_600_000, {
      error: 'must be in 1..3600000 ms',
    }),
  }),
]);
/** A stop rule. */
export type StopRule = z.output<typeof stopRuleSchema>;

/** Kernel identity and the parameters it ran with (tile sizes, workgroup size, …). */
export const targetSchema = z.object({
  /** Backend id: webgpu (browser), dawn (Node/Dawn), cuda, sdpa, cpu, or a plug-in's id. */
  backend: z.string().min(1).max(64),
  /** Kernel id within the backend, e.g. `flash-f32` or `flash` (SDPA backend). */
  kernel: z.string().min(1).max(64),
  /** Kernel parameters as chosen for this device. */
  kernelParams: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).default({}),
  /** Optional display label (e.g. runner name + backend). */
  label: z.string().max(200).optional(),
  /** The user's own kernel (source + SHA-256, or callable); absent for built-ins (1.2). */
  userKernel: userKernelRecordSchema.optional(),
});
/** What ran. */
export type Target = z.output<typeof targetSchema>;

/** Environment fingerprint; which parts exist depends on the backend. */
export const envSchema = z.object({
  /** Host machine: hostname, OS, CPU, Node version. */
  host: z
    .object({
      hostname: z.string().optional(),
      os: z.string().optional(),
      arch: z.string().optional(),
      cpu: z.string().optional(),
      cpus: z.number().int().optional(),
      node: z.string().optional(),
    })
    .optional(),
  /** WebGPU adapter (browser or Dawn). */
  adapter: z
    .object({
      vendor: z.string(),
      architecture: z.string(),
      device: z.string(),
      description: z.string(),
      features: z.array(z.string()),
      limits: z.record(z.string(), z.number()),
      /** Browser user agent, or `node-dawn <version>`. */
      runtime: z.string().optional(),
      /** Detected timestamp quantum in ms (null: no timestamp-query). */
      timestampQuantumMs: z.number().nullable().optional(),
      /**
       * True for a software (CPU-emulated) adapter: the fallback adapter, SwiftShader, llvmpipe,
       * lavapipe, WARP. Its times measure the CPU, not a GPU. Absent in files before 1.1.
       */
      software: z.boolean().optional(),
    })
    .optional(),
  /** Native GPU (CUDA). */
  gpu: z
    .object({
      name: z.string(),
      /** Index of the GPU on its host (nvidia-smi order) when the runner chose one (1.2). */
      index: z.number().int().nonnegative().optional(),
      /** The GPU's UUID, e.g. `GPU-5d3c…` (1.2). */
      uuid: z.string().optional(),
      /** The GPU's PCI bus id, e.g. `00000000:19:00.0` (1.2). */
      pciBusId: z.string().optional(),
      driver: z.string().optional(),
      cudaRuntime: z.string().optional(),
      cudaDriver: z.string().optional(),
      computeCapability: z.string().optional(),
      smCount: z.number().int().optional(),
      memoryBytes: z.number().optional(),
      smClockMaxMHz: z.number().optional(),
      memClockMaxMHz: z.number().optional(),
      peakTflops: z.number().optional(),
      peakGbps: z.number().optional(),
      /**
       * Measured device-to-device copy rate, GB/s (bytes read + written): the bandwidth ceiling
       * memory-bound problems such as decode are judged against (peakGbps is datasheet arithmetic).
       */
      copyGbps: z.number().optional(),
    })
    .optional(),
  /** Compiler and flags used for native code. */
  compiler: z
    .object({ name: z.string(), version: z.string().optional(), flags: z.string() })
    .optional(),
  /** The software stack, e.g. torch version, python version. */
  software: z.record(z.string(), z.string()).optional(),
  /** Runner that produced the result. */
  runner: z
    .object({ id: z.string(), version: z.string(), commit: z.string().optional() })
    .optional(),
});
/** Environment fingerprint. */
export type Env = z.output<typeof envSchema>;

/** Timing methods, in decreasing precision. */
export const TIMING_METHODS = ['timestamp-query', 'cuda-event', 'cpu-clock'] as const;

/** How the samples were taken. */
export const timingSchema = z.object({
  /** Device timestamps (WebGPU), CUDA events, or a labelled CPU-clock fallback. */
  method: z.enum(TIMING_METHODS),
  /** Smallest timestamp step seen, ms; null when not applicable. */
  quantumMs: z.number().nonnegative().nullable(),
  /** Kernel launches per sample; each sample's ms is divided by this (time of one launch). */
  dispatchesPerSample: z.number().int().min(1),
  /** Warmup launches before the first sample. */
  warmup: z.number().int().nonnegative(),
  /** Cold: L2 flushed / inputs rotated outside the timed span; warm: not. */
  cache: z.enum(['cold', 'warm']),
  /** The stop rule in force. */
  stopRule: stopRuleSchema,
  /** Launches captured in a CUDA graph per sample (cuda only). */
  graph: z.boolean().optional(),
  /** Input buffer sets rotated between samples. */
  inputSets: z.number().int().min(1).optional(),
  /** Human notes about precision, e.g. how to get exact timestamps. */
  notes: z.array(z.string()).default([]),
});
/** Timing method and parameters. */
export type Timing = z.output<typeof timingSchema>;

/** One reading of the GPU's clocks during a run. */
export const clockReadingSchema = z.object({
  /** ms since the run started. */
  t: nonNeg,
  smClockMHz: z.number().optional(),
  memClockMHz: z.number().optional(),
  temperatureC: z.number().optional(),
  powerW: z.number().optional(),
  /** Active throttle reasons (empty: none). */
  throttleReasons: z.array(z.string()).default([]),
});
/** A clock reading. */
export type ClockReading = z.output<typeof clockReadingSchema>;

/** Memory use of a run. */
export const memorySchema = z.object({
  /** Pre-launch estimate, bytes. */
  estimateBytes: nonNeg,
  /** Peak measured use during the run, bytes (null: not measurable). */
  peakBytes: nonNeg.nullable(),
  /** Device memory, bytes (null: unknown). */
  deviceTotalBytes: nonNeg.nullable(),
  /** Free bytes before the run (null: unknown). */
  freeBeforeBytes: nonNeg.nullable().optional(),
  /** peak (or estimate) / total. */
  usageFraction: nonNeg.nullable(),
  /** True when usage exceeded 85% of the device. */
  oomRisk: z.boolean(),
});
/** Memory figures. */
export type Memory = z.output<typeof memorySchema>;

/** The correctness check that preceded timing. */
export const correctnessSchema = z.object({
  /** What the output was compared with, e.g. `f64-cpu` or `f32-gpu+f64-cpu`. */
  reference: z.string(),
  /** (b, h, row) triples checked. */
  rowsChecked: z.number().int().nonnegative(),
  /** B·H·S rows in the output. */
  rowsTotal: z.number().int().nonnegative(),
  /** Max absolute error over checked rows (null when the output had NaN). */
  maxAbsErr: z.number().nullable(),
  /** Relative L2 error over checked rows (null when the output had NaN). */
  relL2Err: z.number().nullable(),
  /** Relative L2 tolerance for this dtype. */
  tolerance: z.number().positive(),
  /** Whether the kernel passed; a failed kernel is never timed. */
  passed: z.boolean(),
  /** Free-text detail, e.g. first mismatching index. */
  note: z.string().optional(),
});
/** Correctness figures. */
export type Correctness = z.output<typeof correctnessSchema>;

/** Figures derived from the samples (recomputable; stored for convenience). */
export const derivedSchema = z.object({
  medianMs: nonNeg,
  /** Bootstrap CI of the median, ms. */
  ci: interval,
  /** Confidence level of `ci`. */
  confidence: z.number().gt(0).lt(1),
  tflops: nonNeg,
  gbps: nonNeg,
});
/** Derived figures. */
export type Derived = z.output<typeof derivedSchema>;

/** The whole result file. */
export const resultSchema = z.object({
  /** `attnlab/result@1.MINOR` (or `attnlab/result@1` from before minor versions). */
  schema: z.string().regex(RESULT_SCHEMA_PATTERN, {
    error: 'must be attnlab/result@1 or attnlab/result@1.MINOR',
  }),
  /** Unique id of the run. */
  id: z.string().min(1).max(200),
  /** ISO 8601 time the run started. */
  createdAt: z.string(),
  /** The tool that wrote the file. */
  tool: z.object({ name: z.string(), version: z.string(), commit: z.string().optional() }),
  config: attentionConfigSchema,
  target: targetSchema,
  env: envSchema,
  timing: timingSchema,
  samples: z.object({
    /** Raw per-sample times in ms (one launch each; see timing.dispatchesPerSample). */
    ms: z.array(nonNeg),
    /** Per-sample flag: true when the GPU was throttled while it was taken. */
    throttled: z.array(z.boolean()).optional(),
    /** True when the run ended early (error, cancel) and these are the samples taken so far. */
    partial: z.boolean().default(false),
  }),
  clocks: z.array(clockReadingSchema).default([]),
  memory: memorySchema,
  correctness: correctnessSchema.nullable(),
  derived: derivedSchema.nullable(),
  /** Final state: completed, failed or cancelled. */
  status: z.enum(['completed', 'failed', 'cancelled']),
  /** Why the run failed or was cancelled. */
  error: z.object({ code: z.string(), message: z.string() }).optional(),
});
/** A result file as read (defaults applied). */
export type ResultFile = z.output<typeof resultSchema>;
/** A result file as written (defaults optional). */
export type ResultFileInput = z.input<typeof resultSchema>;

/**
 * Reads a parsed JSON value as a result file. Rejects unknown major versions with a message
 * that says which versions this build reads, and names every invalid field otherwise.
 */
export function readResult(json: unknown, source = 'result'): ResultFile {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new ValidationError(source, ['(root): must be a JSON object']);
  }
  const schema = (json as { schema?: unknown }).schema;
  if (typeof schema !== 'string' || !schema.startsWith('attnlab/result@')) {
    throw new ValidationError(source, [
      `schema: must be "attnlab/result@${RESULT_MAJOR}" — this is not an attnlab result file (got ${schema === undefined ? 'missing' : JSON.stringify(schema)})`,
    ]);
  }
  const major = Number.parseInt(schema.slice('attnlab/result@'.length), 10);
  if (major !== RESULT_MAJOR) {
    throw new ValidationError(source, [
      `schema: major version ${Number.isNaN(major) ? '?' : major} is not supported; this attnlab reads attnlab/result@${RESULT_MAJOR} (any minor version; upgrade attnlab to read newer files)`,
    ]);
  }
  const parsed = resultSchema.safeParse(json, { reportInput: true });
  if (!parsed.success) throw new ValidationError(source, formatIssues(parsed.error));
  return parsed.data;
}

/** Parses result-file text (JSON) with clear errors for bad JSON and bad fields. */
export function parseResultText(text: string, source = 'result'): ResultFile {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ValidationError(source, [`not valid JSON (${(err as Error).message})`]);
  }
  return readResult(json, source);
}

/** The JSON Schema (draft 2020-12) of the result file, for other tools. */
export function resultJsonSchema(): unknown {
  return z.toJSONSchema(resultSchema, { io: 'input', target: 'draft-2020-12' });
}
