/**
 * Frames per second of the lab's Run view while 10,000 samples/s stream in (goal ≥ 50 fps).
 *
 * A load generator speaks the runner protocol over a real WebSocket and streams a seeded
 * log-normal sample stream at the requested rate; the lab (a production build, served by
 * `vite preview`) runs it in Chromium like any runner target, through the same client, stats
 * worker and d3 histogram a person sees. Frames are counted with requestAnimationFrame in the
 * page; main-thread long tasks (> 50 ms) are counted with PerformanceObserver.
 *
 *   npx tsx scripts/bench-lab-fps.ts [--rate 10000] [--seconds 10] [--batch-ms 10]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { chromium } from '@playwright/test';
import { build, preview } from 'vite';
import { WebSocketServer, type WebSocket } from 'ws';
import { PROTOCOL_VERSION, parseClientMessage } from '../src/model/index.ts';
import type { ResultFileInput, RunRequest, ServerMessageInput } from '../src/model/index.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../e2e/chromium.ts';
import { createRng } from '../src/stats/index.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '10000' },
    seconds: { type: 'string', default: '10' },
    'batch-ms': { type: 'string', default: '10' },
  },
});
const rate = Number(values.rate);
const seconds = Number(values.seconds);
const batchMs = Number(values['batch-ms']);
for (const [name, v, lo, hi] of [
  ['--rate', rate, 1, 1_000_000],
  ['--seconds', seconds, 1, 600],
  ['--batch-ms', batchMs, 1, 1000],
] as const) {
  if (!Number.isFinite(v) || v < lo || v > hi) {
    process.stderr.write(`bench-lab-fps: ${name} must be a number in ${lo}..${hi}\n`);
    process.exit(2);
  }
}

const TOKEN = 'bench-token-0123456789';

/** What the page measures. */
interface Measurement {
  fps: number;
  p95FrameMs: number;
  maxFrameMs: number;
  longTasks: number;
  shownSamplesPerS: number;
  seconds: number;
}

/**
 * The in-page measurement, as source text: tsx would wrap a TypeScript function with helpers
 * that do not exist in the page.
 */
const IN_PAGE_MEASURE = `async function (ms) {
  let longTasks = 0;
  const obs = new PerformanceObserver((list) => { longTasks += list.getEntries().length; });
  obs.observe({ type: 'longtask', buffered: false });
  const shown = () => {
    const text = document.querySelector('[aria-label="Figures"]')?.textContent ?? '';
    const n = /samples\\s*(\\d+)/.exec(text);
    return n ? Number(n[1]) : 0;
  };
  const frames = [];
  const n0 = shown();
  const t0 = performance.now();
  await new Promise((resolve) => {
    const tick = (t) => { frames.push(t); if (t - t0 < ms) requestAnimationFrame(tick); else resolve(); };
    requestAnimationFrame(tick);
  });
  obs.disconnect();
  const t1 = performance.now();
  const gaps = frames.slice(1).map((t, i) => t - frames[i]).sort((a, b) => a - b);
  return {
    fps: (frames.length - 1) / ((t1 - t0) / 1000),
    p95FrameMs: gaps[Math.floor(gaps.length * 0.95)] ?? 0,
    maxFrameMs: gaps[gaps.length - 1] ?? 0,
    longTasks,
    shownSamplesPerS: (shown() - n0) / ((t1 - t0) / 1000),
    seconds: (t1 - t0) / 1000,
  };
}`;

function send(ws: WebSocket, m: ServerMessageInput): void {
  ws.send(JSON.stringify(m));
}

/** Streams samples for one run at `rate` per second until `seconds` pass or it is cancelled. */
function stream(ws: WebSocket, run: RunRequest): void {
  const rng = createRng(run.seed);
  const perBatch = Math.max(1, Math.round((rate * batchMs) / 1000));
  const all: number[] = [];
  let seq = 0;
  const start = Date.now();
  send(ws, { type: 'runStarted', id: run.id, queuePosition: 0 });
  const timer = setInterval(() => {
    const elapsed = Date.now() - start;
    // Catch up to the rate by wall time, so timer jitter does not lower it.
    const due = Math.floor((elapsed / 1000) * rate) - all.length;
    const n = Math.max(perBatch, due);
    const ms: number[] = [];
    for (let i = 0; i < n; i++) ms.push(0.8 * Math.exp(0.06 * rng.nextNormal()));
    all.push(...ms);
    send(ws, { type: 'samples', id: run.id, seq: seq++, ms });
    if (seq % 10 === 0) {
      send(ws, {
        type: 'progress',
        id: run.id,
        state: 'running',
        samples: all.length,
        elapsedMs: elapsed,
        medianMs: null,
        phase: 'timing',
      });
    }
    if (elapsed >= seconds * 1000) {
      clearInterval(timer);
      send(ws, { type: 'runDone', id: run.id, result: resultOf(run, all) });
    }
  }, batchMs);
  ws.on('close', () => {
    clearInterval(timer);
  });
  ws.on('message', (data: Buffer) => {
    const parsed = parseClientMessage(data.toString());
    if (parsed.ok && parsed.message.type === 'cancel') clearInterval(timer);
  });
}

function resultOf(run: RunRequest, ms: number[]): ResultFileInput {
  return {
    schema: 'attnlab/result@1',
    id: run.id,
    createdAt: new Date().toISOString(),
    tool: { name: 'attnlab-bench-lab-fps', version: '0.1.0' },
    config: run.config,
    target: { backend: 'synthetic', kernel: 'stream', kernelParams: { rate } },
    env: { host: { hostname: 'load-generator' } },
    timing: {
      method: 'cpu-clock',
      quantumMs: null,
      dispatchesPerSample: 1,
      warmup: 0,
      cache: 'warm',
      stopRule: run.stop,
      notes: ['synthetic samples from scripts/bench-lab-fps.ts'],
    },
    samples: { ms, partial: false },
    clocks: [],
    memory: {
      estimateBytes: 0,
      peakBytes: null,
      deviceTotalBytes: null,
      usageFraction: null,
      oomRisk: false,
    },
    correctness: null,
    // A stored median keeps the lab from bootstrapping 100k samples after the measured window.
    derived: { medianMs: 0.8, ci: [0.8, 0.8], confidence: 0.95, tflops: 0, gbps: 0 },
    status: 'completed',
  };
}

async function main(): Promise<void> {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => {
    wss.once('listening', () => {
      resolve();
    });
  });
  const runnerUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`;
  wss.on('connection', (ws) => {
    ws.on('message', (data: Buffer) => {
      const parsed = parseClientMessage(data.toString());
      if (!parsed.ok) return;
      const m = parsed.message;
      if (m.type === 'hello') {
        if (m.token !== TOKEN) {
          send(ws, { type: 'error', code: 'unauthorized', message: 'bad token' });
          return;
        }
        send(ws, {
          type: 'welcome',
          runnerId: 'load-generator',
          version: '0.1.0',
          protocol: PROTOCOL_VERSION,
          env: { host: { hostname: 'load-generator' } },
          backends: [
            {
              id: 'synthetic',
              available: true,
              device: `${rate} samples/s`,
              kernels: [
                {
                  id: 'stream',
                  description: `seeded samples at ${rate}/s`,
                  dtypes: ['f32'],
                  headDims: [],
                  causal: true,
                },
              ],
            },
          ],
        });
      }
      if (m.type === 'run') stream(ws, m);
    });
  });

  process.env.VITE_ATTNLAB_RUNNER_URL = runnerUrl;
  process.env.VITE_ATTNLAB_RUNNER_TOKEN = TOKEN;
  const outDir = await mkdtemp(join(tmpdir(), 'attnlab-fps-'));
  process.stderr.write('building the lab (production)…\n');
  await build({ logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  const server = await preview({
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (url === undefined) throw new Error('vite preview did not report its URL');

  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: CHROMIUM_ARGS,
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(url);
    await page.getByText('Runners: 1/1 connected').waitFor();
    await page.getByRole('textbox', { name: 'Samples', exact: true }).fill('100000');
    await page.getByRole('checkbox', { name: /synthetic · stream/ }).check();
    await page.getByRole('button', { name: /^Run/ }).click();
    await page.getByRole('img', { name: /^Histogram of/ }).waitFor();
    // Measure in the steady state: skip the first second of streaming.
    await page.waitForTimeout(1000);
    const windowMs = Math.max(1000, seconds * 1000 - 2500);
    const m = await page.evaluate<Measurement>(`(${IN_PAGE_MEASURE})(${windowMs})`);
    const ok = m.fps >= 50;
    process.stdout.write(
      [
        `bench-lab-fps: ${rate} samples/s streamed in batches every ${batchMs} ms, measured ${m.seconds.toFixed(1)} s`,
        `  frames per second   ${m.fps.toFixed(1)} (goal ≥ 50) ${ok ? 'OK' : 'BELOW GOAL'}`,
        `  frame time p95/max  ${m.p95FrameMs.toFixed(1)} / ${m.maxFrameMs.toFixed(1)} ms`,
        `  long tasks (>50ms)  ${m.longTasks}`,
        `  samples/s shown     ${Math.round(m.shownSamplesPerS)} (histogram snapshots from the stats worker)`,
        '',
      ].join('\n'),
    );
    process.exitCode = ok ? 0 : 1;
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => {
      server.httpServer.close(() => {
        resolve();
      });
    });
    for (const c of wss.clients) c.terminate();
    wss.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

await main();
