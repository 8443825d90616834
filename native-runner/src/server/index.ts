/**
 * The native runner's WebSocket server: `startServer` and what its callers need.
 *
 * Protocol choices of this runner: a run ends with exactly one message — `runDone` when it
 * completed, otherwise `error` with the run's id, a code (`cancelled` for a client's cancel or a
 * shutdown, `client-gone`, `timeout`, `harness-crash`, `correctness-failed`, …) and the result
 * file, its samples marked partial. Every finished run, whatever its end, is saved as
 * `<createdAt>-<backend>-<kernel>-<run id>.json` in the results folder.
 */
export { startServer } from './server.ts';
export type { RunningServer } from './server.ts';
export type { ServerOptions } from './options.ts';
export { checkToken, defaultLaneOf } from './options.ts';
export { generateToken, isLoopbackHost } from './auth.ts';
export { resultFileName } from './results.ts';
