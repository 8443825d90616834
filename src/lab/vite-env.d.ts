/** Variables `npm start` (scripts/start.ts) passes to the lab through Vite. */
interface ImportMetaEnv {
  /** ws:// URL of the local runner `npm start` launched. */
  readonly VITE_ATTNLAB_RUNNER_URL?: string;
  /** Its token. */
  readonly VITE_ATTNLAB_RUNNER_TOKEN?: string;
}
