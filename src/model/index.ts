/** attnlab/model: config, cost model, result schema, harness lines and runner protocol. */
export { ValidationError, formatIssues, parseOrThrow } from './errors.ts';
export {
  CONFIG_LIMITS,
  SCALE_LIMITS,
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
  AXIS_SHORT,
  AXIS_TITLE,
  MAX_AXIS_VALUES,
  NUMERIC_AXES,
  SWEEP_AXES,
  applyPoint,
  axisValueLabel,
  parseAxisValues,
  pointLabel,
  sweepPoints,
  toSweepAxis,
} from './sweep.ts';
export type {
  AxisParse,
  AxisSpec,
  AxisValue,
  NumericAxis,
  SweepAxis,
  SweepPoint,
} from './sweep.ts';
export {
  CUDA_L2_FLUSH_BYTES,
  DEFAULT_RIDGE_FLOP_PER_BYTE,
  arithmeticIntensity,
  attentionBytes,
  attentionFlops,
  boundOf,
  estimateMemory,
  floorMs,
  formatBytes,
  gbps,
  headlineFigure,
  ridgePoint,
  tflops,
  unmaskedPairs,
  visibleKeys,
} from './cost.ts';
export { formatMs, sig } from './format.ts';
export { combineRounds, isInterleaved, separateRunsWarning } from './interleave.ts';
export type {
  Bound,
  DeviceCeilings,
  HeadlineFigure,
  MemoryEstimate,
  MemoryModelBackend,
} from './cost.ts';
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
  deviceInfoSchema,
  laneStatusSchema,
  deviceRefSchema,
  kernelInfoSchema,
  kvShapeRefusal,
  parseClientMessage,
  parseServerMessage,
  savedSchema,
  serverMessageSchema,
} from './protocol.ts';
export type {
  BackendInfo,
  ClientMessage,
  DeviceInfo,
  LaneStatus,
  DeviceRef,
  ErrorCode,
  KernelInfo,
  Parsed,
  RunRequest,
  Saved,
  ServerMessage,
  ServerMessageInput,
} from './protocol.ts';
export { ceilingsOf, deriveFigures } from './derive.ts';
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
export { ENV_GROUPS, diffEnv, envDiffText, envGroupOf, splitEnvDiff } from './envdiff.ts';
export type { EnvDifference, EnvGroup } from './envdiff.ts';
export { SOFTWARE_WEBGPU_LABEL, isSoftwareEnv, isSoftwareIdentity } from './software.ts';
export type { AdapterIdentity } from './software.ts';
export { exampleResult } from './example.ts';
export {
  CALLABLE_PATTERN,
  MAX_USER_SOURCE_BYTES,
  USER_KERNEL_LANGUAGES,
  userKernelRecordSchema,
  userKernelSpecSchema,
} from './user-kernel.ts';
export type { UserKernelLanguage, UserKernelRecord, UserKernelSpec } from './user-kernel.ts';
