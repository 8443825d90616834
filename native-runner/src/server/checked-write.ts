/**
 * Atomic file writes that never lie: write to a temp file beside the target, check that every
 * byte went out (a full disk makes `write` return short counts or fail), fsync, check the size,
 * then rename. On any failure the temp file is removed and the error thrown, so the final name
 * holds either the whole file or nothing. (write-file-atomic 6 ignores short writes: on a full
 * disk it renames a truncated file into place and reports success.)
 */
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';

/** The file handle operations the writer needs (injectable, so tests can simulate a full disk). */
export interface WriteHandle {
  /** Writes `length` bytes of `buffer` from `offset` at file position `position`. */
  write(
    buffer: Uint8Array,
    offset: number,
    length: number,
    position: number,
  ): Promise<{ bytesWritten: number }>;
  /** Flushes the file to the disk. */
  sync(): Promise<void>;
  /** Closes the handle. */
  close(): Promise<void>;
}

/** The file system operations the writer needs; defaults to node:fs/promises. */
export interface WriteFs {
  /** Opens a new file for writing (fails if it exists). */
  open(path: string): Promise<WriteHandle>;
  /** Size of a file, bytes. */
  size(path: string): Promise<number>;
  /** Atomically replaces `to` with `from`. */
  rename(from: string, to: string): Promise<void>;
  /** Removes a file. */
  unlink(path: string): Promise<void>;
}

/** The real file system. */
export const nodeWriteFs: WriteFs = {
  open: (path) => fsp.open(path, 'wx', 0o644),
  size: async (path) => (await fsp.stat(path)).size,
  rename: (from, to) => fsp.rename(from, to),
  unlink: (path) => fsp.unlink(path),
};

let tempCounter = 0;

/** Temp name for `path`: `<path>.<pid>.<n>`, so a later start can tell whose leftover it is. */
export function tempPathFor(path: string): string {
  return `${path}.${process.pid}.${++tempCounter}`;
}

/**
 * Writes `data` to `path` atomically and verifiably. Throws (with the path and the cause) when
 * any byte could not be written; then neither `path` nor a temp file is left behind.
 */
export async function writeFileChecked(
  path: string,
  data: string | Uint8Array,
  fs: WriteFs = nodeWriteFs,
): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const temp = tempPathFor(path);
  let handle: WriteHandle | undefined;
  try {
    handle = await fs.open(temp);
    let written = 0;
    while (written < bytes.length) {
      const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, written);
      // A zero-byte write makes no progress: the disk is full (or the fs is lying); stop.
      if (bytesWritten <= 0) {
        throw new Error(`only ${written} of ${bytes.length} bytes could be written (disk full?)`);
      }
      written += bytesWritten;
    }
    await handle.sync();
    const h = handle;
    handle = undefined;
    await h.close();
    const size = await fs.size(temp);
    if (size !== bytes.length) {
      throw new Error(`the file has ${size} bytes on disk, ${bytes.length} were written`);
    }
    await fs.rename(temp, path);
  } catch (err) {
    if (handle) await handle.close().catch(() => undefined);
    await fs.unlink(temp).catch(() => undefined);
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(`cannot write ${path}: ${why}`, { cause: err });
  }
}

/** True when process `pid` is alive (signal 0 probes without sending anything). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Temp files older than this with no pid in their name are taken as leftovers. */
const FOREIGN_TEMP_AGE_MS = 60_000;

/**
 * Removes leftover temp files of result writes (`*.json.<pid>.<n>` of a dead process, and
 * write-file-atomic's `*.json.<hash>` older than a minute) that a killed runner left in `dir`.
 * Returns the names removed.
 */
export async function cleanTempFiles(dir: string, now = Date.now()): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await fsp.readdir(dir)) {
    const m = /\.json\.(?:(\d+)\.\d+|[0-9a-f]{6,})$/.exec(name);
    if (!m) continue;
    const path = join(dir, name);
    const pid = m[1] !== undefined ? Number(m[1]) : undefined;
    if (pid !== undefined) {
      if (pid !== process.pid && alive(pid)) continue;
    } else {
      const age = now - (await fsp.stat(path)).mtimeMs;
      if (age < FOREIGN_TEMP_AGE_MS) continue;
    }
    await fsp.unlink(path).catch(() => undefined);
    removed.push(name);
  }
  return removed;
}

/**
 * Makes sure `dir` is a folder this process can write: creates it when missing, then writes and
 * removes a probe file (permission bits are not enough: root ignores them, a full or read-only
 * disk does not). Throws `resultsDir: … is not a writable folder: …`.
 */
export async function ensureWritableDir(dir: string, fs: WriteFs = nodeWriteFs): Promise<void> {
  try {
    await fsp.mkdir(dir, { recursive: true });
    const st = await fsp.stat(dir);
    if (!st.isDirectory()) throw new Error('it is not a folder');
    const probe = join(dir, `.attnlab-write-check-${process.pid}`);
    await writeFileChecked(probe, 'attnlab write check\n', fs);
    await fs.unlink(probe);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new Error(
      `resultsDir: ${dir} is not a writable folder: ${why.replace(/^cannot write [^:]*: /, '')}`,
      { cause: err },
    );
  }
}
