/**
 * One error type for every validation failure in attnlab, so that CLI, runner and lab can show
 * the field, the allowed range and the offending value the same way.
 */
import type { z } from 'zod';

/** A validation failure: each issue names a field path and says what is allowed. */
export class ValidationError extends Error {
  /** One line per problem, e.g. `config.seqLen: must be an integer in 1..65536 (got 0)`. */
  readonly issues: readonly string[];

  constructor(what: string, issues: readonly string[]) {
    super(`${what}: ${issues.join('; ')}`);
    this.name = 'ValidationError';
    this.issues = issues;
  }
}

function showValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null)
    return String(value);
  if (Array.isArray(value)) return `array of ${value.length}`;
  return typeof value;
}

/** Formats a zod error as field-named lines, appending the rejected input where zod kept it. */
export function formatIssues(error: z.ZodError, prefix = ''): string[] {
  return error.issues.map((issue) => {
    const path = [prefix, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    const got = 'input' in issue ? ` (got ${showValue(issue.input)})` : '';
    return `${path === '' ? '(root)' : path}: ${issue.message}${got}`;
  });
}

/** Parses `input` with `schema`, throwing a ValidationError that names every bad field. */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  input: unknown,
  what: string,
  prefix = '',
): z.output<T> {
  const parsed = schema.safeParse(input, { reportInput: true });
  if (!parsed.success) throw new ValidationError(what, formatIssues(parsed.error, prefix));
  return parsed.data;
}
