/** Importing result files: valid ones come back as parsed results; bad ones say file and field. */
import { describe, expect, it } from 'vitest';
import { exampleResult } from '../../model/example.ts';
import { parseImportFile } from './import.ts';

const ms = [1.21, 1.19, 1.25, 1.22];

describe('parseImportFile', () => {
  it('reads one result file or an array of them (a comparison export)', () => {
    const one = parseImportFile(JSON.stringify(exampleResult(ms)), 'a.json');
    expect(one.ok && one.results.map((r) => r.samples.ms)).toEqual([ms]);
    const two = parseImportFile(
      JSON.stringify([exampleResult(ms, { id: 'x' }), exampleResult([2], { id: 'y' })]),
      'c.json',
    );
    expect(two.ok && two.results.map((r) => r.id)).toEqual(['x', 'y']);
  });

  it('names the file, the element and the field of a bad one', () => {
    const bad = { ...exampleResult(ms), config: { ...exampleResult(ms).config, seqLen: 0 } };
    expect(parseImportFile(JSON.stringify([exampleResult(ms), bad]), 'pair.json')).toEqual({
      ok: false,
      error: 'pair.json[1]: config.seqLen: must be an integer in 1..65536 (got 0)',
    });
    expect(parseImportFile('{"a":', 'cut.json')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^cut\.json: not valid JSON/) as unknown,
    });
    expect(parseImportFile('[]', 'empty.json')).toEqual({
      ok: false,
      error: 'empty.json: the array holds no result files',
    });
    expect(parseImportFile('{"schema":"other/thing@1"}', 'o.json')).toMatchObject({
      ok: false,
      error: expect.stringContaining('this is not an attnlab result file') as unknown,
    });
  });
});
