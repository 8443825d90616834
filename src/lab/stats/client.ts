/** The lab's handle on the stats worker (`src/worker/stats.worker.ts`) through comlink. */
import { wrap, type Remote } from 'comlink';
import type { StatsApi } from '../../worker/stats.worker.ts';

/** Remote stats API: every call is a message to the worker. */
export type StatsClient = Remote<StatsApi>;

/** Starts the stats worker and returns its API. */
export function createStatsClient(): StatsClient {
  const worker = new Worker(new URL('../../worker/stats.worker.ts', import.meta.url), {
    type: 'module',
    name: 'attnlab-stats',
  });
  return wrap<StatsApi>(worker);
}
