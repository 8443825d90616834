import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/stats/index.ts';
import { exampleResult } from '../../src/model/index.ts';
import { attnlab } from './cli.ts';

let dir = '';
const file = (name: string, text: string): string => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

/** Seeded lognormal-ish samples around `center` ms with ~1% noise. */
function samples(seed: number, n: number, center: number): number[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => {
    const u = Math.max(rng.next(), 1e-12);
    const v = rng.next();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return center * Math.exp(0.01 * z);
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'attnlab-compare-'));
});

describe('attnlab compare', () => {
  it('reads plain lists and prints the table, verdict and summary', async () => {
    const base = file('base.txt', samples(1, 100, 2).join('\n'));
    const cand = file('cand.txt', samples(2, 100, 1).join(', '));
    const run = await attnlab(['compare', base, cand]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/speedup \(baseline\/candidate medians\)\s+(1\.99\d|2\.00\d)×/);
    expect(run.stdout).toContain('FASTER');
    expect(run.stdout).toContain('Verdict: faster');
  });

  it('prints compare()’s object with labels under --json', async () => {
    const base = file('b.txt', samples(3, 50, 1).join('\n'));
    const cand = file('c.txt', samples(4, 50, 1).join('\n'));
    const run = await attnlab(['compare', base, cand, '--json', '--seed', '7']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown>;
    for (const key of [
      'baseline',
      'candidate',
      'speedup',
      'hodgesLehmann',
      'hedgesG',
      'cliffsDelta',
      'mannWhitney',
      'outliers',
      'verdict',
      'summary',
      'inputs',
    ]) {
      expect(out).toHaveProperty(key);
    }
    expect(out.inputs).toMatchObject({ baseline: { label: base, kind: 'list' } });
  });

  it('reads hyperfine exports (seconds → ms) and asks which command when there are several', async () => {
    const hf = file(
      'hf.json',
      JSON.stringify({
        results: [
          { command: 'a', times: [0.1, 0.1, 0.1] },
          { command: 'b', times: [0.2, 0.2, 0.2] },
        ],
      }),
    );
    const ambiguous = await attnlab(['compare', hf, hf]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('pick one with');
    const run = await attnlab(['compare', `${hf}#1`, `${hf}#2`, '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      baseline: { median: number };
      candidate: { median: number };
      verdict: string;
    };
    expect(out.baseline.median).toBeCloseTo(100, 9);
    expect(out.candidate.median).toBeCloseTo(200, 9);
    expect(out.verdict).toBe('slower');
  });

  it('exits 1 under --fail-on-regression only when the candidate is slower', async () => {
    const fast = file('fast.txt', samples(5, 100, 1).join('\n'));
    const slow = file('slow.txt', samples(6, 100, 1.1).join('\n'));
    const regression = await attnlab(['compare', fast, slow, '--fail-on-regression']);
    expect(regression.code).toBe(1);
    expect(regression.stderr).toContain('regression');
    const fine = await attnlab(['compare', slow, fast, '--fail-on-regression']);
    expect(fine.code).toBe(0);
  });

  it('shows the environment difference of two result files in the Markdown report', async () => {
    const a = exampleResult(samples(7, 40, 1), { env: { gpu: { name: 'L4', driver: '570' } } });
    const b = exampleResult(samples(8, 40, 1), { env: { gpu: { name: 'H100', driver: '570' } } });
    const run = await attnlab([
      'compare',
      file('a.json', JSON.stringify(a)),
      file('b.json', JSON.stringify(b)),
      '--markdown',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('# attnlab comparison');
    expect(run.stdout).toContain('| gpu.name | L4 | H100 |');
  });

  it('exits 2 with a clear message on unreadable input', async () => {
    const good = file('good.txt', '1 2 3');
    const missing = await attnlab(['compare', join(dir, 'nope.txt'), good]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.txt: cannot read \(ENOENT\)/);
    const junk = await attnlab(['compare', file('junk.txt', '1 2 banana'), good]);
    expect(junk.code).toBe(2);
    expect(junk.stderr).toContain('item 3 "banana" is not a non-negative number');
    const future = file(
      'v2.json',
      JSON.stringify({ ...exampleResult([1]), schema: 'attnlab/result@2' }),
    );
    const v2 = await attnlab(['compare', future, good]);
    expect(v2.code).toBe(2);
    expect(v2.stderr).toContain('major version 2 is not supported');
  });

  it('validates its own flags', async () => {
    const good = file('g.txt', '1 2 3');
    const run = await attnlab(['compare', good, good, '--resamples', '5']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--resamples: expected an integer in 100..1000000');
  });
});
