/** Assembles and validates the attnlab/result@1 file of a WebGPU run. */
import { RESULT_SCHEMA, deriveFigures, resultSchema } from '../model/index.ts';
import type {
  AttentionConfig,
  Correctness,
  Env,
  MemoryEstimate,
  ResultFile,
  ResultFileInput,
  StopRule,
  UserKernelRecord,
} from '../model/index.ts';
import type { Measurement } from './measure.ts';

/** Everything a result file is made of. */
export interface ResultParts {
  /** Run id. */
  id: string;
  /** ISO time the run started. */
  createdAt: string;
  /** Tool that wrote it. */
  tool: { name: string; version: string; commit?: string | undefined };
  /** The config. */
  config: AttentionConfig;
  /** `webgpu` (browser) or `dawn` (Node). */
  backend: 'webgpu' | 'dawn';
  /** Kernel id. */
  kernel: string;
  /** Tile sizes, workgroup size, math. */
  kernelParams: Record<string, string | number | boolean>;
  /** The user's kernel (source and SHA-256), absent for built-ins. */
  userKernel?: UserKernelRecord | undefined;
  /** Environment fingerprint. */
  env: Env;
  /** Stop rule in force. */
  stop: StopRule;
  /** Cache mode. */
  cache: 'cold' | 'warm';
  /** Input sets rotated. */
  inputSets: number;
  /** Memory estimate. */
  memory: MemoryEstimate;
  /** Correctness (null when the run ended before the check). */
  correctness: Correctness | null;
  /** Measurement (null when not timed). */
  measurement: Measurement | null;
  /** Final state. */
  status: 'completed' | 'failed' | 'cancelled';
  /** Why it failed or was cancelled. */
  error?: { code: string; message: string } | undefined;
  /** Bootstrap seed for the derived CI. */
  seed: number;
  /** Timing method to record when nothing was measured. */
  plannedMethod: 'timestamp-query' | 'cpu-clock';
}

/** Builds the result file and validates it against the schema (a bug here throws). */
export function buildResult(p: ResultParts): ResultFile {
  const m = p.measurement;
  const ms = m?.ms ?? [];
  const input: ResultFileInput = {
    schema: RESULT_SCHEMA,
    id: p.id,
    createdAt: p.createdAt,
    tool:
      p.tool.commit !== undefined
        ? { ...p.tool, commit: p.tool.commit }
        : { name: p.tool.name, version: p.tool.version },
    config: p.config,
    target: {
      backend: p.backend,
      kernel: p.kernel,
      kernelParams: p.kernelParams,
      ...(p.userKernel ? { userKernel: p.userKernel } : {}),
    },
    env: p.env,
    timing: {
      method: m?.method ?? p.plannedMethod,
      quantumMs: m?.quantumMs ?? null,
      dispatchesPerSample: m?.dispatchesPerSample ?? 1,
      warmup: m?.warmupLaunches ?? 0,
      cache: p.cache,
      stopRule: p.stop,
      inputSets: p.inputSets,
      notes: [
        ...(m?.notes ?? []),
        p.cache === 'cold'
          ? `cold: ${p.inputSets} input set(s) rotated between launches (WebGPU cannot flush caches)`
          : 'warm: one input set, reused by every launch',
      ],
    },
    samples: { ms, partial: p.status !== 'completed' && ms.length > 0 },
    clocks: [],
    memory: {
      estimateBytes: p.memory.totalBytes,
      peakBytes: null,
      deviceTotalBytes: null,
      usageFraction: null,
      oomRisk: false,
    },
    correctness: p.correctness,
    derived: ms.length > 0 ? deriveFigures(p.config, ms, { seed: p.seed }) : null,
    status: p.status,
    ...(p.error ? { error: p.error } : {}),
  };
  return resultSchema.parse(input);
}
