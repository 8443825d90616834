/**
 * WebGPU in the browser against the runner's CPU backend: run both, compare them, and read the
 * verdict, the speedup with its CI and both medians' CIs; then an interleaved A/B run.
 */
import { readFile } from 'node:fs/promises';
import {
  configure,
  CPU_KERNEL,
  downloadText,
  expect,
  openLab,
  pick,
  test,
  WEBGPU_KERNEL,
  runWebGpuAndCpu,
  compareWebGpuAndCpu,
} from './lab.ts';

test('runs WebGPU and the runner, then compares them with verdict and CIs', async ({ page }) => {
  await openLab(page);
  await runWebGpuAndCpu(page, 25);

  await compareWebGpuAndCpu(page);

  await expect(page.getByRole('tab', { name: 'Compare' })).toHaveAttribute('aria-selected', 'true');
  await expect(
    page.getByRole('heading', {
      name: /^Verdict: (Candidate is faster|Candidate is slower|Same speed|Inconclusive)/,
    }),
  ).toBeVisible();
  const figures = page.getByLabel('Comparison figures');
  await expect(figures).toContainText(/speedup \(A median \/ B median\)\s*\d+(\.\d+)?×/);
  await expect(figures).toContainText(/95% CI of the speedup\s*\[\d+(\.\d+)?, \d+(\.\d+)?\]/);
  await expect(figures).toContainText(/Hedges' g\s*-?\d/);
  await expect(figures).toContainText(/Cliff's δ\s*-?\d/);
  await expect(figures).toContainText(/Mann–Whitney p\s*(< 0\.001|\d)/);
  const sides = page.getByRole('table', { name: 'Both sides' });
  await expect(
    sides.getByRole('row', { name: /A baseline.*browser · webgpu · flash-f32.*25.*\[.*\]/ }),
  ).toBeVisible();
  await expect(
    sides.getByRole('row', { name: /B candidate.*cpu · cpu-flash-f32.*25.*\[.*\]/ }),
  ).toBeVisible();
  await expect(page.getByText(/^Median time: /)).toBeVisible();
  await expect(page.getByRole('img', { name: 'Violin and box plots of A and B' })).toBeVisible();
  await expect(page.getByRole('img', { name: 'ECDF of A and B' })).toBeVisible();
  // Any chart exports as a standalone SVG and as a PNG.
  const svg = await downloadText(page, () =>
    page.getByRole('button', { name: /^SVG of Empirical CDF|^SVG of Fraction of samples/ }).click(),
  );
  expect(svg.name).toMatch(/^ecdf-.*\.svg$/);
  expect(svg.text).toContain('<svg xmlns="http://www.w3.org/2000/svg"');
  expect(svg.text).toContain('aria-label="ECDF of A and B"');
  const [png] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: /^PNG of Violin/ }).click(),
  ]);
  expect(png.suggestedFilename()).toMatch(/^violin-.*\.png$/);
  const bytes = await readFile(await png.path());
  expect([...bytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(bytes.length).toBeGreaterThan(2000);
  // A browser adapter against a Linux host: the environments differ, field by field.
  await expect(page.getByText(/\d+ fields differ/)).toBeVisible();
});

test('an interleaved A/B run from Compare saves both sides and compares them', async ({ page }) => {
  await openLab(page);
  await configure(page, 10);
  await pick(page, WEBGPU_KERNEL);
  await pick(page, CPU_KERNEL);
  await page.getByRole('tab', { name: 'Compare' }).click();
  await expect(page.getByLabel('Target A (baseline)')).toHaveValue(/^browser\|webgpu\|flash-f32$/);
  await expect(page.getByLabel('Target B (candidate)')).toHaveValue(/\|cpu\|cpu-flash-f32$/);
  await page.getByLabel('Rounds').fill('2');
  await page.getByLabel('Samples per round').fill('6');
  await page.getByRole('button', { name: 'Run interleaved' }).click();
  await expect(page.getByText(/Round 1 of 2: A/)).toBeVisible();
  await expect(page.getByRole('heading', { name: /^Verdict:/ })).toBeVisible({ timeout: 75_000 });
  const sides = page.getByRole('table', { name: 'Both sides' });
  // 2 rounds × 6 samples on each side.
  await expect(sides.getByRole('row', { name: /A baseline.* 12 / })).toBeVisible();
  await expect(sides.getByRole('row', { name: /B candidate.* 12 / })).toBeVisible();
  // Both sides come from one interleaved run: no separate-runs warning.
  await expect(page.locator('[data-code="separate-runs"]')).toHaveCount(0);
  await page.getByRole('tab', { name: 'Results' }).click();
  await expect(page.getByRole('table', { name: 'Results history' }).getByRole('row')).toHaveCount(
    3,
  );
});
