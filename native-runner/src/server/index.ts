/** The native runner's WebSocket server: `startServer` and what its callers need. */
export { startServer } from './server.ts';
export type { RunningServer } from './server.ts';
export type { ServerOptions } from './options.ts';
export { checkToken, defaultLaneOf } from './options.ts';
export { generateToken, isLoopbackHost } from './auth.ts';
export { resultFileName } from './results.ts';
