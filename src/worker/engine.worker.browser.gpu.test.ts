/**
 * The engine worker in real Chromium (WebGPU on SwiftShader): Vite bundles client.ts and
 * engine.worker.ts (WGSL through `?raw`), a page starts the worker through createEngineClient,
 * and a run comes back through comlink as a valid result file with backend `webgpu`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from '@playwright/test';
import type { Browser } from '@playwright/test';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readResult } from '../model/index.ts';
import type { EngineStatus } from './api.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../e2e/chromium.ts';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
// Inside node_modules so that the page's imports (comlink) resolve like the lab's, and git ignores it.
const ROOT = join(REPO, 'node_modules', '.cache', 'attnlab-worker-browser-test');

const PAGE = `
import { proxy } from 'comlink';
import { createEngineClient } from '${join(REPO, 'src/worker/client.ts')}';
const api = createEngineClient();
const report = { status: null, result: null, samples: 0, phases: [], error: null };
window.report = report;
try {
  report.status = await api.init();
  report.result = await api.run(
    { id: 'browser-1', config: { batch: 1, heads: 2, seqLen: 77, headDim: 32, causal: true, dtype: 'f32' },
      kernel: 'flash-f32', stop: { kind: 'count', iterations: 8 }, cache: 'cold', seed: 1, warmup: 2 },
    proxy({
      onSamples: (ms) => { report.samples += ms.length; },
      onProgress: (p) => { if (report.phases.at(-1) !== p.phase) report.phases.push(p.phase); },
      onCheck: () => {},
    }),
  );
} catch (err) {
  report.error = String(err);
}
document.title = 'done';
`;

let server: Server;
let browser: Browser;
let url: string;

beforeAll(async () => {
  mkdirSync(ROOT, { recursive: true });
  writeFileSync(
    join(ROOT, 'index.html'),
    '<!doctype html><title>running</title><script type="module" src="./main.js"></script>',
  );
  writeFileSync(join(ROOT, 'main.js'), PAGE);
  await build({
    root: ROOT,
    configFile: false,
    logLevel: 'error',
    worker: { format: 'es' },
    build: { outDir: join(ROOT, 'dist'), emptyOutDir: true, target: 'es2022' },
  });
  server = createServer((req, res) => {
    const path = join(
      ROOT,
      'dist',
      req.url === '/' || req.url === undefined ? 'index.html' : (req.url.split('?')[0] ?? ''),
    );
    readFile(path).then(
      (body) => {
        res.writeHead(200, {
          'content-type': extname(path) === '.js' ? 'text/javascript' : 'text/html',
        });
        res.end(body);
      },
      () => {
        res.writeHead(404);
        res.end();
      },
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
  browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}, 120_000);

afterAll(async () => {
  await browser.close();
  server.close();
});

describe('engine worker in Chromium', () => {
  it('initialises WebGPU, checks and times a kernel, and returns a valid result', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForFunction(() => document.title === 'done', null, { timeout: 120_000 });
    const report = await page.evaluate(
      () =>
        (
          window as unknown as {
            report: {
              status: EngineStatus;
              result: unknown;
              samples: number;
              phases: string[];
              error: string | null;
            };
          }
        ).report,
    );
    expect(errors).toEqual([]);
    expect(report.error).toBeNull();
    expect(report.status.state).toBe('ready');
    const file = readResult(report.result);
    expect(file.status).toBe('completed');
    expect(file.target.backend).toBe('webgpu');
    expect(file.env.adapter?.runtime).toMatch(/Chrome/);
    expect(file.correctness?.passed).toBe(true);
    expect(file.samples.ms).toHaveLength(8);
    expect(report.samples).toBe(8);
    expect(report.phases).toEqual(expect.arrayContaining(['checking', 'warmup', 'timing']));
    await page.close();
  }, 120_000);
});
