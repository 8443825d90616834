/** A sweep of three sizes for two targets: chart with CI bands, roofline, geomean speedup. */
import { configure, CPU_KERNEL, expect, openLab, pick, test, WEBGPU_KERNEL } from './lab.ts';

test('sweeps S over three sizes for WebGPU and the runner', async ({ page }) => {
  await openLab(page);
  await configure(page, 8);
  await pick(page, WEBGPU_KERNEL);
  await pick(page, CPU_KERNEL);
  await page.getByRole('tab', { name: 'Sweep' }).click();
  await page.getByLabel('Vary').selectOption('seqLen');
  await page.getByLabel('Sizes').fill('32,48,64');
  await expect(page.getByText('browser · webgpu · flash-f32 — baseline')).toBeVisible();
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await expect(page.getByText(/of 6 runs — now/)).toBeVisible();

  const speedups = page.getByRole('table', { name: 'Speedup over the baseline' });
  await expect(speedups).toBeVisible({ timeout: 80_000 });
  await expect(speedups.getByRole('columnheader')).toHaveText([
    'target vs browser · webgpu · flash-f32',
    'S=32',
    'S=48',
    'S=64',
    'geomean',
  ]);
  await expect(speedups.getByRole('row', { name: /cpu · cpu-flash-f32/ })).toHaveText(
    /(\d+(\.\d+)?×\s*){4}/,
  );

  const chart = page.getByRole('img', { name: /Sweep over S: median time per target/ });
  await expect(chart).toBeVisible();
  await expect(chart.locator('circle')).toHaveCount(6);
  await expect(chart.locator('path.band')).toHaveCount(2);
  await page.getByLabel('Metric').selectOption('tflops');
  await expect(page.getByRole('img', { name: /Sweep over S: TFLOP\/s per target/ })).toBeVisible();

  const roofline = page.getByRole('img', { name: /Roofline/ });
  await expect(roofline.locator('circle')).toHaveCount(6);
  await expect(page.getByText(/device's ceilings are unknown/)).toBeVisible();

  // The six runs are in the history too.
  await page.getByRole('tab', { name: 'Results' }).click();
  await expect(page.getByRole('table', { name: 'Results history' }).getByRole('row')).toHaveCount(
    7,
  );
});
