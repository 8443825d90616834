/**
 * The Run view in real Chromium: a WebGPU benchmark streams into the histogram and ends with
 * its figures; a bad config is refused field by field before anything runs.
 */
import { configure, expect, openLab, pick, runAndWait, test, WEBGPU_KERNEL } from './lab.ts';

test('runs a WebGPU benchmark and shows the histogram, median, CI and throughput', async ({
  page,
}) => {
  await openLab(page);
  await configure(page, 30);
  await pick(page, WEBGPU_KERNEL);
  await runAndWait(page, 1);

  const live = page.getByRole('region', { name: /browser · webgpu · flash-f32/ });
  await expect(live.getByLabel('Run state')).toHaveText('completed');
  await expect(live.getByText(/correct/).first()).toBeVisible();
  // Median and CI are real times with units; throughput follows from them.
  const figures = live.getByLabel('Figures');
  await expect(figures).toContainText(/median\s*\d+(\.\d+)? (µs|ms)/);
  await expect(figures).toContainText(
    /95% CI of the median\s*\[\d+(\.\d+)?, \d+(\.\d+)?\] (µs|ms|s)/,
  );
  await expect(figures).toContainText(/throughput\s*\d.*TFLOP\/s/);
  await expect(figures).toContainText(/samples\s*30/);
  const histogram = live.getByRole('img', { name: /Histogram of 30 samples, median/ });
  await expect(histogram).toBeVisible();
  expect(await histogram.locator('.bars rect').count()).toBeGreaterThan(0);
  await expect(histogram.locator('line.median')).toHaveCount(1);

  // It is in the history with its figures.
  await page.getByRole('tab', { name: 'Results' }).click();
  const rows = page.getByRole('table', { name: 'Results history' }).getByRole('row');
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(1)).toContainText('browser · webgpu · flash-f32');
  await expect(rows.nth(1)).toContainText('B=1 H=1 S=64 D=32 f32');
  await expect(rows.nth(1)).toContainText('passed');
});

test('a bad config shows each error by its field with the allowed range, and Run stays off', async ({
  page,
}) => {
  await openLab(page);
  await pick(page, WEBGPU_KERNEL);
  const run = page.getByRole('button', { name: /^Run/ });
  await expect(run).toBeEnabled();

  await page.getByLabel('Sequence length S').fill('0');
  await page.getByLabel('Head dim D').fill('60');
  await page.getByLabel('Samples').fill('abc');
  await expect(page.getByLabel('Sequence length S')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByText('must be an integer in 1..65536 (got 0)')).toBeVisible();
  await expect(page.getByText('must be a multiple of 8 in 8..256 (got 60)')).toBeVisible();
  await expect(page.getByText('must be an integer in 1..100000 (got "abc")')).toBeVisible();
  await expect(run).toBeDisabled();
  await expect(page.getByText('Fix the highlighted fields first.')).toBeVisible();

  await page.getByLabel('Sequence length S').fill('64');
  await page.getByLabel('Head dim D').fill('64');
  await page.getByLabel('Samples').fill('20');
  await expect(page.getByLabel('Sequence length S')).toHaveAttribute('aria-invalid', 'false');
  await expect(run).toBeEnabled();
});

test('a config too large for the adapter is refused for the WebGPU targets, with the sizes', async ({
  page,
}) => {
  await openLab(page);
  await page.getByLabel('Batch B').fill('4096');
  await page.getByLabel('Heads H').fill('64');
  await page.getByLabel('Sequence length S').fill('4096');
  const picker = page.getByRole('group', { name: /^This browser \(/ });
  await expect(
    picker
      .getByText(/Too large for this device: one tensor needs .* GiB, and the adapter allows/)
      .first(),
  ).toBeVisible();
  await expect(picker.getByRole('checkbox', { name: WEBGPU_KERNEL })).toBeDisabled();
});
