/**
 * A result's own page: selecting one result in Results opens its histogram, samples over time,
 * the median's CI, correctness, timing and environment; the list filters by backend and hides
 * cancelled runs without samples.
 */
import { expect, openLab, test, runWebGpuAndCpu } from './lab.ts';

test('selecting a result opens its detail view; filters narrow the list', async ({ page }) => {
  await openLab(page);
  await runWebGpuAndCpu(page, 30);

  await page.getByRole('tab', { name: 'Results' }).click();
  const table = page.getByRole('table', { name: 'Results history' });
  await expect(table.getByRole('columnheader', { name: 'n', exact: true })).toBeVisible();
  const row = table.getByRole('row', { name: /cpu · cpu-flash-f32/ });
  await expect(row.getByRole('cell').nth(4)).toHaveText('30');
  await row.getByRole('checkbox').check();

  await expect(page.getByRole('heading', { level: 2, name: /cpu · cpu-flash-f32/ })).toBeVisible();
  const figures = page.getByLabel('Figures');
  await expect(figures).toContainText(/samples\s*30/);
  await expect(figures).toContainText(
    /95% CI of the median\s*\[\d+(\.\d+)?, \d+(\.\d+)?\] (µs|ms)/,
  );
  await expect(figures).toContainText(/median, first → last fifth/);
  const measured = page.getByLabel('How it was measured');
  await expect(measured).toContainText(/correctness\s*passed vs/);
  await expect(measured).toContainText(/timing\s*cpu-clock/);
  await expect(measured).toContainText(/throttling/);
  const histogram = page.getByRole('img', { name: /^Histogram of .*cpu · cpu-flash-f32/ });
  await expect(histogram).toBeVisible();
  await expect(histogram.locator('rect:not(.ci-band)').first()).toBeAttached();
  await expect(histogram.locator('rect.ci-band')).toHaveCount(1);
  const timeline = page.getByRole('img', { name: /^Samples over time of .*cpu · cpu-flash-f32/ });
  await expect(timeline.locator('circle')).toHaveCount(30);
  await expect(timeline.locator('path.rolling-median')).toHaveAttribute('d', /^M.+L/);
  await expect(page.getByRole('heading', { name: 'Environment' })).toBeVisible();

  // Filters: only the browser's results.
  await page.getByLabel('Backend').selectOption('webgpu');
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(page.getByText('1 of 2 shown')).toBeVisible();
  await page.getByLabel('Backend').selectOption('');
  await expect(table.getByRole('row')).toHaveCount(3);
});
