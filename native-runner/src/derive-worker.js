// Worker thread of derive-offthread.ts: computes a result's derived figures (bootstrap CI of the
// median, throughput) away from the runner's event loop. Plain JS so it starts without a loader;
// it registers tsx itself to import the TypeScript statistics.
import { parentPort, workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
const { deriveFigures } = await import('../../src/model/derive.ts');
const { config, ms, seed } = workerData;
parentPort.postMessage(deriveFigures(config, Array.from(ms), { seed }));
