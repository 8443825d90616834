/**
 * A sweep fanned out across lanes: points run on whichever lane is free, never two at once on
 * one lane, come back in order, and a failure is reported with its lane and not retried. Also
 * over two real runners (fake GPUs, real sockets and harness processes) started here.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../node/host.ts';
import type { AttentionConfig, ResultFile, RunSpec } from '../model/index.ts';
import { createRng } from '../stats/index.ts';
import { FakeGpuBackend, fakeGpus } from '../../native-runner/src/server/testing/fake-gpus.ts';
import { SMALL_CONFIG, startTestServer } from '../../native-runner/src/server/testing/setup.ts';
import type { TestServer } from '../../native-runner/src/server/testing/setup.ts';
import { fanOut } from './fanout.ts';
import type { FanLane } from './fanout.ts';
import { connectRunner } from './runner-lanes.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('fanOut', () => {
  it('keeps every lane busy, one point at a time each, and returns outcomes in order', async () => {
    const rng = createRng(18);
    const busy = new Map<string, number>();
    let overlapWithinLane = false;
    let maxConcurrent = 0;
    let concurrent = 0;
    const lanes: FanLane<number, number>[] = ['a', 'b', 'c'].map((id) => ({
      id,
      run: async (p) => {
        busy.set(id, (busy.get(id) ?? 0) + 1);
        if ((busy.get(id) ?? 0) > 1) overlapWithinLane = true;
        maxConcurrent = Math.max(maxConcurrent, ++concurrent);
        await sleep(5 + rng.nextInt(20));
        concurrent--;
        busy.set(id, (busy.get(id) ?? 1) - 1);
        if (p === 4) throw new Error('point 4 broke');
        return p * 10;
      },
    }));
    const settled: number[] = [];
    const out = await fanOut([0, 1, 2, 3, 4, 5, 6, 7, 8], lanes, (i) => settled.push(i));
    expect(out.map((o) => (o.ok ? o.value : o.error))).toEqual([
      0,
      10,
      20,
      30,
      'point 4 broke',
      50,
      60,
      70,
      80,
    ]);
    expect(out.slice(0, 3).map((o) => o.lane)).toEqual(['a', 'b', 'c']);
    expect(overlapWithinLane).toBe(false);
    expect(maxConcurrent).toBe(3);
    expect([...settled].sort((x, y) => x - y)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('refuses points with no lane to run them', async () => {
    await expect(fanOut([1], [])).rejects.toThrow(/no lane to run the points on/);
    expect(await fanOut([], [])).toEqual([]);
  });
});

describe('a sweep over two runners with two GPUs each', () => {
  const servers: TestServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.stop()));
  });

  function point(seqLen: number, kernel = 'steady'): RunSpec {
    const config: AttentionConfig = { ...SMALL_CONFIG, seqLen };
    return { config, kernel, stop: { kind: 'count', iterations: 15 }, cache: 'cold', seed: 3 };
  }

  it('runs 8 points on 4 lanes at once, collects them in order, and reports a GPU’s failures', async () => {
    for (let i = 0; i < 2; i++) {
      servers.push(await startTestServer({ backends: [new FakeGpuBackend()], gpus: fakeGpus(2) }));
    }
    const runners = await Promise.all(servers.map((s) => connectRunner(s.server.url)));
    const lanes = runners.flatMap((r) => r.lanes('fakegpu'));
    expect(lanes.map((l) => l.id)).toEqual(
      servers.flatMap((s) => [`${s.server.url} gpu 0`, `${s.server.url} gpu 1`]),
    );
    const seqs = [64, 128, 192, 256, 320, 384, 448, 512];
    const out = await fanOut<RunSpec, ResultFile>(
      seqs.map((s) => point(s)),
      lanes,
    );
    expect(out.map((o) => (o.ok ? o.value.config.seqLen : o.error))).toEqual(seqs);
    expect(new Set(out.map((o) => o.lane)).size).toBe(4);
    // Each result was pinned to, and records, the GPU of the lane that ran it.
    for (const o of out) {
      if (!o.ok) continue;
      expect(o.lane.endsWith(`gpu ${String(o.value.env.gpu?.index)}`)).toBe(true);
      expect(o.value.env.software?.cudaVisibleDevices).toBe(o.value.env.gpu?.uuid);
    }

    // A kernel that fails on GPU 1: those points fail there, reported with the lane; no retry.
    const failing = await fanOut<RunSpec, ResultFile>(
      seqs.slice(0, 4).map((s) => point(s, 'fail-on-1')),
      lanes,
    );
    expect(failing.map((o) => [o.ok, o.lane.endsWith('gpu 1')])).toEqual([
      [true, false],
      [false, true],
      [true, false],
      [false, true],
    ]);
    for (const o of failing) {
      if (!o.ok) expect(o.error).toMatch(/^harness-error: injected failure on GPU 1/);
    }
    for (const r of runners) r.close();
  }, 60_000);

  it('attnlab sweep --runner fans the points out over both runners and prints them in order', async () => {
    for (let i = 0; i < 2; i++) {
      servers.push(await startTestServer({ backends: [new FakeGpuBackend()], gpus: fakeGpus(2) }));
    }
    const args = [
      join(REPO_ROOT, 'bin', 'attnlab.js'),
      'sweep',
      '--target',
      'fakegpu:steady',
      '--seqs',
      '64,128,256,512',
      '--iterations',
      '15',
      '--runner',
      ...servers.map((s) => s.server.url),
    ];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(stderr).toMatch(/fakegpu:steady S=64 on ws:\/\/\S+ gpu \d: done/);
    expect(code).toBe(0);
    const rows = stdout
      .split('\n')
      // The table is Markdown: `| 64 | … |`.
      .filter((l) => /^\|\s*\d+\s*\|/.test(l))
      .map((l) => Number(l.split('|')[1]));
    expect(rows).toEqual([64, 128, 256, 512]);
    // Every lane of both runners took a point.
    const lanes = new Set([...stderr.matchAll(/on (ws:\/\/\S+ gpu \d)/g)].map((m) => m[1]));
    expect(lanes.size).toBe(4);
  }, 60_000);
});
