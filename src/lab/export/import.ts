/**
 * Reading result files the person drops on the lab: one `attnlab/result@1` object, or an array
 * of them (what the lab exports for a comparison). Every object goes through `readResult`, so a
 * bad file is refused with its name and the offending fields.
 */
import { ValidationError, readResult } from '../../model/index.ts';
import type { ResultFile } from '../../model/index.ts';

/** Largest file the lab reads, bytes of text. */
export const MAX_IMPORT_CHARS = 64 * 1024 * 1024;

/** Outcome of reading one file. */
export type ImportFileOutcome = { ok: true; results: ResultFile[] } | { ok: false; error: string };

/** Parses one file's text; never throws. */
export function parseImportFile(text: string, name: string): ImportFileOutcome {
  if (text.length > MAX_IMPORT_CHARS) {
    return {
      ok: false,
      error: `${name}: file is larger than ${MAX_IMPORT_CHARS / 1024 / 1024} MiB`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return {
      ok: false,
      error: `${name}: not valid JSON (${err instanceof Error ? err.message : String(err)})`,
    };
  }
  const items: unknown[] = Array.isArray(json) ? json : [json];
  if (items.length === 0) return { ok: false, error: `${name}: the array holds no result files` };
  const results: ResultFile[] = [];
  for (const [i, item] of items.entries()) {
    const source = Array.isArray(json) ? `${name}[${i}]` : name;
    try {
      results.push(readResult(item, source));
    } catch (err) {
      if (err instanceof ValidationError) return { ok: false, error: err.message };
      throw err;
    }
  }
  return { ok: true, results };
}
