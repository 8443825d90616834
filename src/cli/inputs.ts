/**
 * Sample sources `attnlab compare` accepts, detected by content: an attnlab result file, a
 * hyperfine `--export-json` file (seconds → ms), the formats of input-formats.ts (JSON array,
 * CSV with a header, criterion, Google Benchmark, pytest-benchmark), or a plain list of ms.
 */
import { readFile, stat } from 'node:fs/promises';
import { ValidationError, readResult } from '../model/index.ts';
import type { ResultFile } from '../model/index.ts';
import { CliError } from './errors.ts';
import {
  isCriterion,
  isCsvWithHeader,
  isGoogleBenchmark,
  isPytestBenchmark,
  parseCriterion,
  parseCsv,
  parseGoogleBenchmark,
  parseJsonArray,
  parsePytestBenchmark,
  type ParsedSamples,
} from './input-formats.ts';

/** Samples loaded from one input, with a label for tables. */
export interface SampleSource {
  /** Label shown in tables: kernel/backend for result files, command for hyperfine, else the path. */
  label: string;
  /** What kind of file it was. */
  kind: 'result' | 'hyperfine' | 'list' | ParsedSamples['kind'];
  /** Samples in ms. */
  ms: number[];
  /** The result file, when the input was one. */
  result?: ResultFile;
}

interface HyperfineExport {
  results: { command?: unknown; times?: unknown }[];
}

function isHyperfine(json: unknown): json is HyperfineExport {
  return (
    typeof json === 'object' &&
    json !== null &&
    Array.isArray((json as { results?: unknown }).results)
  );
}

/** Parses a plain list: one number per line or separated by commas/whitespace; `#` comments. */
export function parseNumberList(text: string, source: string): number[] {
  const tokens = text
    .split('\n')
    .map((line) => line.replace(/#.*$/, ''))
    .join(' ')
    .split(/[\s,;]+/)
    .filter((t) => t !== '');
  if (tokens.length === 0) throw new CliError(`${source}: no numbers found`);
  return tokens.map((token, i) => {
    const value = Number(token);
    if (!Number.isFinite(value) || value < 0) {
      throw new CliError(
        `${source}: item ${i + 1} "${token.slice(0, 30)}" is not a non-negative number (ms)`,
      );
    }
    return value;
  });
}

/**
 * Reads samples from `spec` = `PATH` or `PATH#PICK`: PICK chooses a hyperfine command or a
 * benchmark (1-based index, or a name for Google Benchmark and pytest-benchmark) or a CSV column
 * (name or 1-based index).
 */
export async function loadSamples(spec: string): Promise<SampleSource> {
  // Split at the last '#' (benchmark names may hold '/'), unless the whole spec names a file.
  const hash = /^(.+)#([^#]+)$/.exec(spec);
  const whole = hash !== null && (await stat(spec).catch(() => null)) !== null;
  const path = hash !== null && !whole ? (hash[1] ?? spec) : spec;
  const pick = whole ? undefined : hash?.[2];
  const index = pick !== undefined && /^\d+$/.test(pick) ? Number(pick) : undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(`${path}: cannot read (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const trimmed = text.trimStart();
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new CliError(`${path}: looks like JSON but does not parse (${(err as Error).message})`);
    }
    if (Array.isArray(json)) return parseJsonArray(json, path);
    if (isCriterion(json)) return parseCriterion(json, path);
    if (isGoogleBenchmark(json)) return parseGoogleBenchmark(json, path, pick);
    if (isPytestBenchmark(json)) return parsePytestBenchmark(json, path, pick);
    if (isHyperfine(json)) {
      if (pick !== undefined && index === undefined) {
        throw new CliError(`${path}#${pick}: pick a hyperfine command by its 1-based index`);
      }
      const results = json.results;
      if (results.length === 0) throw new CliError(`${path}: hyperfine file has no results`);
      if (results.length > 1 && index === undefined) {
        throw new CliError(
          `${path}: hyperfine file has ${results.length} commands; pick one with ${path}#1 … ${path}#${results.length}`,
        );
      }
      const chosen = results[(index ?? 1) - 1];
      if (!chosen)
        throw new CliError(`${path}#${index ?? 1}: no such result (1..${results.length})`);
      const times = chosen.times;
      if (
        !Array.isArray(times) ||
        times.length === 0 ||
        !times.every((t) => typeof t === 'number' && Number.isFinite(t))
      ) {
        throw new CliError(
          `${path}: hyperfine result has no "times" array (export with --export-json)`,
        );
      }
      return {
        label: typeof chosen.command === 'string' ? chosen.command : path,
        kind: 'hyperfine',
        ms: (times as number[]).map((s) => s * 1000),
      };
    }
    let result: ResultFile;
    try {
      result = readResult(json, path);
    } catch (err) {
      if (err instanceof ValidationError) throw new CliError(err.message);
      throw err;
    }
    if (result.samples.ms.length === 0) {
      throw new CliError(
        `${path}: result has no samples (status ${result.status}${result.error ? `: ${result.error.message}` : ''})`,
      );
    }
    return {
      label: `${result.target.backend}/${result.target.kernel}`,
      kind: 'result',
      ms: result.samples.ms,
      result,
    };
  }
  if (isCsvWithHeader(text)) return parseCsv(text, path, pick);
  return { label: path, kind: 'list', ms: parseNumberList(text, path) };
}
