/**
 * A Node harness dies with the runner that started it: when the runner is killed (even with
 * kill -9) nothing else would stop the harness, which would keep the GPU busy as an orphan.
 * Node 20's `process.ppid` is read once at start, so the watch reads the live parent pid from
 * /proc on Linux (re-parenting shows at once), elsewhere probes the parent's pid.
 */
import { readFileSync } from 'node:fs';

/** This process's parent pid now (Linux: /proc/self/stat); undefined where unknown. */
function currentParent(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** True while process `pid` exists (signal 0 sends nothing; EPERM: alive, someone else's). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Exits this process (code 1) within `pollMs` of its parent's death. */
export function exitWithParent(pollMs = 500, parent: number = process.ppid): void {
  const timer = setInterval(() => {
    const now = currentParent();
    if (now !== undefined ? now !== parent : !alive(parent)) process.exit(1);
  }, pollMs);
  // The watch alone must not keep the harness running.
  timer.unref();
}
