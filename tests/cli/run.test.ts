import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { attnlab } from './cli.ts';

const small = ['-b', '1', '-H', '2', '-s', '64', '-d', '32', '--iterations', '20'];

describe('attnlab run: flags (issue 15)', () => {
  it('rejects numbers with trailing junk, naming the flag and the range (exit 2)', async () => {
    const seed = await attnlab(['run', '--backend', 'cpu', '--seed', '12abc']);
    expect(seed.code).toBe(2);
    expect(seed.stderr).toContain('--seed: expected an integer in 0..4294967295, got "12abc"');
    const warmup = await attnlab(['run', '--backend', 'cpu', '--warmup', '5x']);
    expect(warmup.code).toBe(2);
    expect(warmup.stderr).toContain('--warmup: expected an integer in 0..10000, got "5x"');
    const scale = await attnlab(['run', '--backend', 'cpu', '--scale', '1e300']);
    expect(scale.code).toBe(2);
    expect(scale.stderr).toContain('--scale: must be a number in 0.0001..10000');
  });

  it('checks that --out can be written before running (exit 2)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'attnlab-run-'));
    const run = await attnlab([
      'run',
      '--backend',
      'cpu',
      ...small,
      '-o',
      join(dir, 'no', 'r.json'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`--out: folder ${join(dir, 'no')} does not exist`);
    expect(run.stdout).toBe(''); // nothing ran
  });

  it('usage errors exit 2 (missing --backend, unknown option)', async () => {
    expect((await attnlab(['run'])).code).toBe(2);
    const unknown = await attnlab(['run', '--backend', 'cpu', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
  });

  it('--backend cpu without --kernel runs its default kernel, cpu-flash-f32', async () => {
    const run = await attnlab(['run', '--backend', 'cpu', ...small], { timeoutMs: 300_000 });
    expect(run.stderr).not.toContain('is not a cpu kernel');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^cpu \/ cpu-flash-f32 — B=1 H=2 S=64 D=32 f32/);
    expect(run.stdout).toContain('correctness     passed');
  }, 300_000);
});

describe('attnlab run --out on a full disk (issue 15)', () => {
  it('fails loudly and leaves no truncated result file (write-file-atomic 6 left one)', async () => {
    const at = mkdtempSync(join(tmpdir(), 'attnlab-full-'));
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', at], { stdio: 'ignore' });
    } catch {
      // Not root / no mount here: the checked writer's own tests cover the injected full disk.
      return;
    }
    try {
      // Fill the disk but for one 4 KiB page, less than a 600-sample result file (~14 KiB): the
      // first write is short, the next fails.
      try {
        writeFileSync(join(at, 'filler'), Buffer.alloc(60 * 1024, 1));
      } catch {
        // tmpfs rounds to pages: a filler that does not fit whole still fills it.
      }
      const out = join(at, 'r.json');
      const args = ['-b', '1', '-H', '1', '-s', '16', '-d', '32', '--iterations', '600'];
      const run = await attnlab(['run', '--backend', 'cpu', ...args, '-o', out]);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/ENOSPC|no space|could not be written/i);
      expect(existsSync(out)).toBe(false);
      expect(readdirSync(at).filter((f) => f !== 'filler')).toEqual([]);
    } finally {
      execFileSync('umount', [at]);
    }
  });
});
