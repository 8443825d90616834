/**
 * Helpers for the lab's browser tests: they act as a person would (labels, roles, visible text)
 * and keep every benchmark tiny, because WebGPU here runs on SwiftShader on two CPU cores.
 */
import { test as base, expect, type Page } from '@playwright/test';

/**
 * Playwright's `test`, failing any test whose page threw an uncaught error or logged one to the
 * console: a broken view must not pass because the assertions happened to look elsewhere.
 */
export const test = base.extend<{ pageErrors: string[] }>({
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
      page.on('console', (m) => {
        // Resource errors (404s, refused sockets) are expected in some tests; code errors are not.
        if (
          m.type() === 'error' &&
          !/Failed to load resource|WebSocket connection/.test(m.text())
        ) {
          errors.push(`console: ${m.text()}`);
        }
      });
      await use(errors);
      expect(errors, 'errors in the page').toEqual([]);
    },
    { auto: true },
  ],
});
export { expect };

/** The tiny problem every test runs: B=1 H=1 S=64 D=32 f32. */
export const TINY = { batch: '1', heads: '1', seqLen: '64', headDim: '32' } as const;

/** The browser's flash kernel and the runner's CPU kernel. */
export const WEBGPU_KERNEL = /^flash-f32\b/;
export const CPU_KERNEL = /cpu · cpu-flash-f32/;

/**
 * Opens the lab and waits until WebGPU and the local runner are ready. The first-run
 * preselection is cleared (unless `keepTargets`), so a test picks exactly the targets it runs.
 */
export async function openLab(
  page: Page,
  path = '/',
  options: { keepTargets?: boolean } = {},
): Promise<void> {
  await page.goto(path);
  await expect(page.getByText('WebGPU: ready')).toBeVisible();
  await expect(page.getByText('Runners: 1/1 connected')).toBeVisible();
  if (options.keepTargets === true || path.includes('t=')) return;
  // Both engines are ready, so the preselection (browser + runner) is in place: clear it.
  await expect(page.getByRole('checkbox', { checked: true })).toHaveCount(2);
  await page.getByRole('button', { name: 'Clear targets' }).click();
  await expect(page.getByRole('checkbox', { checked: true })).toHaveCount(0);
}

/** Fills the config form with a tiny problem and a fixed sample count. */
export async function configure(
  page: Page,
  samples: number,
  seqLen: string = TINY.seqLen,
): Promise<void> {
  await page.getByLabel('Batch B').fill(TINY.batch);
  await page.getByLabel('Heads H').fill(TINY.heads);
  await page.getByLabel('Sequence length S').fill(seqLen);
  await page.getByLabel('Head dim D').fill(TINY.headDim);
  await page.getByLabel('Stop when').selectOption('count');
  await page.getByRole('textbox', { name: 'Samples', exact: true }).fill(String(samples));
}

/** Ticks a target in the picker by its visible name. */
export async function pick(page: Page, name: RegExp): Promise<void> {
  const box = page.getByRole('checkbox', { name });
  await expect(box).toBeEnabled();
  await box.check();
}

/** Presses Run and waits until every run of the batch (`runs` in all) finished. */
export async function runAndWait(page: Page, runs: number): Promise<void> {
  await page.getByRole('button', { name: /^Run( \d+ targets)?$/ }).click();
  await expect(
    page.getByRole('status').filter({ hasText: `${runs} of ${runs} runs finished` }),
  ).toBeAttached({
    timeout: 75_000,
  });
}

/** Reads a download's text. */
export async function downloadText(
  page: Page,
  click: () => Promise<void>,
): Promise<{ name: string; text: string }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const stream = await download.createReadStream();
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { name: download.suggestedFilename(), text: Buffer.concat(chunks).toString('utf8') };
}

/** Runs this browser's flash-f32 and the runner's cpu-flash-f32 on the tiny problem, together. */
export async function runWebGpuAndCpu(page: Page, samples: number): Promise<void> {
  await configure(page, samples);
  await pick(page, WEBGPU_KERNEL);
  await pick(page, CPU_KERNEL);
  await runAndWait(page, 2);
}

/** Selects those two results in Results (WebGPU first: the baseline) and opens Compare. */
export async function compareWebGpuAndCpu(page: Page): Promise<void> {
  await page.getByRole('tab', { name: 'Results' }).click();
  const table = page.getByRole('table', { name: 'Results history' });
  await table.getByRole('checkbox', { name: /browser · webgpu · flash-f32/ }).check();
  await table.getByRole('checkbox', { name: /cpu · cpu-flash-f32/ }).check();
  await page.getByRole('button', { name: 'Compare selected' }).click();
}
