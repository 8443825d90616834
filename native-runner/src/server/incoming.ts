/**
 * Cheap checks on incoming frames before the JSON parser sees them. `JSON.parse` of a 1 MiB
 * frame of nested brackets takes ~0.5 s, so a hostile client could stall the event loop with a
 * few of them; a byte scan that stops at the first level too deep costs microseconds.
 */
import type { RawData } from 'ws';

/** Deepest nesting accepted; protocol messages nest at most 4 levels (run → config). */
export const MAX_NESTING = 16;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x5b, 0x7b]); // [ {
const CLOSE = new Set([0x5d, 0x7d]); // ] }

/** True when the text nests arrays/objects deeper than `limit` (brackets in strings ignored). */
export function nestingExceeds(bytes: Uint8Array, limit = MAX_NESTING): boolean {
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (const c of bytes) {
    if (inString) {
      if (escaped) escaped = false;
      else if (c === BACKSLASH) escaped = true;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (OPEN.has(c)) {
      if (++depth > limit) return true;
    } else if (CLOSE.has(c)) {
      depth--;
    }
  }
  return false;
}

/** One Buffer from whatever ws delivered. */
export function toBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

const RUN_ID = /^[\w.:-]{1,100}$/;

/** The `id` of a message that parsed as JSON but failed validation, when it is a valid run id. */
export function idOf(bytes: Buffer): string | undefined {
  try {
    const json: unknown = JSON.parse(bytes.toString('utf8'));
    const id =
      typeof json === 'object' && json !== null ? (json as { id?: unknown }).id : undefined;
    return typeof id === 'string' && RUN_ID.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}
