/**
 * Outgoing messages: every message the runner sends is validated against the protocol schema
 * and the size limit first, so a bug shows up as a clear `internal` error, never as a message
 * the lab cannot read.
 */
import {
  MAX_SERVER_MESSAGE_BYTES,
  formatIssues,
  serverMessageSchema,
} from '../../../src/model/index.ts';
import type { ErrorCode, ResultFile, Saved, ServerMessageInput } from '../../../src/model/index.ts';

/** Longest error text sent, characters (a hostile message must not be echoed back in full). */
export const MAX_ERROR_TEXT = 1000;

/** Shortens text for an error message. */
export function clip(text: string, max = MAX_ERROR_TEXT): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** An `error` message, with the run id when it concerns one. */
export function errorMessage(code: ErrorCode, message: string, id?: string): ServerMessageInput {
  return { type: 'error', ...(id !== undefined ? { id } : {}), code, message: clip(message) };
}

function byteSize(message: ServerMessageInput): number {
  return Buffer.byteLength(JSON.stringify(message), 'utf8');
}

/** Rounds samples to 6 significant digits (far below any timer's resolution) to save bytes. */
function compactResult(result: ResultFile): ResultFile {
  return {
    ...result,
    samples: { ...result.samples, ms: result.samples.ms.map((x) => Number(x.toPrecision(6))) },
    timing: {
      ...result.timing,
      notes: [
        ...result.timing.notes,
        'samples rounded to 6 significant digits to fit one message; the saved file has them in full',
      ],
    },
  };
}

/**
 * The final message of run `runId`: `runDone` when it completed, else `error` with `code` and
 * the partial result; both say where the result was saved or why it was not. Every legal run
 * fits in `limit`; should one not (a future, bigger result), it is sent with rounded samples,
 * or, when even that is too big, as a `too-large` error that names the saved file.
 */
export function finalMessage(
  runId: string,
  result: ResultFile,
  code: ErrorCode | undefined,
  saved: Saved,
  limit: number = MAX_SERVER_MESSAGE_BYTES,
): ServerMessageInput {
  const wrap = (r: ResultFile): ServerMessageInput =>
    code === undefined
      ? { type: 'runDone', id: runId, result: r, saved }
      : {
          type: 'error',
          id: runId,
          code,
          message: clip(r.error?.message ?? `run ended: ${code}`),
          result: r,
          saved,
        };
  const full = wrap(result);
  if (byteSize(full) <= limit) return full;
  const compact = wrap(compactResult(result));
  if (byteSize(compact) <= limit) return compact;
  const where = saved.ok ? saved.path : `(not saved: ${saved.error})`;
  return {
    type: 'error',
    id: runId,
    code: 'too-large',
    message: clip(
      `run ${runId} ended (${result.status}) with ${result.samples.ms.length} samples, too many for one ${limit}-byte message; the result was saved to ${where}`,
    ),
    saved,
  };
}

/** Validates and serialises an outgoing message; returns why not when it is invalid. */
export function encodeServerMessage(
  message: ServerMessageInput,
): { ok: true; text: string } | { ok: false; error: string } {
  const parsed = serverMessageSchema.safeParse(message);
  if (!parsed.success) {
    return {
      ok: false,
      error: `outgoing ${message.type} message is invalid: ${formatIssues(parsed.error).slice(0, 5).join('; ')}`,
    };
  }
  const text = JSON.stringify(parsed.data);
  if (Buffer.byteLength(text, 'utf8') > MAX_SERVER_MESSAGE_BYTES) {
    return {
      ok: false,
      error: `outgoing ${message.type} message is over ${MAX_SERVER_MESSAGE_BYTES} bytes`,
    };
  }
  return { ok: true, text };
}
