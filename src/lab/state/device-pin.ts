/**
 * Keeps an interleaved A/B comparison on one GPU: the runner picks a free GPU for the first run
 * on it, and every later run on that runner names the same GPU (so concurrent sweeps cannot
 * split A and B across cards, which would compare the cards instead of the kernels).
 */
import type { ResultFile } from '../../model/index.ts';
import type { TargetRef } from '../lib/targets.ts';

/** The GPU each runner's runs are pinned to, learned from the first result there. */
export class DevicePin {
  readonly #byOrigin = new Map<string, number>();

  /**
   * The GPU index to pin a run of `target` to: undefined until a run on its runner recorded
   * its GPU, or when the target's backend does not list that GPU (`devices`, e.g. the cpu).
   */
  deviceFor(target: TargetRef, devices: readonly number[]): number | undefined {
    const index = this.#byOrigin.get(target.origin);
    return index !== undefined && devices.includes(index) ? index : undefined;
  }

  /** Learns the GPU a result ran on (its env records the index for pinned runner lanes). */
  saw(target: TargetRef, result: ResultFile): void {
    const index = result.env.gpu?.index;
    if (index !== undefined && !this.#byOrigin.has(target.origin)) {
      this.#byOrigin.set(target.origin, index);
    }
  }
}
