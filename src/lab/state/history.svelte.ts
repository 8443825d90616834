/**
 * The results history: every result file the lab made or imported, persisted in IndexedDB,
 * plus the Results table's selection. Imports are validated whole before anything is written.
 */
import type { ResultFile } from '../../model/index.ts';
import type { HistoryStore, SweepRecord } from '../store/db.ts';
import { parseImportFile } from '../export/import.ts';

/** A file the person dropped or picked. */
export interface ImportSource {
  /** File name, for messages. */
  name: string;
  /** Its text. */
  text: string;
}

/** Outcome of an import. */
export type ImportOutcome =
  { ok: true; added: number; skipped: number } | { ok: false; errors: string[] };

/** The history. */
export class History {
  /** Results, newest first. */
  results: ResultFile[] = $state.raw([]);
  /** Sweeps, newest first. */
  sweeps: SweepRecord[] = $state.raw([]);
  /** Selected result ids (the Results table's checkboxes), in selection order. */
  selected: string[] = $state([]);
  /** False until the first load from IndexedDB finished. */
  loaded = $state(false);
  /** Storage problem (e.g. IndexedDB unavailable in a private window). */
  storageError: string | null = $state(null);
  /** The two selected results, when exactly two are selected (baseline first). */
  readonly selectedPair: [ResultFile, ResultFile] | null = $derived(this.#pair());

  readonly #store: HistoryStore;

  constructor(store: HistoryStore) {
    this.#store = store;
  }

  /** Loads everything from IndexedDB. */
  async load(): Promise<void> {
    try {
      const [results, sweeps] = await Promise.all([
        this.#store.allResults(),
        this.#store.allSweeps(),
      ]);
      this.results = results.reverse();
      this.sweeps = sweeps.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    } catch (err) {
      this.storageError = `History could not be loaded from IndexedDB: ${message(err)}`;
    } finally {
      this.loaded = true;
    }
  }

  /** A result by id. */
  get(id: string): ResultFile | undefined {
    return this.results.find((r) => r.id === id);
  }

  /** Adds (or replaces) results and persists them. */
  async add(results: readonly ResultFile[]): Promise<void> {
    const ids = results.map((r) => r.id);
    this.results = [...[...results].reverse(), ...this.results.filter((r) => !ids.includes(r.id))];
    try {
      await this.#store.putResults(results);
    } catch (err) {
      this.storageError = `Could not save to IndexedDB (the result is kept until reload): ${message(err)}`;
    }
  }

  /** Records a sweep. */
  async addSweep(sweep: SweepRecord): Promise<void> {
    this.sweeps = [sweep, ...this.sweeps.filter((s) => s.id !== sweep.id)];
    try {
      await this.#store.putSweep(sweep);
    } catch (err) {
      this.storageError = `Could not save the sweep to IndexedDB: ${message(err)}`;
    }
  }

  /**
   * Imports files: every file is validated first; if any is invalid nothing is added and the
   * errors name each file and field. Results already present (same id) are skipped.
   */
  async importFiles(files: readonly ImportSource[]): Promise<ImportOutcome> {
    const errors: string[] = [];
    const parsed: ResultFile[] = [];
    for (const file of files) {
      const outcome = parseImportFile(file.text, file.name);
      if (outcome.ok) parsed.push(...outcome.results);
      else errors.push(outcome.error);
    }
    if (errors.length > 0) return { ok: false, errors };
    const known = this.results.map((r) => r.id);
    const fresh = parsed.filter(
      (r, i) => !known.includes(r.id) && parsed.findIndex((p) => p.id === r.id) === i,
    );
    await this.add(fresh);
    return { ok: true, added: fresh.length, skipped: parsed.length - fresh.length };
  }

  /** Deletes results (and drops them from the selection). */
  async remove(ids: readonly string[]): Promise<void> {
    this.results = this.results.filter((r) => !ids.includes(r.id));
    this.selected = this.selected.filter((id) => !ids.includes(id));
    await this.#store.deleteResults(ids);
  }

  /** Deletes everything. */
  async clear(): Promise<void> {
    this.results = [];
    this.sweeps = [];
    this.selected = [];
    await this.#store.clear();
  }

  /** Selects or deselects a result. */
  toggle(id: string, on: boolean): void {
    const has = this.selected.includes(id);
    if (on && !has) this.selected = [...this.selected, id];
    if (!on && has) this.selected = this.selected.filter((s) => s !== id);
  }

  #pair(): [ResultFile, ResultFile] | null {
    if (this.selected.length !== 2) return null;
    const [a, b] = this.selected.map((id) => this.results.find((r) => r.id === id));
    return a && b ? [a, b] : null;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
