import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError, exampleResult, parseResultText, readResult } from './index.ts';
import { resultJsonSchemaText } from './schema-file.ts';

describe('result file reader', () => {
  it('reads a valid file and applies defaults', () => {
    const r = readResult(exampleResult([1.5, 1.25, 1.75]));
    expect(r.samples.ms).toEqual([1.5, 1.25, 1.75]);
    expect(r.target.kernel).toBe('cpu-flash-f32');
    expect(r.timing.notes).toEqual([]);
  });

  it('rejects an unknown major version with a message naming the versions it reads', () => {
    const bumped = { ...exampleResult([1]), schema: 'attnlab/result@2' };
    expect(() => readResult(bumped)).toThrow(
      'schema: major version 2 is not supported; this attnlab reads attnlab/result@1',
    );
  });

  it('rejects files that are not attnlab results', () => {
    expect(() => readResult({ results: [] }, 'bench.json')).toThrow(
      /bench\.json: schema: must be "attnlab\/result@1"/,
    );
    expect(() => readResult([1, 2])).toThrow('must be a JSON object');
  });

  it('names the invalid fields', () => {
    const bad = exampleResult([1, -2]);
    let error: unknown;
    try {
      readResult({ ...bad, config: { ...bad.config, seqLen: 0 } });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ValidationError);
    const issues = (error as ValidationError).issues;
    expect(issues).toContain('samples.ms.1: must be ≥ 0 (got -2)');
    expect(issues).toContain('config.seqLen: must be an integer in 1..65536 (got 0)');
  });

  it('gives a clear error for text that is not JSON', () => {
    expect(() => parseResultText('{"schema": ', 'r.json')).toThrow(/r\.json: not valid JSON/);
  });

  it('round-trips through JSON text', () => {
    const text = JSON.stringify(exampleResult([0.5, 0.25]));
    expect(parseResultText(text).samples.ms).toEqual([0.5, 0.25]);
  });

  it('keeps the committed JSON Schema file in step with the types (run `npm run schema`)', () => {
    const committed = readFileSync(
      new URL('../../schema/result.schema.json', import.meta.url),
      'utf8',
    );
    expect(committed).toBe(resultJsonSchemaText());
  });
});
