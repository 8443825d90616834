import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { createRng } from '../../src/stats/index.ts';
import { combineRounds, exampleResult, readResult } from '../../src/model/index.ts';
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
          { command: 'a', times: [0.1, 0.1, 0.1, 0.1, 0.1] },
          { command: 'b', times: [0.2, 0.2, 0.2, 0.2, 0.2] },
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

describe('attnlab compare: exit codes and guards (issue 15)', () => {
  it('exits 2 on usage errors and a zero time, never 1', async () => {
    const good = file('u.txt', samples(9, 20, 1).join('\n'));
    const missingArg = await attnlab(['compare', good]);
    expect(missingArg.code).toBe(2);
    expect(missingArg.stderr).toContain("missing required argument 'candidate'");
    const unknown = await attnlab(['compare', good, good, '--bogus']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--bogus'");
    const zero = await attnlab(['compare', file('zero.txt', '0 1 2 3 4'), good]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain('compare() needs positive times');
  });

  it('--fail-on-regression does not fire on an inconclusive verdict (n < 5)', async () => {
    const fast = file('f3.txt', '1.00 1.01 1.02');
    const slow = file('s3.txt', '2.00 2.01 2.02');
    const run = await attnlab(['compare', fast, slow, '--fail-on-regression']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('INCONCLUSIVE — too few samples (n = 3 on a side');
    expect(run.stdout).toContain('! [few-samples] baseline: only 3 samples');
  });

  it('refuses result files with different configs (exit 2) unless --allow-different-config', async () => {
    const a = exampleResult(samples(10, 40, 1));
    const b = exampleResult(samples(11, 40, 2), {
      config: { ...a.config, seqLen: 2 * a.config.seqLen },
    });
    const fa = file('cfg-a.json', JSON.stringify(a));
    const fb = file('cfg-b.json', JSON.stringify(b));
    const refused = await attnlab(['compare', fa, fb]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `different configs (seqLen ${a.config.seqLen} → ${2 * a.config.seqLen})`,
    );
    expect(refused.stderr).toContain('--allow-different-config');
    const allowed = await attnlab(['compare', fa, fb, '--allow-different-config', '--markdown']);
    expect(allowed.code).toBe(0);
    expect(allowed.stdout).toContain('- **Verdict:** slower (cross-config comparison)');
    expect(allowed.stdout).toContain('## Warnings');
    expect(allowed.stdout).toContain('- **different-config:** Cross-config comparison');
  });
});

describe('attnlab compare: other tools’ files, detected by content', () => {
  const fixture = (name: string): string =>
    fileURLToPath(new URL(`../fixtures/compare/${name}`, import.meta.url));
  const medians = async (a: string, b: string): Promise<{ kinds: string[]; medians: number[] }> => {
    const run = await attnlab(['compare', a, b, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      baseline: { median: number };
      candidate: { median: number };
      inputs: { baseline: { kind: string }; candidate: { kind: string } };
    };
    return {
      kinds: [out.inputs.baseline.kind, out.inputs.candidate.kind],
      medians: [out.baseline.median, out.candidate.median],
    };
  };

  it('a JSON array of ms', async () => {
    const arr = file('arr.json', JSON.stringify([1.5, 1.25, 1.75, 1.5, 1.5]));
    const r = await medians(arr, arr);
    expect(r).toEqual({ kinds: ['json-array', 'json-array'], medians: [1.5, 1.5] });
  });

  it('CSV with a header: FILE#column, units from the column name', async () => {
    const csv = file(
      't.csv',
      'run,time_us,"time (s)"\n1,1500,0.0015\n2,1250,0.00125\n3,1750,0.00175\n4,1500,0.0015\n5,1500,0.0015\n',
    );
    const ambiguous = await attnlab(['compare', csv, csv]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(
      'CSV has 3 numeric columns (run, time_us, time (s)); pick one with',
    );
    const r = await medians(`${csv}#time_us`, `${csv}#time (s)`);
    expect(r.kinds).toEqual(['csv', 'csv']);
    expect(r.medians[0]).toBeCloseTo(1.5, 12);
    expect(r.medians[1]).toBeCloseTo(1.5, 12);
    const missing = await attnlab(['compare', `${csv}#nope`, `${csv}#1`]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('#nope: no such column (columns: run, time_us, time (s))');
  });

  it('criterion sample.json: times / iters, ns → ms', async () => {
    const r = await medians(fixture('criterion-sample.json'), fixture('criterion-sample.json'));
    expect(r.kinds).toEqual(['criterion', 'criterion']);
    // Per-iteration times 1.255, 1.251, 1.255, 1.252, 1.249, 1.253, 1.252, 1.252, 1.249, 1.252 ms.
    expect(r.medians[0]).toBeCloseTo(1.252, 9);
  });

  it('Google Benchmark JSON (a real file): the repetitions of one benchmark, aggregates skipped', async () => {
    const gb = fixture('google-benchmark.json');
    const ambiguous = await attnlab(['compare', gb, gb]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain('2 benchmarks (BM_Sum/4096, BM_Sum/16384)');
    const run = await attnlab(['compare', `${gb}#BM_Sum/4096`, `${gb}#2`, '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      baseline: { n: number };
      candidate: { n: number; median: number };
      inputs: { candidate: { label: string; kind: string } };
    };
    expect(out.baseline.n).toBe(5);
    expect(out.candidate.n).toBe(5);
    expect(out.inputs.candidate).toMatchObject({ label: 'BM_Sum/16384', kind: 'google-benchmark' });
  });

  it('pytest-benchmark JSON: stats.data of one benchmark, s → ms', async () => {
    const pb = fixture('pytest-benchmark.json');
    const r = await medians(`${pb}#test_sum_small`, `${pb}#test_sum_large`);
    expect(r.kinds).toEqual(['pytest-benchmark', 'pytest-benchmark']);
    expect(r.medians[0]).toBeCloseTo(1.24, 12);
    expect(r.medians[1]).toBeCloseTo(2.5, 12);
  });
});

describe('separate runs against one interleaved run', () => {
  it('warns that two separate runs miss run-to-run variation, and not for an interleaved pair', async () => {
    const one = (seed: number, kernel: string) =>
      readResult(
        exampleResult(samples(seed, 20, 1), {
          target: { backend: 'cpu', kernel, kernelParams: {} },
        }),
      );
    const a = file('sep-a.json', JSON.stringify(one(21, 'a')));
    const b = file('sep-b.json', JSON.stringify(one(22, 'b')));
    const separate = await attnlab(['compare', a, b]);
    expect(separate.code).toBe(0);
    expect(separate.stdout).toMatch(
      /! \[separate-runs\] Baseline and candidate were timed in separate runs: .*'attnlab run … --vs BASELINE_KERNEL'/,
    );
    const md = await attnlab(['compare', a, b, '--markdown']);
    expect(md.stdout).toContain('- **separate-runs:** Baseline and candidate were timed');
    const json = await attnlab(['compare', a, b, '--json']);
    const parsed = JSON.parse(json.stdout) as { warnings: { code: string }[] };
    expect(parsed.warnings.map((w) => w.code)).toContain('separate-runs');

    const ia = combineRounds([one(23, 'a'), one(25, 'a')], 'ab-a', 'cpu/b');
    const ib = combineRounds([one(24, 'b'), one(26, 'b')], 'ab-b', 'cpu/a');
    const pa = file('ab-a.json', JSON.stringify(ia));
    const pb = file('ab-b.json', JSON.stringify(ib));
    const paired = await attnlab(['compare', pa, pb]);
    expect(paired.code).toBe(0);
    expect(paired.stdout).not.toContain('separate-runs');
    expect((await attnlab(['compare', pa, pb, '--json'])).stdout).not.toContain('separate-runs');
    // One interleaved side is not enough: the other was still timed on its own.
    expect((await attnlab(['compare', pa, b])).stdout).toContain('[separate-runs]');
    // Plain sample lists carry no run information: nothing is claimed either way.
    const la = file('sep-a.txt', samples(27, 20, 1).join('\n'));
    const lb = file('sep-b.txt', samples(28, 20, 1).join('\n'));
    expect((await attnlab(['compare', la, lb])).stdout).not.toContain('separate-runs');
  });
});
