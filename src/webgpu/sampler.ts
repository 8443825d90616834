/**
 * The GPU side of timing: timestamp queries per compute pass, resolved in bulk (one map per
 * batch, no CPU round trip per sample); a CPU-clock fallback around k-launch batches with
 * onSubmittedWorkDone; and untimed submissions for warmup.
 */
import type { Launcher } from './buffers.ts';

/** Most samples one timestamp batch holds (two queries each). */
export const MAX_BATCH_SAMPLES = 256;

/** Times samples of k launches with `timestampWrites` on one compute pass per sample. */
export class TimestampTimer {
  private readonly querySet: GPUQuerySet;
  private readonly resolveBuffer: GPUBuffer;
  private readonly readBuffer: GPUBuffer;

  constructor(private readonly device: GPUDevice) {
    const bytes = MAX_BATCH_SAMPLES * 2 * 8;
    this.querySet = device.createQuerySet({
      label: 'timestamps',
      type: 'timestamp',
      count: 2 * MAX_BATCH_SAMPLES,
    });
    this.resolveBuffer = device.createBuffer({
      label: 'timestamps resolve',
      size: bytes,
      usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC,
    });
    this.readBuffer = device.createBuffer({
      label: 'timestamps read',
      size: bytes,
      usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST,
    });
  }

  /** Runs `samples` passes of `k` launches; returns raw ticks [begin0, end0, begin1, …] in ns. */
  async time(launcher: Launcher, samples: number, k: number): Promise<bigint[]> {
    const n = Math.min(samples, MAX_BATCH_SAMPLES);
    const encoder = this.device.createCommandEncoder({ label: 'timed batch' });
    for (let i = 0; i < n; i++) {
      const pass = encoder.beginComputePass({
        label: `sample ${i}`,
        timestampWrites: {
          querySet: this.querySet,
          beginningOfPassWriteIndex: 2 * i,
          endOfPassWriteIndex: 2 * i + 1,
        },
      });
      launcher.encode(pass, k);
      pass.end();
    }
    const bytes = n * 2 * 8;
    encoder.resolveQuerySet(this.querySet, 0, 2 * n, this.resolveBuffer, 0);
    encoder.copyBufferToBuffer(this.resolveBuffer, 0, this.readBuffer, 0, bytes);
    this.device.queue.submit([encoder.finish()]);
    await this.readBuffer.mapAsync(GPUMapMode.READ, 0, bytes);
    const ticks = new BigUint64Array(this.readBuffer.getMappedRange(0, bytes).slice(0));
    this.readBuffer.unmap();
    return Array.from(ticks);
  }

  /** Frees the query set and buffers. */
  destroy(): void {
    this.querySet.destroy();
    this.resolveBuffer.destroy();
    this.readBuffer.destroy();
  }
}

/** Submits `launches` launches in passes of at most `chunk` and waits until the GPU is done. */
export async function runUntimed(
  device: GPUDevice,
  launcher: Launcher,
  launches: number,
  chunk = 64,
): Promise<void> {
  const encoder = device.createCommandEncoder({ label: 'untimed' });
  for (let done = 0; done < launches; done += chunk) {
    const pass = encoder.beginComputePass({ label: 'untimed' });
    launcher.encode(pass, Math.min(chunk, launches - done));
    pass.end();
  }
  device.queue.submit([encoder.finish()]);
  await device.queue.onSubmittedWorkDone();
}

/** CPU-clock time in ms of `k` launches: submit, then wait for onSubmittedWorkDone. */
export async function timeWithCpuClock(
  device: GPUDevice,
  launcher: Launcher,
  k: number,
  now: () => number,
): Promise<number> {
  const encoder = device.createCommandEncoder({ label: 'cpu-timed' });
  const pass = encoder.beginComputePass({ label: 'cpu-timed' });
  launcher.encode(pass, k);
  pass.end();
  const commands = encoder.finish();
  const start = now();
  device.queue.submit([commands]);
  await device.queue.onSubmittedWorkDone();
  return now() - start;
}

/** The clock's resolution in ms: the smallest step seen while reading it in a tight loop. */
export function clockResolutionMs(now: () => number, readings = 50, maxMs = 50): number {
  const start = now();
  let last = start;
  let min = Number.POSITIVE_INFINITY;
  let steps = 0;
  while (steps < readings) {
    const t = now();
    if (t !== last) {
      min = Math.min(min, t - last);
      last = t;
      steps += 1;
    }
    if (t - start > maxMs) break;
  }
  return Number.isFinite(min) ? min : maxMs;
}
