/**
 * Typed-in matrices for the Learn view: one row per line, numbers separated by spaces or commas.
 * Errors name the matrix, the row and the value, so a teacher can fix a typo on the spot.
 */

/** A typed-in matrix that could not be read; `issues` holds one line per problem. */
export class MatrixParseError extends Error {
  /** One line per problem, e.g. `K: row 2 value 3 ("x") is not a number`. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`invalid typed-in values: ${issues.join('; ')}`);
    this.name = 'MatrixParseError';
    this.issues = issues;
  }
}

/** Reads the rows of matrix `name` from text; blank lines are ignored. */
export function parseMatrix(name: string, text: string): number[][] {
  const issues: string[] = [];
  const rows = text
    .split(/\r?\n|;/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map((line, r) =>
      line.split(/[\s,]+/).map((token, c) => {
        const value = Number(token.replace('−', '-'));
        if (token === '' || !Number.isFinite(value)) {
          issues.push(
            `${name}: row ${r + 1} value ${c + 1} (${JSON.stringify(token)}) is not a number`,
          );
        }
        return value;
      }),
    );
  if (rows.length === 0) issues.push(`${name}: no rows (type one row of numbers per line)`);
  if (issues.length > 0) throw new MatrixParseError(issues);
  return rows;
}

/** Writes rows as text the parser reads back exactly (shortest round-trip decimals). */
export function formatMatrix(rows: readonly (readonly number[])[]): string {
  return rows.map((row) => row.map(shortestF32).join(' ')).join('\n');
}

/**
 * The shortest decimal that reads back as the same f32, e.g. `0.44` for the f32 nearest 0.44
 * (not its f64 spelling `0.4399999976158142`).
 */
export function shortestF32(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const target = Math.fround(x);
  for (let digits = 1; digits <= 9; digits++) {
    const text = String(Number(x.toPrecision(digits)));
    if (Math.fround(Number(text)) === target) return text;
  }
  return String(x);
}
