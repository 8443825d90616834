/**
 * First run: the targets the Run tab preselects so that one click on Run gives a result — the
 * best available kernel of this browser and, with a runner connected, its best native kernel as
 * the second target (the comparison a newcomer came for).
 */
import { BROWSER_ORIGIN } from './targets.ts';

/** What ranking needs of a catalog option. */
export interface RankedOption {
  /** Target key. */
  key: string;
  /** Origin, backend and kernel. */
  ref: { origin: string; backend: string; kernel: string };
  /** Null when it can run the current config. */
  unavailable: string | null;
}

/** What ranking needs of a catalog group. */
export interface RankedGroup {
  /** `browser` or a runner URL. */
  key: string;
  /** Non-null while the engine is not ready (starting, unreachable): nothing is picked from it. */
  problem: string | null;
  /** Its options, in the engine's order. */
  options: readonly RankedOption[];
}

/**
 * Native backends, best first. Dawn is WebGPU in Node (not native); the CPU comes last because
 * a GPU kernel is what a person comparing against the browser means.
 */
const NATIVE_BACKENDS = ['cuda', 'sdpa', 'cpu'] as const;

/**
 * A kernel's rank within its backend, higher is better. Engines list kernels from the simplest
 * to the most tuned, so the last listed wins; an `auto` kernel (it dispatches to the best one
 * for the device) beats all, a decode specialist (split-KV, listed last but fast only for a few
 * query rows) loses to the general kernels, and a naive/reference kernel loses to any other.
 */
function kernelRank(kernel: string, index: number): number {
  if (/(^|-)auto(-|$)/.test(kernel)) return 1e6;
  if (/naive|math|reference/.test(kernel)) return index - 1e3;
  if (/(^|-)decode(-|$)/.test(kernel)) return index - 5e2;
  return index;
}

/** The best option of a list (by kernelRank), or undefined when none can run. */
function best(options: readonly RankedOption[]): RankedOption | undefined {
  let chosen: RankedOption | undefined;
  let chosenRank = Number.NEGATIVE_INFINITY;
  options.forEach((o, i) => {
    if (o.unavailable !== null) return;
    const rank = kernelRank(o.ref.kernel, i);
    if (rank > chosenRank) {
      chosen = o;
      chosenRank = rank;
    }
  });
  return chosen;
}

/**
 * The keys to preselect, browser first: this browser's best WebGPU kernel, then the best native
 * kernel of the first ready runner that has one. Groups still starting contribute nothing yet.
 */
export function preselectTargets(groups: readonly RankedGroup[]): string[] {
  const keys: string[] = [];
  const browser = groups.find((g) => g.key === BROWSER_ORIGIN && g.problem === null);
  const mine = browser ? best(browser.options) : undefined;
  if (mine) keys.push(mine.key);
  for (const group of groups) {
    if (group.key === BROWSER_ORIGIN || group.problem !== null) continue;
    for (const backend of NATIVE_BACKENDS) {
      const native = best(group.options.filter((o) => o.ref.backend === backend));
      if (native) {
        keys.push(native.key);
        return keys;
      }
    }
  }
  return keys;
}
