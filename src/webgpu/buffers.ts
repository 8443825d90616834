/**
 * The buffers of one run — parameters, rotated input sets, output, score scratch, readback —
 * and the launcher that encodes k launches into a compute pass, rotating input sets.
 */
import { kvHeadsOf, kvSeqLenOf, resolvedScale } from '../model/index.ts';
import type { AttentionConfig } from '../model/index.ts';
import { fromHalfArray } from '../reference/half.ts';
import type { MemoryPlan } from './memory.ts';
import type { CompiledKernel } from './pipeline.ts';
import { foldWorkgroups, workgroupCounts } from './tiles.ts';
import { withErrorScopes } from './device.ts';

/** Encodes launches of one kernel into a compute pass (what the timers time). */
export interface Launcher {
  /** Encodes `launches` full forward passes, each on the next input set. */
  encode(pass: GPUComputePassEncoder, launches: number): void;
}

/** Tensor data as uploaded: f32, or f16 bits. */
export type UploadTensor = Float32Array | Uint16Array;

const PARAMS_BYTES = 32;

/** The bytes of a tensor as an ArrayBuffer-backed view (copied only if it lives in shared memory). */
function bytesOf(t: UploadTensor): Uint8Array<ArrayBuffer> {
  const buffer = t.buffer;
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer, t.byteOffset, t.byteLength);
  return new Uint8Array(new Uint8Array(buffer, t.byteOffset, t.byteLength));
}

/**
 * Packs the uniform `Params` struct shared by every kernel: seq_len, bh (B·H), causal,
 * kv_seq_len, scale, scale_log2e, group (H/Hkv, query heads per K/V head), padding.
 */
export function packParams(config: AttentionConfig): ArrayBuffer {
  const bytes = new ArrayBuffer(PARAMS_BYTES);
  const u = new Uint32Array(bytes);
  const f = new Float32Array(bytes);
  u[0] = config.seqLen;
  u[1] = config.batch * config.heads;
  u[2] = config.causal ? 1 : 0;
  u[3] = kvSeqLenOf(config);
  f[4] = resolvedScale(config);
  f[5] = resolvedScale(config) * Math.LOG2E;
  u[6] = config.heads / kvHeadsOf(config);
  return bytes;
}

/** The device buffers of a run. */
export class RunBuffers implements Launcher {
  private readonly buffers: GPUBuffer[] = [];
  private readonly bindGroups: GPUBindGroup[];
  private readonly grids: [number, number][];
  private readonly output: GPUBuffer;
  private readonly readback: GPUBuffer;
  private readonly inputs: { q: GPUBuffer; k: GPUBuffer; v: GPUBuffer }[];
  private next = 0;

  private constructor(
    private readonly device: GPUDevice,
    private readonly kernel: CompiledKernel,
    private readonly config: AttentionConfig,
    private readonly memory: MemoryPlan,
  ) {
    const make = (label: string, size: number, usage: number): GPUBuffer => {
      const buffer = device.createBuffer({ label, size: Math.max(size, 16), usage });
      this.buffers.push(buffer);
      return buffer;
    };
    const storage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC;
    const params = make('params', PARAMS_BYTES, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST);
    device.queue.writeBuffer(params, 0, packParams(config));
    this.inputs = Array.from({ length: memory.inputSets }, (_, i) => ({
      q: make(`q${i}`, memory.tensorBytes, storage),
      k: make(`k${i}`, memory.kvTensorBytes, storage),
      v: make(`v${i}`, memory.kvTensorBytes, storage),
    }));
    this.output = make('o', memory.tensorBytes, storage);
    const scratch =
      memory.scratchBytes > 0 ? make('scratch', memory.scratchBytes, GPUBufferUsage.STORAGE) : null;
    this.readback = make(
      'readback',
      memory.tensorBytes,
      GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    );
    this.bindGroups = this.inputs.map((set, i) => {
      const entries: GPUBindGroupEntry[] = [
        { binding: 0, resource: { buffer: params } },
        { binding: 1, resource: { buffer: set.q } },
        { binding: 2, resource: { buffer: set.k } },
        { binding: 3, resource: { buffer: set.v } },
        { binding: 4, resource: { buffer: this.output } },
      ];
      if (scratch) entries.push({ binding: 5, resource: { buffer: scratch } });
      return device.createBindGroup({ label: `set ${i}`, layout: kernel.layout, entries });
    });
    const maxPerDim = device.limits.maxComputeWorkgroupsPerDimension;
    this.grids = workgroupCounts(kernel.plan, config).map((n) => foldWorkgroups(n, maxPerDim));
  }

  /** Allocates every buffer (inside error scopes: out-of-memory becomes a clear refusal). */
  static async create(
    device: GPUDevice,
    kernel: CompiledKernel,
    config: AttentionConfig,
    memory: MemoryPlan,
  ): Promise<RunBuffers> {
    let made: RunBuffers | undefined;
    try {
      return await withErrorScopes(device, 'allocating buffers', () => {
        made = new RunBuffers(device, kernel, config, memory);
        return made;
      });
    } catch (err) {
      made?.destroy();
      throw err;
    }
  }

  /** Uploads Q, K, V into input set 0 and copies it to the other sets. */
  upload(q: UploadTensor, k: UploadTensor, v: UploadTensor): void {
    const first = this.inputs[0];
    if (!first) return;
    this.device.queue.writeBuffer(first.q, 0, bytesOf(q));
    this.device.queue.writeBuffer(first.k, 0, bytesOf(k));
    this.device.queue.writeBuffer(first.v, 0, bytesOf(v));
    if (this.inputs.length > 1) {
      const encoder = this.device.createCommandEncoder({ label: 'replicate inputs' });
      for (const set of this.inputs.slice(1)) {
        encoder.copyBufferToBuffer(first.q, 0, set.q, 0, this.memory.tensorBytes);
        encoder.copyBufferToBuffer(first.k, 0, set.k, 0, this.memory.kvTensorBytes);
        encoder.copyBufferToBuffer(first.v, 0, set.v, 0, this.memory.kvTensorBytes);
      }
      this.device.queue.submit([encoder.finish()]);
    }
  }

  /** Fills the output with NaN so a kernel that skips elements cannot pass the check. */
  poisonOutput(): void {
    const bytes = new Uint8Array(this.memory.tensorBytes);
    if (this.config.dtype === 'f32') new Float32Array(bytes.buffer).fill(Number.NaN);
    else new Uint16Array(bytes.buffer).fill(0x7e00); // f16 quiet NaN
    this.device.queue.writeBuffer(this.output, 0, bytes);
  }

  /** Encodes `launches` launches, each on the next input set in turn. */
  encode(pass: GPUComputePassEncoder, launches: number): void {
    const pipelines = this.kernel.pipelines;
    for (let i = 0; i < launches; i++) {
      const group = this.bindGroups[this.next % this.bindGroups.length];
      this.next += 1;
      if (!group) continue;
      pass.setBindGroup(0, group);
      pipelines.forEach((pipeline, e) => {
        const [x, y] = this.grids[e] ?? [0, 0];
        pass.setPipeline(pipeline);
        pass.dispatchWorkgroups(x, y);
      });
    }
  }

  /** Runs one launch on input set 0 (for the correctness check). */
  launchOnce(): void {
    this.next = 0;
    const encoder = this.device.createCommandEncoder({ label: 'check launch' });
    const pass = encoder.beginComputePass({ label: 'check' });
    this.encode(pass, 1);
    pass.end();
    this.device.queue.submit([encoder.finish()]);
  }

  /** Copies the output back to the CPU as f32 (f16 outputs are widened exactly). */
  async readOutput(): Promise<Float32Array> {
    const encoder = this.device.createCommandEncoder({ label: 'readback' });
    encoder.copyBufferToBuffer(this.output, 0, this.readback, 0, this.memory.tensorBytes);
    this.device.queue.submit([encoder.finish()]);
    await this.readback.mapAsync(GPUMapMode.READ, 0, this.memory.tensorBytes);
    const bytes = this.readback.getMappedRange(0, this.memory.tensorBytes).slice(0);
    this.readback.unmap();
    return this.config.dtype === 'f32'
      ? new Float32Array(bytes)
      : fromHalfArray(new Uint16Array(bytes));
  }

  /** Frees every buffer. */
  destroy(): void {
    for (const buffer of this.buffers) buffer.destroy();
    this.buffers.length = 0;
  }
}
