/**
 * The WebGPU attention engine: one device, a pipeline cache, and `run` = refuse what cannot
 * fit → compile → upload seeded inputs → poison, launch, compare with the f64 reference → time
 * (only if it passed) → result file. The same code runs in a browser worker and in Node (Dawn).
 */
import type { ShaderSources } from '../../shaders/index.ts';
import { validateConfig } from '../model/index.ts';
import type {
  AttentionConfig,
  Correctness,
  DirectRunOptions,
  DirectRunOutcome,
  Env,
  InputTensors,
  KernelInfo,
  RunProgress,
  UserKernelSpec,
} from '../model/index.ts';
import { checkOutput } from '../reference/check.ts';
import { fromHalfArray, toHalfArray } from '../reference/half.ts';
import { randomInputs } from '../reference/inputs.ts';
import { RunBuffers } from './buffers.ts';
import { openDevice } from './device.ts';
import type { DeviceTraits, EngineDevice } from './device.ts';
import { adapterEnv } from './env.ts';
import { EngineError, errorCodeOf, errorMessageOf } from './errors.ts';
import { measure } from './measure.ts';
import type { Measurement } from './measure.ts';
import { planMemory } from './memory.ts';
import type { MemoryPlan } from './memory.ts';
import { compileKernel, compileMessages, planKey } from './pipeline.ts';
import type { CompiledKernel } from './pipeline.ts';
import { checkKernel, kernelInfos, resolveKernel } from './registry.ts';
import { buildResult } from './result.ts';
import { planKernel } from './tiles.ts';
import { UserHeaderError, prepareUserKernel } from './user-kernel.ts';
import type { PreparedUser, UserCompileOutcome } from './user-kernel.ts';
import type { KernelPlan, TileOverrides } from './tiles.ts';

/** Where the engine runs and what it needs from its host. */
export interface EngineHost {
  /** `webgpu` in a browser worker, `dawn` in Node. */
  backend: 'webgpu' | 'dawn';
  /** Browser user agent, or `node-dawn <version>`. */
  runtime: string;
  /** WGSL sources (bundled with `?raw` in the browser, read from disk in Node). */
  sources: ShaderSources;
  /** Tool name, version and commit written into results. */
  tool: { name: string; version: string; commit?: string | undefined };
  /** Host fingerprint (Node only). */
  host?: Env['host'];
  /** Clock in ms; default `performance.now`. */
  now?: () => number;
  /** Tile-size overrides (tuning); the adapter's limits still apply. */
  tiles?: TileOverrides;
}

/** A run request: the direct-run options plus streaming hooks. */
export interface EngineRunOptions extends DirectRunOptions {
  /** Run id; generated when absent. */
  id?: string | undefined;
  /** New samples (ms per launch) after each batch. */
  onSamples?: ((ms: number[]) => void) | undefined;
  /** The correctness figures, as soon as the check is done. */
  onCheck?: ((correctness: Correctness) => void) | undefined;
  /** `cpu-clock` forces the CPU-clock fallback even where timestamp-query exists. */
  timing?: 'auto' | 'cpu-clock' | undefined;
}

/** Output of a check-only launch. */
export interface CheckOutcome {
  /** Figures against the f64 reference. */
  correctness: Correctness;
  /** The kernel's output as f32. */
  output: Float32Array;
  /** Tile parameters used. */
  kernelParams: Record<string, string | number | boolean>;
}

function runId(backend: string, kernel: string): string {
  const random = Math.floor(Math.random() * 0x100000000)
    .toString(16)
    .padStart(8, '0');
  return `${backend}-${kernel}-${Date.now().toString(36)}-${random}`.replace(/[^\w.:-]/g, '_');
}

/** The WebGPU attention engine. */
export class AttentionEngine {
  private readonly pipelines = new Map<string, Promise<CompiledKernel>>();
  private lastQuantumMs: number | null = null;

  private constructor(
    private readonly dev: EngineDevice,
    private readonly host: EngineHost,
  ) {}

  /** Opens a device on the adapter (wanted features and limits) and returns a ready engine. */
  static async open(adapter: GPUAdapter, host: EngineHost): Promise<AttentionEngine> {
    return new AttentionEngine(await openDevice(adapter), host);
  }

  /** Features, limits and subgroup sizes of the device. */
  get traits(): DeviceTraits {
    return this.dev.traits;
  }

  /** True once the device is lost: open a new engine to go on. */
  get lost(): boolean {
    return this.dev.watch.lost !== null;
  }

  /** Every kernel with its availability on this device. */
  kernels(): KernelInfo[] {
    return kernelInfos(this.dev.traits);
  }

  /** The environment fingerprint (timestamp quantum of the last run, if any). */
  env(): Env {
    const adapter = adapterEnv(this.dev.adapter, this.host.runtime, this.lastQuantumMs);
    return this.host.host ? { host: this.host.host, adapter } : { adapter };
  }

  /** Frees the device. */
  destroy(): void {
    this.dev.device.destroy();
  }

  private now(): number {
    return (this.host.now ?? (() => performance.now()))();
  }

  private compile(plan: KernelPlan, user?: PreparedUser): Promise<CompiledKernel> {
    // A user file is named by its SHA-256, so the key tells two versions of it apart.
    const key = planKey(plan);
    let compiled = this.pipelines.get(key);
    if (!compiled) {
      compiled = compileKernel(
        this.dev.device,
        user?.sources ?? this.host.sources,
        plan,
        user?.names,
      );
      // A failed compile is not cached, so a later call reports it again rather than hanging on.
      compiled.catch(() => this.pipelines.delete(key));
      this.pipelines.set(key, compiled);
    }
    return compiled;
  }

  private prepareUser(spec: UserKernelSpec): Promise<PreparedUser> {
    return prepareUserKernel(spec, this.host.sources, this.host.backend);
  }

  /**
   * Compiles a user kernel for a config's head dim without running it (the lab's editor):
   * header errors and every compiler message come back at the user's own line and column.
   */
  async compileUser(spec: UserKernelSpec, rawConfig: AttentionConfig): Promise<UserCompileOutcome> {
    let user: PreparedUser;
    try {
      user = await this.prepareUser(spec);
    } catch (err) {
      if (!(err instanceof UserHeaderError)) throw err;
      const at = { type: 'error' as const, file: 'user', line: err.line, column: 1 };
      return { kernel: null, messages: [{ ...at, message: err.detail }] };
    }
    const { plan } = this.prepare(rawConfig, user.kernel.id, 'warm', user);
    this.dev.watch.check('before compiling');
    const { messages } = await compileMessages(this.dev.device, user.sources, plan);
    return {
      kernel: user.kernel.id,
      messages: messages.map((m) =>
        m.file === user.kernel.file
          ? { ...m, file: 'user' }
          : { ...m, message: `(in ${m.file}:${m.line}) ${m.message}`, file: 'user', line: 1 },
      ),
    };
  }

  /** Validates and plans a run; throws an EngineError for anything that cannot run here. */
  private prepare(
    rawConfig: AttentionConfig,
    kernelId: string,
    cache: 'cold' | 'warm',
    user?: PreparedUser,
  ): { config: AttentionConfig; plan: KernelPlan; memory: MemoryPlan } {
    let config: AttentionConfig;
    try {
      config = validateConfig(rawConfig);
    } catch (err) {
      throw new EngineError('bad-config', (err as Error).message);
    }
    const kernel = user
      ? checkKernel(user.kernel, config, this.dev.traits)
      : resolveKernel(kernelId, config, this.dev.traits);
    const plan = planKernel(kernel, config.headDim, this.dev.traits, this.host.tiles);
    const memory = planMemory(
      config,
      kernel,
      this.dev.traits.limits,
      cache,
      this.host.backend,
      plan.consts,
    );
    return { config, plan, memory };
  }

  /** Uploads inputs (f16 kernels get them rounded) and returns the values the kernel sees. */
  private upload(buffers: RunBuffers, config: AttentionConfig, inputs: InputTensors): InputTensors {
    if (config.dtype === 'f32') {
      buffers.upload(inputs.q, inputs.k, inputs.v);
      return inputs;
    }
    const [q, k, v] = [toHalfArray(inputs.q), toHalfArray(inputs.k), toHalfArray(inputs.v)];
    buffers.upload(q, k, v);
    return { q: fromHalfArray(q), k: fromHalfArray(k), v: fromHalfArray(v) };
  }

  private async checkOn(
    buffers: RunBuffers,
    config: AttentionConfig,
    seen: InputTensors,
    seed: number,
  ): Promise<{ correctness: Correctness; output: Float32Array }> {
    buffers.poisonOutput();
    buffers.launchOnce();
    const output = await buffers.readOutput();
    this.dev.watch.check('correctness check');
    return { correctness: checkOutput(config, seen, output, seed), output };
  }

  /** Compiles, launches once on poisoned output and compares with the reference (no timing). */
  async check(
    config: AttentionConfig,
    kernelId: string,
    options: { seed?: number; inputs?: InputTensors; userKernel?: UserKernelSpec } = {},
  ): Promise<CheckOutcome> {
    const user = options.userKernel ? await this.prepareUser(options.userKernel) : undefined;
    const prepared = this.prepare(config, kernelId, 'warm', user);
    this.dev.watch.check('before the check');
    const compiled = await this.compile(prepared.plan, user);
    const buffers = await RunBuffers.create(
      this.dev.device,
      compiled,
      prepared.config,
      prepared.memory,
    );
    try {
      const seed = options.seed ?? 1;
      const seen = this.upload(
        buffers,
        prepared.config,
        options.inputs ?? randomInputs(prepared.config, seed),
      );
      const { correctness, output } = await this.checkOn(buffers, prepared.config, seen, seed);
      return { correctness, output, kernelParams: prepared.plan.params };
    } finally {
      buffers.destroy();
    }
  }

  /**
   * Runs check + timing. Refusals (unknown kernel, dtype mismatch, too large) throw an
   * EngineError before anything is allocated; failures after that (wrong output, device loss,
   * cancel) come back as a result file with status `failed` or `cancelled`.
   */
  async run(options: EngineRunOptions): Promise<DirectRunOutcome> {
    const startedAt = this.now();
    const createdAt = new Date().toISOString();
    let lastProgress = Number.NEGATIVE_INFINITY;
    let phase = 'setup';
    let warmup: RunProgress['warmup'];
    let timingStart: number | null = null;
    const samples: number[] = [];
    const expected = options.stop.kind === 'count' ? options.stop.iterations : null;
    const progress = (force: boolean): void => {
      const t = this.now();
      if (!options.onProgress || (!force && t - lastProgress < 100)) return;
      lastProgress = t;
      const sorted = samples.length > 0 ? Float64Array.from(samples).sort() : null;
      const mid = sorted ? sorted.length >> 1 : 0;
      const medianMs = sorted
        ? sorted.length % 2 === 1
          ? (sorted[mid] ?? 0)
          : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2
        : null;
      const p: RunProgress = {
        phase,
        samples: samples.length,
        elapsedMs: t - startedAt,
        medianMs,
        expected,
        ...(phase === 'warmup' && warmup ? { warmup } : {}),
        ...(timingStart !== null ? { timingMs: t - timingStart } : {}),
      };
      options.onProgress(p);
    };
    progress(true);

    const user = options.userKernel ? await this.prepareUser(options.userKernel) : undefined;
    const { config, plan, memory } = this.prepare(
      options.config,
      options.kernel,
      options.cache,
      user,
    );
    const timestamps =
      this.dev.traits.features.has('timestamp-query') && options.timing !== 'cpu-clock';
    let correctness: Correctness | null = null;
    let measurement: Measurement | null = null;
    let output: Float32Array | undefined;
    let status: 'completed' | 'failed' | 'cancelled' = 'completed';
    let error: { code: string; message: string } | undefined;
    let buffers: RunBuffers | undefined;
    try {
      this.dev.watch.check('before the run');
      const compiled = await this.compile(plan, user);
      buffers = await RunBuffers.create(this.dev.device, compiled, config, memory);
      const seen = this.upload(
        buffers,
        config,
        options.inputs ?? randomInputs(config, options.seed),
      );
      phase = 'checking';
      progress(true);
      const checked = await this.checkOn(buffers, config, seen, options.seed);
      correctness = checked.correctness;
      if (options.wantOutput) output = checked.output;
      options.onCheck?.(correctness);
      if (!correctness.passed) {
        status = 'failed';
        error = {
          code: 'correctness-failed',
          message: `${plan.kernel.id} does not match the f64 reference (${correctness.relL2Err === null ? 'non-finite output' : `rel L2 ${correctness.relL2Err.toExponential(2)} > ${correctness.tolerance}`}); not timed`,
        };
      } else if (options.signal?.aborted) {
        status = 'cancelled';
        error = { code: 'cancelled', message: 'cancelled before timing' };
      } else {
        measurement = await measure({
          device: this.dev.device,
          launcher: buffers,
          watch: this.dev.watch,
          timestamps,
          stop: options.stop,
          warmup: options.warmup,
          runtime: this.host.backend === 'webgpu' ? 'browser' : 'dawn',
          signal: options.signal,
          now: () => this.now(),
          onPhase: (p) => {
            phase = p;
            if (p === 'timing') timingStart = this.now();
            progress(true);
          },
          onWarmup: (w) => {
            warmup = w;
            progress(false);
          },
          onSamples: (fresh) => {
            samples.push(...fresh);
            options.onSamples?.(fresh);
            progress(false);
          },
        });
        this.lastQuantumMs = measurement.quantumMs;
        if (measurement.stopReason === 'cancelled') {
          status = 'cancelled';
          error = {
            code: 'cancelled',
            message: `cancelled after ${measurement.ms.length} sample(s)`,
          };
        }
      }
    } catch (err) {
      status = 'failed';
      error = { code: errorCodeOf(err), message: errorMessageOf(err) };
      if (samples.length > 0) {
        measurement = {
          ms: samples,
          method: timestamps ? 'timestamp-query' : 'cpu-clock',
          quantumMs: null,
          dispatchesPerSample: 1,
          warmupLaunches: 0,
          notes: ['the run failed part-way: the recorded samples are partial'],
          stopReason: 'cancelled',
        };
      }
    } finally {
      buffers?.destroy();
    }
    phase = status === 'completed' ? 'done' : status;
    progress(true);
    const result = buildResult({
      id: options.id ?? runId(this.host.backend, plan.kernel.id),
      createdAt,
      tool: this.host.tool,
      config,
      backend: this.host.backend,
      kernel: plan.kernel.id,
      kernelParams: plan.params,
      userKernel: user?.record,
      env: this.env(),
      stop: options.stop,
      cache: options.cache,
      inputSets: memory.inputSets,
      memory: memory.estimate,
      correctness,
      measurement,
      status,
      error,
      seed: options.seed,
      plannedMethod: timestamps ? 'timestamp-query' : 'cpu-clock',
    });
    return output ? { result, output } : { result };
  }
}
