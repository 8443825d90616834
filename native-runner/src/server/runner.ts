/**
 * The runner's core, independent of WebSockets: the discovered backends, the device lanes and
 * the jobs in them. Connections hand it validated `run` requests and cancels.
 */
import { PROTOCOL_VERSION, kvShapeRefusal } from '../../../src/model/index.ts';
import { toolInfo } from '../../../src/node/host.ts';
import type {
  BackendInfo,
  DeviceInfo,
  DeviceRef,
  Env,
  ErrorCode,
  LaneStatus,
  RunRequest,
  ServerMessageInput,
} from '../../../src/model/index.ts';
import type { Backend, JobRequest } from '../backend.ts';
import type { ResolvedOptions } from './options.ts';
import { mergeEnvs, runnerEnv } from './env.ts';
import { Job } from './job.ts';
import { Lane } from './lanes.ts';
import { discoverOne } from './discover.ts';
import type { StopCause } from './outcome.ts';
import { ResultStore } from './results.ts';
import { discoverGpus, findDevice, selectDevices } from '../devices.ts';

/** Settings of the runner core (see `ServerOptions` for each one's meaning and default). */
export type RunnerSettings = Pick<
  ResolvedOptions,
  | 'backends'
  | 'resultsDir'
  | 'jobTimeoutMs'
  | 'queueLimit'
  | 'cancelGraceMs'
  | 'flushMs'
  | 'discoverTimeoutMs'
  | 'idleTimeoutMs'
  | 'laneOf'
  | 'devices'
  | 'gpus'
  | 'log'
  | 'allowUserCode'
> & {
  /** This runner's id. */
  runnerId: string;
};

/** Outcome of submitting a run. */
export type Submitted =
  { ok: true; job: Job; queuePosition: number } | { ok: false; code: ErrorCode; message: string };

interface Entry {
  backend: Backend;
  info: BackendInfo;
  /** Runner fingerprint merged with this backend's. */
  env: Env;
}

/**
 * Admits a run carrying user code: only with --allow-user-code, only on an available backend
 * that takes that language. The engine then refuses what the code itself cannot run.
 */
function admitUserKernel(
  entry: Entry,
  msg: RunRequest,
  allowUserCode: boolean,
): { ok: true; entry: Entry } | { ok: false; code: ErrorCode; message: string } {
  const { info, backend } = entry;
  const language = msg.userKernel?.language ?? 'wgsl';
  if (!allowUserCode) {
    return {
      ok: false,
      code: 'user-code-refused',
      message: `userKernel: this runner does not run user code; start it with \`attnlab serve --allow-user-code\` (it runs arbitrary ${language} code on this host)`,
    };
  }
  if (!info.available) {
    return {
      ok: false,
      code: 'unsupported',
      message: `backend: ${info.id} is not available on this runner: ${info.reason ?? 'no reason given'}`,
    };
  }
  const takes = backend.userKernelLanguages ?? [];
  if (!takes.includes(language)) {
    return {
      ok: false,
      code: 'unsupported',
      message: `userKernel.language: backend ${info.id} takes ${takes.length > 0 ? takes.join(', ') : 'no user kernels'} (got ${language})`,
    };
  }
  return { ok: true, entry };
}

/** Checks a request against what the backend and kernel offer: its entry, or the refusal. */
function admit(
  entries: ReadonlyMap<string, Entry>,
  msg: RunRequest,
  allowUserCode: boolean,
): { ok: true; entry: Entry } | { ok: false; code: ErrorCode; message: string } {
  const entry = entries.get(msg.backend);
  if (!entry) {
    return {
      ok: false,
      code: 'unknown-backend',
      message: `backend: unknown backend "${msg.backend}" (this runner has ${[...entries.keys()].join(', ') || 'none'})`,
    };
  }
  const { info } = entry;
  if (msg.userKernel) return admitUserKernel(entry, msg, allowUserCode);
  if (!info.available) {
    return {
      ok: false,
      code: 'unsupported',
      message: `backend: ${info.id} is not available on this runner: ${info.reason ?? 'no reason given'}`,
    };
  }
  const kernel = info.kernels.find((k) => k.id === msg.kernel);
  if (!kernel) {
    return {
      ok: false,
      code: 'unknown-kernel',
      message: `kernel: backend ${info.id} has no kernel "${msg.kernel}" (choose ${info.kernels.map((k) => k.id).join(', ') || 'none'})`,
    };
  }
  if (!kernel.available) {
    return {
      ok: false,
      code: 'unsupported',
      message: `kernel: ${info.id}/${kernel.id} is not available here: ${kernel.reason ?? 'no reason given'}`,
    };
  }
  const { dtype, headDim, causal } = msg.config;
  if (!kernel.dtypes.includes(dtype)) {
    return {
      ok: false,
      code: 'unsupported',
      message: `config.dtype: ${info.id}/${kernel.id} supports ${kernel.dtypes.join(', ')} (got ${dtype})`,
    };
  }
  if (!kernel.headDims.includes(headDim)) {
    return {
      ok: false,
      code: 'unsupported',
      message: `config.headDim: ${info.id}/${kernel.id} supports ${kernel.headDims.join(', ')} (got ${headDim})`,
    };
  }
  if (causal && !kernel.causal) {
    return {
      ok: false,
      code: 'unsupported',
      message: `config.causal: ${info.id}/${kernel.id} has no causal variant (got true)`,
    };
  }
  const kvReason = kvShapeRefusal(`${info.id}/${kernel.id}`, kernel, msg.config);
  if (kvReason !== null) return { ok: false, code: 'unsupported', message: kvReason };
  return { ok: true, entry };
}

/** The lane id `laneOf` gives GPU backends; split into one lane per GPU when there are GPUs. */
const GPU_LANE = 'gpu';

/** Lane id of one GPU. */
function gpuLaneId(device: DeviceInfo): string {
  return `gpu:${device.index}`;
}

/** Backends, lanes and jobs of one runner. */
export class Runner {
  /** This runner's id, sent in `welcome` and stored in result envs. */
  readonly runnerId: string;
  /** Runner fingerprint merged with every available backend's. */
  readonly env: Env;
  /** What each backend offers (present or not, with the reason), in registration order. */
  readonly backends: readonly BackendInfo[];
  private readonly settings: RunnerSettings;
  private readonly entries: ReadonlyMap<string, Entry>;
  private readonly store: ResultStore;
  private readonly lanes = new Map<string, Lane<Job>>();
  private readonly laneOfJob = new WeakMap<Job, Lane<Job>>();
  private readonly backendOf = new WeakMap<Job, string>();
  private readonly jobs = new Set<Job>();
  private closing = false;

  /** The GPUs this runner serves, one lane each (empty: GPU backends share one lane). */
  readonly devices: readonly DeviceInfo[];

  private constructor(
    settings: RunnerSettings,
    entries: Map<string, Entry>,
    env: Env,
    store: ResultStore,
    devices: readonly DeviceInfo[],
  ) {
    this.settings = settings;
    this.devices = devices;
    this.runnerId = settings.runnerId;
    this.entries = entries;
    this.env = env;
    this.backends = [...entries.values()].map((e) => e.info);
    this.store = store;
  }

  /**
   * Checks that the results folder is writable (throws `resultsDir: …`), removes temp files a
   * killed runner left there, discovers every backend (each bounded by a timeout) and builds
   * the runner.
   */
  static async create(settings: RunnerSettings): Promise<Runner> {
    const ids = settings.backends.map((b) => b.id);
    const dup = ids.find((id, i) => ids.indexOf(id) !== i);
    if (dup !== undefined) throw new Error(`backends: the id "${dup}" is registered twice`);
    const devices = selectDevices(settings.gpus ?? (await discoverGpus()), settings.devices);
    const store = new ResultStore(settings.resultsDir);
    const leftovers = await store.prepare();
    if (leftovers.length > 0) {
      settings.log(
        `removed ${leftovers.length} unfinished temp file(s) a stopped runner left in ${store.dir}: ${leftovers.slice(0, 5).join(', ')}`,
      );
    }
    const found = await Promise.all(settings.backends.map((b) => discoverOne(b, settings)));
    const base = runnerEnv(settings.runnerId);
    const entries = new Map<string, Entry>();
    const available: { id: string; env: Env }[] = [];
    settings.backends.forEach((backend, i) => {
      const f = found[i];
      if (!f) return;
      const onGpus = devices.length > 0 && settings.laneOf(backend.id) === GPU_LANE;
      entries.set(backend.id, {
        backend,
        info: onGpus && f.info.available ? { ...f.info, devices: [...devices] } : f.info,
        env: mergeEnvs(base, [{ id: backend.id, env: f.env }]),
      });
      if (f.info.available) available.push({ id: backend.id, env: f.env });
    });
    return new Runner(settings, entries, mergeEnvs(base, available), store, devices);
  }

  /** The `welcome` message: who this runner is, its environment and backends. */
  welcome(): ServerMessageInput {
    return {
      type: 'welcome',
      runnerId: this.runnerId,
      version: toolInfo().version,
      protocol: PROTOCOL_VERSION,
      env: this.env,
      backends: [...this.backends],
      lanes: this.laneStatus(),
    };
  }

  /** The result folder (absolute). */
  get resultsDir(): string {
    return this.store.dir;
  }

  /**
   * Validates a run against the backends and queues it on its device's lane; `send` reaches
   * the client. Refusals (unknown backend or kernel, unsupported config, full queue) come back
   * without anything launched.
   */
  submit(msg: RunRequest, send: (message: ServerMessageInput) => void): Submitted {
    if (this.closing)
      return { ok: false, code: 'unsupported', message: 'the runner is shutting down' };
    const admitted = admit(this.entries, msg, this.settings.allowUserCode);
    if (!admitted.ok) return admitted;
    const { entry } = admitted;
    const placed = this.place(entry.backend.id, msg.device);
    if (!placed.ok) return placed;
    const { lane, device } = placed;
    const request: JobRequest = {
      id: msg.id,
      config: msg.config,
      kernel: msg.kernel,
      stop: msg.stop,
      cache: msg.cache ?? 'cold',
      seed: msg.seed ?? 1,
      warmup: msg.warmup,
      ...(msg.userKernel ? { userKernel: msg.userKernel } : {}),
      idleTimeoutMs: this.settings.idleTimeoutMs,
      ...(device ? { device } : {}),
    };
    const job = new Job(request, {
      backend: entry.backend,
      env: entry.env,
      store: this.store,
      timeoutMs: this.settings.jobTimeoutMs,
      cancelGraceMs: this.settings.cancelGraceMs,
      flushMs: this.settings.flushMs,
      log: this.settings.log,
      send,
    });
    const queuePosition = lane.push(job);
    if (queuePosition === undefined) {
      return {
        ok: false,
        code: 'queue-full',
        message: `queue: the ${lane.id} lane already has ${this.settings.queueLimit} runs waiting; try again when one ends`,
      };
    }
    this.laneOfJob.set(job, lane);
    this.backendOf.set(job, entry.backend.id);
    this.jobs.add(job);
    void job.finished.then(() => this.jobs.delete(job));
    return { ok: true, job, queuePosition };
  }

  /** True while a job waits in its lane's queue (not running, not about to start). */
  isWaiting(job: Job): boolean {
    return this.laneOfJob.get(job)?.isWaiting(job) ?? false;
  }

  /** Ends a job: a waiting one leaves its queue at once, a running one is cancelled. */
  cancel(job: Job, cause: StopCause): void {
    const lane = this.laneOfJob.get(job);
    if (job.state === 'queued' && lane?.remove(job) === true) void job.endQueued(cause);
    else job.stop(cause);
  }

  /** Cancels every job and waits (bounded by the cancel grace) until their results are written. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const cause: StopCause = { code: 'cancelled', message: 'the runner is shutting down' };
    for (const lane of this.lanes.values()) {
      for (const job of lane.drain()) void job.endQueued(cause);
    }
    for (const job of this.jobs) job.stop(cause);
    await Promise.all([...this.jobs].map((j) => j.finished));
  }

  /**
   * The lane a job goes to. A GPU backend on a host with GPUs gets the named device's lane, or
   * else the least busy GPU lane (an idle one first, lowest index on a tie); one that cannot be
   * pinned (Dawn) the first GPU's lane; other backends their own lane. A device that is not
   * served, or named for a non-GPU backend, is refused.
   */
  private place(
    backendId: string,
    ref: DeviceRef | undefined,
  ):
    | { ok: true; lane: Lane<Job>; device: DeviceInfo | undefined }
    | { ok: false; code: ErrorCode; message: string } {
    const laneId = this.settings.laneOf(backendId);
    if (laneId !== GPU_LANE || this.devices.length === 0) {
      if (ref !== undefined) {
        return {
          ok: false,
          code: 'unknown-device',
          message:
            laneId !== GPU_LANE
              ? `device: the ${backendId} backend does not run on a GPU; leave device out`
              : `device: this runner has no GPUs it can tell apart (nvidia-smi found none); leave device out`,
        };
      }
      return { ok: true, lane: this.lane(laneId), device: undefined };
    }
    const unpinnable = this.entries.get(backendId)?.backend.unpinnable;
    const first = this.devices[0];
    if (unpinnable !== undefined && first !== undefined) {
      // It runs on the adapter Vulkan lists first (GPU 0 on the hosts seen so far); queuing it on
      // that GPU's lane keeps it from overlapping a job there. No device is recorded for it: the
      // result's adapter fields say what ran it.
      if (ref !== undefined && findDevice(this.devices, ref) !== first) {
        return {
          ok: false,
          code: 'unknown-device',
          message: `device: the ${backendId} backend runs only on GPU ${first.index} of this host (${unpinnable}); leave device out or name ${first.index}`,
        };
      }
      return { ok: true, lane: this.lane(gpuLaneId(first)), device: undefined };
    }
    if (ref !== undefined) {
      const device = findDevice(this.devices, ref);
      if (!device) {
        const have = this.devices.map((d) => `${d.index} (${d.uuid})`).join(', ');
        return {
          ok: false,
          code: 'unknown-device',
          message: `device: this runner has no GPU ${JSON.stringify(ref)}; it serves ${have}`,
        };
      }
      return { ok: true, lane: this.lane(gpuLaneId(device)), device };
    }
    let best: { lane: Lane<Job>; device: DeviceInfo; load: number } | undefined;
    for (const device of this.devices) {
      const lane = this.lane(gpuLaneId(device));
      const load = lane.waitingCount + (lane.running === undefined ? 0 : 1);
      if (best === undefined || load < best.load) best = { lane, device, load };
    }
    if (!best) throw new Error('unreachable: no GPU lanes');
    return { ok: true, lane: best.lane, device: best.device };
  }

  /**
   * What each lane runs now and how many wait: every GPU lane, then the lanes of the other
   * available backends (idle ones too, so a client sees every lane). Run ids stay private.
   */
  laneStatus(): LaneStatus[] {
    const status = (id: string, lane: Lane<Job> | undefined, device?: number): LaneStatus => {
      const job = lane?.running;
      return {
        lane: id,
        ...(device !== undefined ? { device } : {}),
        ...(job
          ? { running: { backend: this.backendOf.get(job) ?? '', kernel: job.request.kernel } }
          : {}),
        waiting: lane?.waitingCount ?? 0,
      };
    };
    const gpuIds = new Set(this.devices.map(gpuLaneId));
    // Lanes of the available backends, made or not yet (the shared `gpu` lane only without GPUs).
    const others = new Set(
      this.backends
        .filter((b) => b.available)
        .map((b) => this.settings.laneOf(b.id))
        .filter((id) => id !== GPU_LANE || this.devices.length === 0),
    );
    for (const id of this.lanes.keys()) if (!gpuIds.has(id)) others.add(id);
    return [
      ...this.devices.map((d) => status(gpuLaneId(d), this.lanes.get(gpuLaneId(d)), d.index)),
      ...[...others].map((id) => status(id, this.lanes.get(id))),
    ];
  }

  private lane(id: string): Lane<Job> {
    let lane = this.lanes.get(id);
    if (!lane) {
      lane = new Lane<Job>(
        id,
        this.settings.queueLimit,
        (job) => job.run(),
        (job, position) => {
          job.moved(position);
        },
      );
      this.lanes.set(id, lane);
    }
    return lane;
  }
}
