/** attnlab/model: config, cost model, result schema, harness lines and runner protocol. */
export { ValidationError, formatIssues, parseOrThrow } from './errors.ts';
export {
  CONFIG_LIMITS,
  DTYPES,
  attentionConfigSchema,
  configLabel,
  divisors,
  dtypeBytes,
  hasKvShape,
  kvHeadsOf,
  kvSeqLenOf,
  kvTensorElements,
  resolvedScale,
  tensorElements,
  validateConfig,
} from './config.ts';
export type { AttentionConfig, Dtype } from './config.ts';
export {
  CUDA_L2_FLUSH_BYTES,
  arithmeticIntensity,
  attentionBytes,
  attentionFlops,
  estimateMemory,
  floorMs,
  formatBytes,
  gbps,
  tflops,
} from './cost.ts';
export type { DeviceCeilings, MemoryEstimate, MemoryModelBackend } from './cost.ts';
export {
  BACKEND_IDS,
  RESULT_MAJOR,
  RESULT_SCHEMA,
  RESULT_MINOR,
  RESULT_SCHEMA_PATTERN,
  RUN_STATES,
  TIMING_METHODS,
  clockReadingSchema,
  correctnessSchema,
  derivedSchema,
  envSchema,
  memorySchema,
  parseResultText,
  readResult,
  resultJsonSchema,
  resultSchema,
  stopRuleSchema,
  targetSchema,
  timingSchema,
} from './result.ts';
export type {
  ClockReading,
  Correctness,
  Derived,
  Env,
  Memory,
  ResultFile,
  ResultFileInput,
  RunState,
  StopRule,
  Target,
  Timing,
} from './result.ts';
export { HARNESS_SCHEMA, harnessLineSchema, parseHarnessLine } from './harness.ts';
export type { HarnessLine, HarnessLineInput } from './harness.ts';
export {
  ERROR_CODES,
  MAX_MESSAGE_BYTES,
  MAX_SERVER_MESSAGE_BYTES,
  PROTOCOL_VERSION,
  backendInfoSchema,
  clientMessageSchema,
  kernelInfoSchema,
  parseClientMessage,
  parseServerMessage,
  serverMessageSchema,
} from './protocol.ts';
export type {
  BackendInfo,
  ClientMessage,
  ErrorCode,
  KernelInfo,
  Parsed,
  RunRequest,
  ServerMessage,
  ServerMessageInput,
} from './protocol.ts';
export { deriveFigures } from './derive.ts';
export type { DeriveOptions } from './derive.ts';
export {
  CI_RULE_DEFAULTS,
  describeStopReason,
  describeStopRule,
  maxSamples,
  medianRankInterval,
  relativeHalfWidth,
  shouldStop,
} from './stop.ts';
export type { StopReason } from './stop.ts';
export type {
  DirectRunOptions,
  DirectRunOutcome,
  DirectRunner,
  InputTensors,
  RunProgress,
  RunSpec,
} from './run.ts';
export { SOFTWARE_WEBGPU_LABEL, isSoftwareEnv, isSoftwareIdentity } from './software.ts';
export type { AdapterIdentity } from './software.ts';
export { diffEnv } from './envdiff.ts';
export type { EnvDifference } from './envdiff.ts';
export { exampleResult } from './example.ts';
