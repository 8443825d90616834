/**
 * Other tools' sample files `attnlab compare` reads, each recognised by its content: a JSON array
 * of numbers, CSV with a header, criterion's `sample.json`, Google Benchmark JSON (with
 * repetitions) and pytest-benchmark JSON. Every parser returns per-iteration times in ms.
 */
import { CliError } from './errors.ts';
import { strictNumber } from './options.ts';

/** Samples parsed from one file, with a label and the format's name. */
export interface ParsedSamples {
  /** Label for tables (benchmark or column name, else the path). */
  label: string;
  /** Format name shown under --json. */
  kind: 'json-array' | 'csv' | 'criterion' | 'google-benchmark' | 'pytest-benchmark';
  /** Per-iteration times in ms. */
  ms: number[];
}

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  sec: 1000,
  seconds: 1000,
};

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function finiteNumbers(path: string, what: string, xs: unknown): number[] {
  if (!Array.isArray(xs) || xs.length === 0) throw new CliError(`${path}: ${what} is empty`);
  return xs.map((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new CliError(
        `${path}: ${what} item ${i + 1} is ${JSON.stringify(v)}, not a non-negative number`,
      );
    }
    return v;
  });
}

/**
 * Picks one of several named entries: by `pick` (a 1-based index or an exact name), or the only
 * one; otherwise a CliError listing the choices.
 */
function choose<T>(
  path: string,
  names: string[],
  items: T[],
  pick: string | undefined,
): [string, T] {
  if (items.length === 0) throw new CliError(`${path}: no benchmarks in the file`);
  let i = 0;
  if (pick !== undefined) {
    i = /^\d+$/.test(pick) ? Number(pick) - 1 : names.indexOf(pick);
    if (i < 0 || i >= items.length) {
      throw new CliError(
        `${path}#${pick}: no such benchmark (1..${items.length} or one of: ${names.join(', ')})`,
      );
    }
  } else if (items.length > 1) {
    throw new CliError(
      `${path}: ${items.length} benchmarks (${names.join(', ')}); pick one with ${path}#1 … ${path}#${items.length} or ${path}#NAME`,
    );
  }
  return [names[i] ?? path, items[i] as T];
}

/** A top-level JSON array of numbers, in ms. */
export function parseJsonArray(json: unknown[], path: string): ParsedSamples {
  return { label: path, kind: 'json-array', ms: finiteNumbers(path, 'the array', json) };
}

/** criterion's `sample.json`: `iters[i]` iterations took `times[i]` ns in total. */
export function isCriterion(json: unknown): json is { iters: unknown; times: unknown } {
  return isRecord(json) && Array.isArray(json.iters) && Array.isArray(json.times);
}

/** Per-iteration ms from criterion's `sample.json`. */
export function parseCriterion(
  json: { iters: unknown; times: unknown },
  path: string,
): ParsedSamples {
  const iters = finiteNumbers(path, '"iters"', json.iters);
  const times = finiteNumbers(path, '"times"', json.times);
  if (iters.length !== times.length) {
    throw new CliError(
      `${path}: criterion "iters" has ${iters.length} entries but "times" has ${times.length}`,
    );
  }
  return {
    label: path,
    kind: 'criterion',
    ms: times.map((t, i) => {
      const n = iters[i] ?? 0;
      if (!(n > 0)) throw new CliError(`${path}: criterion "iters" item ${i + 1} is ${n}, not > 0`);
      return (t / n) * 1e-6;
    }),
  };
}

/** Google Benchmark `--benchmark_format=json` output (it has "context" and "benchmarks"). */
export function isGoogleBenchmark(json: unknown): json is { benchmarks: unknown[] } {
  return isRecord(json) && isRecord(json.context) && Array.isArray(json.benchmarks);
}

/**
 * Google Benchmark: the per-repetition rows (run_type "iteration", not the mean/median/stddev
 * aggregates) of one benchmark, `real_time` per iteration in its `time_unit`.
 */
export function parseGoogleBenchmark(
  json: { benchmarks: unknown[] },
  path: string,
  pick: string | undefined,
): ParsedSamples {
  const groups = new Map<string, number[]>();
  for (const b of json.benchmarks) {
    if (!isRecord(b) || (b.run_type !== undefined && b.run_type !== 'iteration')) continue;
    const name = typeof b.run_name === 'string' ? b.run_name : String(b.name);
    const unit = typeof b.time_unit === 'string' ? b.time_unit : 'ns';
    const factor = UNIT_MS[unit];
    if (factor === undefined) throw new CliError(`${path}: unknown time_unit "${unit}" in ${name}`);
    if (typeof b.real_time !== 'number' || !Number.isFinite(b.real_time)) {
      throw new CliError(`${path}: ${name} has no numeric "real_time"`);
    }
    groups.set(name, [...(groups.get(name) ?? []), b.real_time * factor]);
  }
  const [label, ms] = choose(path, [...groups.keys()], [...groups.values()], pick);
  return { label, kind: 'google-benchmark', ms };
}

/** pytest-benchmark `--benchmark-json` output (it has "machine_info" and "benchmarks"). */
export function isPytestBenchmark(json: unknown): json is { benchmarks: unknown[] } {
  return isRecord(json) && isRecord(json.machine_info) && Array.isArray(json.benchmarks);
}

/** pytest-benchmark: `stats.data` (seconds per round; saved with --benchmark-save-data). */
export function parsePytestBenchmark(
  json: { benchmarks: unknown[] },
  path: string,
  pick: string | undefined,
): ParsedSamples {
  const items = json.benchmarks.filter(isRecord);
  const names = items.map((b, i) => (typeof b.name === 'string' ? b.name : `#${i + 1}`));
  const [label, chosen] = choose(path, names, items, pick);
  const stats = chosen.stats;
  if (!isRecord(stats) || !Array.isArray(stats.data)) {
    throw new CliError(
      `${path}: pytest-benchmark "${label}" has no stats.data; run with --benchmark-save-data (or --benchmark-json … --benchmark-save-data)`,
    );
  }
  return {
    label,
    kind: 'pytest-benchmark',
    ms: finiteNumbers(path, `${label} stats.data`, stats.data).map((s) => s * 1000),
  };
}

/** Splits one CSV line on commas, honouring double quotes ("a,b" and "" escapes). */
function csvCells(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      cells.push(cur.trim());
      cur = '';
    } else cur += ch;
  }
  cells.push(cur.trim());
  return cells;
}

/** Whether text looks like CSV with a header: a first line of several cells, not all numbers. */
export function isCsvWithHeader(text: string): boolean {
  const first = text.split(/\r?\n/, 1)[0] ?? '';
  const cells = csvCells(first);
  return first.includes(',') && cells.some((c) => c !== '' && Number.isNaN(strictNumber(c)));
}

/**
 * CSV with a header row: the column named `pick` (or the 1-based column `pick`), or the only
 * numeric column. A unit at the end of the column name (`time_ns`, `time (s)`, `us`) converts to
 * ms; without one the values are taken as ms.
 */
export function parseCsv(text: string, path: string, pick: string | undefined): ParsedSamples {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#'));
  const header = csvCells(lines[0] ?? '');
  const rows = lines.slice(1).map(csvCells);
  if (rows.length === 0) throw new CliError(`${path}: CSV has a header but no rows`);
  const numeric = header
    .map((name, col) => ({ name, col }))
    .filter(({ col }) => rows.every((r) => Number.isFinite(strictNumber(r[col] ?? ''))));
  let col: number;
  if (pick !== undefined) {
    col = /^\d+$/.test(pick) ? Number(pick) - 1 : header.indexOf(pick);
    if (col < 0 || col >= header.length) {
      throw new CliError(`${path}#${pick}: no such column (columns: ${header.join(', ')})`);
    }
  } else if (numeric.length === 1) {
    col = numeric[0]?.col ?? 0;
  } else {
    throw new CliError(
      `${path}: CSV has ${numeric.length} numeric columns (${numeric.map((c) => c.name).join(', ')}); pick one with ${path}#COLUMN`,
    );
  }
  const name = header[col] ?? String(col + 1);
  const unit = /(?:^|[\s_([-])(ns|us|µs|ms|s|sec|seconds)\)?$/i.exec(name)?.[1]?.toLowerCase();
  const factor = unit !== undefined ? (UNIT_MS[unit] ?? 1) : 1;
  const ms = rows.map((r, i) => {
    const v = strictNumber(r[col] ?? '');
    if (!Number.isFinite(v) || v < 0) {
      throw new CliError(
        `${path}: row ${i + 2}, column "${name}": "${r[col] ?? ''}" is not a non-negative number`,
      );
    }
    return v * factor;
  });
  return { label: `${path}#${name}`, kind: 'csv', ms };
}
