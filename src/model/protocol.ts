/**
 * Runner protocol: the WebSocket messages between the lab (client) and a native runner (server).
 * Both sides import these schemas; every incoming message is validated, and anything unknown or
 * oversized is answered with an `error` message — never a crash.
 */
import { z } from 'zod';
import {
  attentionConfigSchema,
  DTYPES,
  hasKvShape,
  kvHeadsOf,
  kvSeqLenOf,
  type AttentionConfig,
} from './config.ts';
import {
  clockReadingSchema,
  correctnessSchema,
  envSchema,
  memorySchema,
  resultSchema,
  RUN_STATES,
  stopRuleSchema,
} from './result.ts';
import { userKernelSpecSchema } from './user-kernel.ts';
import { formatIssues } from './errors.ts';

/** Protocol version carried in `welcome`. */
export const PROTOCOL_VERSION = 1;
/** Largest message a client may send, bytes (checked before anything is parsed). */
export const MAX_MESSAGE_BYTES = 1 << 20;
/**
 * Largest message the runner sends, bytes: the biggest legal run (100,000 samples with throttle
 * flags and clock readings) is about 3 MB as JSON, so a finished run always fits in one
 * `runDone`.
 */
export const MAX_SERVER_MESSAGE_BYTES = 16 << 20;
/** Longest run id, characters. */
const runId = z
  .string()
  .min(1, { error: 'must be 1..100 characters of [A-Za-z0-9_.:-]' })
  .max(100, { error: 'must be 1..100 characters of [A-Za-z0-9_.:-]' })
  .regex(/^[\w.:-]+$/, { error: 'must be 1..100 characters of [A-Za-z0-9_.:-]' });

/** Error codes the runner sends. */
export const ERROR_CODES = [
  'bad-json',
  'invalid-message',
  'too-large',
  'unknown-type',
  'unauthorized',
  'bad-config',
  'unknown-backend',
  'unknown-kernel',
  'unknown-device',
  'unsupported',
  'duplicate-id',
  'unknown-run',
  'queue-full',
  'client-queue-full',
  'too-large-for-device',
  'correctness-failed',
  'compile-error',
  'user-code-refused',
  'harness-crash',
  'harness-error',
  'timeout',
  'cancelled',
  'client-gone',
  'internal',
] as const;
/** A runner error code. */
export type ErrorCode = (typeof ERROR_CODES)[number];

/** Whether a run's result file was saved on the runner: its path, or why not. */
export const savedSchema = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), /** Absolute path on the runner's host. */ path: z.string() }),
  z.object({
    ok: z.literal(false),
    /** Why the file could not be written (e.g. the disk is full); the run's data is only here. */
    error: z.string(),
  }),
]);
/** Where a result was saved, or why not. */
export type Saved = z.output<typeof savedSchema>;

/** A GPU named by its index on the runner's host (0..63) or its UUID (`GPU-…`, `MIG-…`). */
export const deviceRefSchema = z.union([
  z.number().int().min(0, { error: 'must be a GPU index in 0..63 or a UUID' }).max(63, {
    error: 'must be a GPU index in 0..63 or a UUID',
  }),
  z.string().regex(/^(GPU|MIG)-[A-Za-z0-9-]{1,80}$/, {
    error: 'must be a GPU index in 0..63 or a UUID such as GPU-5d3c…',
  }),
]);
/** A GPU index or UUID. */
export type DeviceRef = z.output<typeof deviceRefSchema>;

/** One GPU of a runner's host, as discovered (nvidia-smi). */
export const deviceInfoSchema = z.object({
  /** Index on the host (nvidia-smi order, the CUDA order with CUDA_DEVICE_ORDER=PCI_BUS_ID). */
  index: z.number().int().nonnegative(),
  /** UUID, e.g. `GPU-5d3c…`. */
  uuid: z.string(),
  /** Product name, e.g. `NVIDIA H100 80GB HBM3`. */
  name: z.string(),
  /** Total memory, bytes (null when unknown). */
  memoryBytes: z.number().nonnegative().nullable(),
  /** PCI bus id, e.g. `00000000:19:00.0`. */
  pciBusId: z.string(),
});
/** A GPU of a runner. */
export type DeviceInfo = z.output<typeof deviceInfoSchema>;

/** What one lane of a runner (one GPU, the cpu lane, …) is doing when the runner answers. */
export const laneStatusSchema = z.object({
  /** Lane id, e.g. `gpu:0`, `cpu`, `gpu` (GPU backends sharing one lane when no GPU is listed). */
  lane: z.string().max(64),
  /** Index of the lane's GPU (absent: not a per-GPU lane). */
  device: z.number().int().nonnegative().optional(),
  /** The run in the lane now (absent: idle); whose run it is stays private to its client. */
  running: z
    .object({
      /** Backend id, e.g. `cuda`. */
      backend: z.string(),
      /** Kernel id. */
      kernel: z.string(),
    })
    .optional(),
  /** Runs waiting in the lane (the running one not counted). */
  waiting: z.number().int().nonnegative(),
});
/** A lane's activity. */
export type LaneStatus = z.output<typeof laneStatusSchema>;

/** A kernel a backend offers. */
export const kernelInfoSchema = z.object({
  id: z.string(),
  /** One line the UI shows. */
  description: z.string(),
  dtypes: z.array(z.enum(DTYPES)),
  /** Head dims supported. */
  headDims: z.array(z.number().int()),
  /** Whether causal masking is supported. */
  causal: z.boolean(),
  /**
   * Whether K/V may differ from Q in shape (grouped-query kvHeads ≠ heads, or kvSeqLen ≠
   * seqLen); absent means no: such configs are refused with the reason.
   */
  kvShape: z.boolean().optional(),
  /** False when the kernel cannot run here; `reason` says why. */
  available: z.boolean().default(true),
  reason: z.string().optional(),
});
/** Kernel description. */
export type KernelInfo = z.output<typeof kernelInfoSchema>;

/** A backend a runner offers (present or not, with the reason). */
export const backendInfoSchema = z.object({
  id: z.string(),
  available: z.boolean(),
  /** Why it is unavailable (or a note when it is). */
  reason: z.string().optional(),
  /** Device it runs on, e.g. `NVIDIA H100 80GB HBM3` or `CPU (16 threads)`. */
  device: z.string().optional(),
  /** The GPUs this backend's jobs can run on, one lane each (absent: one shared lane). */
  devices: z.array(deviceInfoSchema).optional(),
  kernels: z.array(kernelInfoSchema),
});
/** Backend description. */
export type BackendInfo = z.output<typeof backendInfoSchema>;

/** Messages the lab sends. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hello'),
    /** Token, required when the runner was started with one. */
    token: z.string().max(256).optional(),
    /** Client name for logs. */
    client: z.string().max(100).optional(),
  }),
  z.strictObject({ type: z.literal('listBackends') }),
  z.strictObject({
    type: z.literal('run'),
    id: runId,
    config: attentionConfigSchema,
    backend: z.string().min(1).max(64),
    kernel: z.string().min(1).max(64),
    stop: stopRuleSchema,
    /** Cold (default) or warm cache. */
    cache: z.enum(['cold', 'warm']).optional(),
    /** Seed of the random inputs. */
    seed: z.number().int().min(0).max(0xffffffff).optional(),
    /** Warmup launches (default chosen by the backend). */
    warmup: z.number().int().min(0).max(10_000).optional(),
    /** GPU to run on: its index on the runner's host or its UUID; absent: any free one. */
    device: deviceRefSchema.optional(),
    /**
     * The user's own kernel (WGSL for dawn, .cu for cuda, a callable for python); `kernel` is
     * then its display id. Runners refuse it unless started with --allow-user-code.
     */
    userKernel: userKernelSpecSchema.optional(),
  }),
  z.strictObject({ type: z.literal('cancel'), id: runId }),
]);
/** A client message. */
export type ClientMessage = z.output<typeof clientMessageSchema>;
/** A run request. */
export type RunRequest = Extract<ClientMessage, { type: 'run' }>;

/** Messages the runner sends. */
export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    runnerId: z.string(),
    version: z.string(),
    protocol: z.number().int(),
    env: envSchema,
    backends: z.array(backendInfoSchema),
    /** Every lane and what it runs now (absent: an older runner). */
    lanes: z.array(laneStatusSchema).optional(),
  }),
  z.object({
    type: z.literal('backends'),
    backends: z.array(backendInfoSchema),
    /** Every lane and what it runs now (absent: an older runner). */
    lanes: z.array(laneStatusSchema).optional(),
  }),
  z.object({
    type: z.literal('runStarted'),
    id: z.string(),
    /** Position in the queue when accepted (0: running now). */
    queuePosition: z.number().int().nonnegative(),
    /** Index of the GPU whose lane took the run (absent: not a GPU lane). */
    device: z.number().int().nonnegative().optional(),
  }),
  z.object({
    type: z.literal('samples'),
    id: z.string(),
    /** Batch sequence number, from 0, so gaps are visible. */
    seq: z.number().int().nonnegative(),
    ms: z.array(z.number()),
    throttled: z.array(z.boolean()).optional(),
  }),
  z.object({
    type: z.literal('progress'),
    id: z.string(),
    state: z.enum(RUN_STATES),
    samples: z.number().int().nonnegative(),
    elapsedMs: z.number().nonnegative(),
    medianMs: z.number().nullable(),
    /** Free-text phase, e.g. `compiling`, `checking`, `warmup`, `timing`. */
    phase: z.string().optional(),
  }),
  z.object({ type: z.literal('check'), id: z.string(), correctness: correctnessSchema }),
  z.object({ type: z.literal('memory'), id: z.string(), memory: memorySchema }),
  z.object({ type: z.literal('clock'), id: z.string(), clock: clockReadingSchema }),
  z.object({
    type: z.literal('runDone'),
    id: z.string(),
    result: resultSchema,
    /** Where the runner saved the result file, or why it could not (absent: an older runner). */
    saved: savedSchema.optional(),
  }),
  z.object({
    type: z.literal('error'),
    /** The run this error ends, when it concerns one. */
    id: z.string().optional(),
    code: z.enum(ERROR_CODES),
    message: z.string(),
    /** The partial result (samples so far, marked partial) when a run ended early. */
    result: resultSchema.optional(),
    /** Where the runner saved that partial result, or why it could not. */
    saved: savedSchema.optional(),
  }),
]);
/** A server message. */
export type ServerMessage = z.output<typeof serverMessageSchema>;
/** A server message as written (defaults optional). */
export type ServerMessageInput = z.input<typeof serverMessageSchema>;

/** Outcome of parsing an incoming message. */
export type Parsed<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; error: string };

function parseWith<T extends z.ZodType>(
  schema: T,
  raw: string | Uint8Array,
  limit: number,
): Parsed<z.output<T>> {
  const size = typeof raw === 'string' ? new TextEncoder().encode(raw).length : raw.byteLength;
  if (size > limit) {
    return {
      ok: false,
      code: 'too-large',
      error: `message is ${size} bytes; the limit is ${limit}`,
    };
  }
  const text = typeof raw === 'string' ? raw : new TextDecoder().decode(raw);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad-json', error: 'message is not valid JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, code: 'invalid-message', error: 'message must be a JSON object' };
  }
  const type = (json as { type?: unknown }).type;
  const parsed = schema.safeParse(json, { reportInput: true });
  if (!parsed.success) {
    const known = parsed.error.issues.some(
      (i) => i.path.length === 1 && i.path[0] === 'type' && i.code === 'invalid_union',
    );
    if (known || typeof type !== 'string') {
      return {
        ok: false,
        code: 'unknown-type',
        error: `type: unknown message type ${type === undefined ? 'missing' : JSON.stringify(type)}`,
      };
    }
    const isConfig = parsed.error.issues.some((i) => i.path[0] === 'config');
    return {
      ok: false,
      code: isConfig ? 'bad-config' : 'invalid-message',
      error: `invalid ${type} message: ${formatIssues(parsed.error).join('; ')}`,
    };
  }
  return { ok: true, message: parsed.data };
}

/** Validates a message from the lab (size, JSON, shape). Never throws. */
export function parseClientMessage(raw: string | Uint8Array): Parsed<ClientMessage> {
  return parseWith(clientMessageSchema, raw, MAX_MESSAGE_BYTES);
}

/** Validates a message from a runner (size, JSON, shape). Never throws. */
export function parseServerMessage(raw: string | Uint8Array): Parsed<ServerMessage> {
  return parseWith(serverMessageSchema, raw, MAX_SERVER_MESSAGE_BYTES);
}

/**
 * Why `kernel` (labelled e.g. `cpu/cpu-flash-f32`) cannot run `config`'s K/V shape, or null when
 * it can: kernels without `kvShape` run only kvHeads = heads and kvSeqLen = seqLen.
 */
export function kvShapeRefusal(
  label: string,
  kernel: Pick<KernelInfo, 'kvShape'>,
  config: AttentionConfig,
): string | null {
  if (!hasKvShape(config) || kernel.kvShape === true) return null;
  const parts: string[] = [];
  if (kvHeadsOf(config) !== config.heads)
    parts.push(`grouped-query heads (kvHeads ${kvHeadsOf(config)} ≠ heads ${config.heads})`);
  if (kvSeqLenOf(config) !== config.seqLen)
    parts.push(
      `a KV length unlike the query length (kvSeqLen ${kvSeqLenOf(config)} ≠ seqLen ${config.seqLen})`,
    );
  return `config.${kvHeadsOf(config) !== config.heads ? 'kvHeads' : 'kvSeqLen'}: ${label} does not support ${parts.join(' or ')} yet; choose a kernel that does (cpu runs every shape)`;
}
