/**
 * The result store: every finished run (completed, failed or cancelled) is written to the
 * results folder atomically and verifiably (temp file, length checked, fsync, rename), named
 * `<createdAt>-<backend>-<kernel>-<id>.json`.
 */
import { access, mkdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { ResultFile } from '../../../src/model/index.ts';
import {
  cleanTempFiles,
  ensureWritableDir,
  nodeWriteFs,
  writeFileChecked,
} from './checked-write.ts';
import type { WriteFs } from './checked-write.ts';

/** Longest piece of a file name taken from one field. */
const MAX_PART = 80;

/** Makes a string safe as part of a file name: [A-Za-z0-9._-] only, bounded length, no dot-runs. */
export function sanitizeNamePart(text: string): string {
  const safe = text
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/\.{2,}/g, '_')
    .replace(/^[.-]+/, '_')
    .slice(0, MAX_PART);
  return safe === '' ? '_' : safe;
}

/**
 * The file name of a result: `<createdAt>-<backend>-<kernel>-<id>.json`, sanitised, where `id` is
 * the client's run id (default: the result's own id).
 */
export function resultFileName(result: ResultFile, runId: string = result.id): string {
  // Colons are not allowed in Windows file names; keep the timestamp sortable without them.
  const created = result.createdAt.replace(/:/g, '-');
  const parts = [created, result.target.backend, result.target.kernel, runId];
  return parts.map(sanitizeNamePart).join('-') + '.json';
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Writes result files into one folder, never overwriting an existing file. */
export class ResultStore {
  /** Absolute path of the results folder. */
  readonly dir: string;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly fs: WriteFs;

  constructor(dir: string, fs: WriteFs = nodeWriteFs) {
    this.dir = resolve(dir);
    this.fs = fs;
  }

  /**
   * Checks at start that the folder is writable (throws `resultsDir: …`) and removes temp files
   * a killed runner left there; returns their names.
   */
  async prepare(): Promise<string[]> {
    await ensureWritableDir(this.dir, this.fs);
    return cleanTempFiles(this.dir);
  }

  /**
   * Writes a result and returns its path. Writes are serialised so two runs that would get the
   * same name (same id from two clients in the same millisecond) get `-2`, `-3`, … suffixes.
   * Rejects when the file could not be written whole; then no file is left under its name.
   */
  write(result: ResultFile, runId: string = result.id): Promise<string> {
    const next = this.chain.then(() => this.writeNow(result, runId));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async writeNow(result: ResultFile, runId: string): Promise<string> {
    await mkdir(this.dir, { recursive: true });
    const name = resultFileName(result, runId);
    const stem = name.slice(0, -'.json'.length);
    let path = join(this.dir, name);
    for (let n = 2; await exists(path); n++) path = join(this.dir, `${stem}-${n}.json`);
    await writeFileChecked(path, JSON.stringify(result, null, 2) + '\n', this.fs);
    return path;
  }
}
