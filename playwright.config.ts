/**
 * Browser tests: Debian's Chromium with WebGPU on SwiftShader, against the lab and a real local
 * runner (cpu backend) started together by scripts/start.ts on free ports. One worker: the
 * machine has two cores and SwiftShader uses them both.
 */
import { defineConfig } from '@playwright/test';
import { createServer } from 'node:net';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './e2e/chromium.ts';

/** A free loopback port (the OS picks it; closed again before the server binds it). */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

// Playwright evaluates this file in every worker too: pick the port once, in the main process,
// and pass it down through the environment so all of them agree.
process.env.ATTNLAB_E2E_PORT ??= String(await freePort());
const port = Number(process.env.ATTNLAB_E2E_PORT);
const baseURL = `http://127.0.0.1:${port}`;

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results/e2e',
  timeout: 90_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  forbidOnly: true,
  reporter: [['list']],
  use: {
    baseURL,
    browserName: 'chromium',
    viewport: { width: 1400, height: 1000 },
    timezoneId: 'UTC',
    locale: 'en-US',
    acceptDownloads: true,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
  },
  webServer: {
    command: `npx tsx scripts/start.ts --port ${port} --no-watch --results test-results/e2e-runner-results`,
    url: `${baseURL}/`,
    reuseExistingServer: false,
    timeout: 120_000,
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
