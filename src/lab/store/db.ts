/**
 * The lab's history in IndexedDB (via `idb`): result files by id, sweeps that group them, and
 * the person's own WGSL kernels by name. Reload keeps everything; every write is a single
 * transaction, so an import either lands whole or not at all.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { NumericAxis, ResultFile } from '../../model/index.ts';

/** Which result a sweep got for one target at one size. */
export interface SweepCellRecord {
  /** The varied size (value of the sweep's numeric axis). */
  size: number;
  /** Target key. */
  target: string;
  /** Value of the split axis as a label (`causal`, `dtype=f16`); absent without a split. */
  variant?: string;
  /** Result id in the history. */
  resultId: string;
}

/** A sweep: which results belong to one run over sizes. */
export interface SweepRecord {
  /** Sweep id. */
  id: string;
  /** ISO time the sweep started. */
  createdAt: string;
  /** What was varied (the chart's x axis). */
  vary: NumericAxis;
  /** A second, categorical axis (causal or dtype): each value is its own series. */
  split?: { axis: 'causal' | 'dtype'; values: string[] };
  /** The sizes, in order. */
  sizes: number[];
  /** Target keys, baseline first. */
  targets: string[];
  /** One cell per (size, target) that produced a result file. */
  cells: SweepCellRecord[];
}

/** A user kernel saved in the browser (the Kernel view), keyed by its name. */
export interface SavedKernel {
  /** Name: letters, digits, ".", "_" or "-" (it becomes the kernel id in results). */
  name: string;
  /** The WGSL text. */
  source: string;
  /** ISO time of the last save. */
  updatedAt: string;
}

interface LabDB extends DBSchema {
  results: { key: string; value: ResultFile; indexes: { createdAt: string } };
  sweeps: { key: string; value: SweepRecord };
  kernels: { key: string; value: SavedKernel };
}

const DB_NAME = 'attnlab';
/** 1: results, sweeps. 2: kernels (results and sweeps are kept as they are). */
const DB_VERSION = 2;

/** Persistent history. */
export class HistoryStore {
  readonly #db: Promise<IDBPDatabase<LabDB>>;

  constructor(name: string = DB_NAME) {
    this.#db = openDB<LabDB>(name, DB_VERSION, {
      upgrade(db, oldVersion) {
        if (oldVersion < 1) {
          const results = db.createObjectStore('results', { keyPath: 'id' });
          results.createIndex('createdAt', 'createdAt');
          db.createObjectStore('sweeps', { keyPath: 'id' });
        }
        if (oldVersion < 2) db.createObjectStore('kernels', { keyPath: 'name' });
      },
    });
  }

  /** Every result, oldest first. */
  async allResults(): Promise<ResultFile[]> {
    return (await this.#db).getAllFromIndex('results', 'createdAt');
  }

  /** Every sweep. */
  async allSweeps(): Promise<SweepRecord[]> {
    return (await this.#db).getAll('sweeps');
  }

  /** Stores results (replacing any with the same id) in one transaction. */
  async putResults(results: readonly ResultFile[]): Promise<void> {
    const tx = (await this.#db).transaction('results', 'readwrite');
    await Promise.all([...results.map((r) => tx.store.put(r)), tx.done]);
  }

  /** Stores a sweep record. */
  async putSweep(sweep: SweepRecord): Promise<void> {
    await (await this.#db).put('sweeps', sweep);
  }

  /** Deletes results by id. */
  async deleteResults(ids: readonly string[]): Promise<void> {
    const tx = (await this.#db).transaction('results', 'readwrite');
    await Promise.all([...ids.map((id) => tx.store.delete(id)), tx.done]);
  }

  /** Every saved kernel, by name. */
  async allKernels(): Promise<SavedKernel[]> {
    return (await this.#db).getAll('kernels');
  }

  /** Saves a kernel (replacing one of the same name). */
  async putKernel(kernel: SavedKernel): Promise<void> {
    await (await this.#db).put('kernels', kernel);
  }

  /** Renames a kernel in one transaction; refuses when `to` is taken or `from` is gone. */
  async renameKernel(from: string, to: string): Promise<void> {
    const tx = (await this.#db).transaction('kernels', 'readwrite');
    const [old, taken] = await Promise.all([tx.store.get(from), tx.store.get(to)]);
    if (!old || taken) {
      // An aborted transaction rejects `done`; that rejection is the refusal below.
      tx.done.catch(() => undefined);
      tx.abort();
      throw new Error(
        !old ? `no kernel named "${from}" is saved` : `a kernel named "${to}" is already saved`,
      );
    }
    await Promise.all([
      tx.store.delete(from),
      tx.store.put({ ...old, name: to, updatedAt: new Date().toISOString() }),
      tx.done,
    ]);
  }

  /** Deletes a saved kernel. */
  async deleteKernel(name: string): Promise<void> {
    await (await this.#db).delete('kernels', name);
  }

  /** Deletes every result and sweep (saved kernels stay). */
  async clear(): Promise<void> {
    const tx = (await this.#db).transaction(['results', 'sweeps'], 'readwrite');
    await Promise.all([
      tx.objectStore('results').clear(),
      tx.objectStore('sweeps').clear(),
      tx.done,
    ]);
  }
}
