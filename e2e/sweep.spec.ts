/** A sweep of three sizes for two targets: chart with CI bands, roofline, geomean speedup. */
import {
  configure,
  CPU_KERNEL,
  downloadText,
  expect,
  openLab,
  pick,
  test,
  WEBGPU_KERNEL,
} from './lab.ts';

test('sweeps S over three sizes for WebGPU and the runner', async ({ page }) => {
  // Six runs on SwiftShader plus three exports: more than the default 90 s on two cores.
  test.setTimeout(180_000);
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

  // Results appear as each point finishes: the first speedup while the sweep still runs.
  const speedups = page.getByRole('table', { name: /Speedup over the baseline/ });
  await expect(speedups).toBeVisible({ timeout: 60_000 });
  await expect(page.getByText(/[2-5] of 6 runs — now/)).toBeVisible();
  await expect(page.getByText(/of 6 runs — now/)).toBeHidden({ timeout: 80_000 });
  await expect(speedups.getByRole('columnheader')).toHaveText([
    'target vs browser · webgpu · flash-f32',
    'S=32',
    'S=48',
    'S=64',
    'geomean',
  ]);
  // Each speedup with its 95% CI, then the geomean.
  await expect(speedups.getByRole('row', { name: /cpu · cpu-flash-f32/ })).toHaveText(
    /(\d+(\.\d+)?×\s*\[\d+(\.\d+)?, \d+(\.\d+)?\]\s*){3}\d+(\.\d+)?×/,
  );

  // The table exports as CSV and JSON: 6 rows, speedup CIs on the candidate's rows.
  const exports = page.getByRole('group', { name: 'Export sweep table' });
  const csv = await downloadText(page, () =>
    exports.getByRole('button', { name: 'CSV of the sweep table' }).click(),
  );
  expect(csv.name).toMatch(/^sweep-.*\.csv$/);
  const lines = csv.text.trim().split('\n');
  expect(lines[0]).toMatch(/^S,variant,target,baseline,n,median_ms,ci_lo_ms,ci_hi_ms,/);
  expect(lines).toHaveLength(7);
  expect(lines.filter((l) => /cpu-flash-f32,0,8,/.test(l))).toHaveLength(3);
  const json = await downloadText(page, () =>
    exports.getByRole('button', { name: 'JSON of the sweep table' }).click(),
  );
  const doc = JSON.parse(json.text) as {
    rows: { baseline: boolean; speedup: { ci: [number, number] } | null }[];
  };
  expect(doc.rows).toHaveLength(6);
  for (const row of doc.rows.filter((r) => !r.baseline)) {
    expect(row.speedup?.ci[0]).toBeLessThanOrEqual(row.speedup?.ci[1] ?? 0);
  }
  const html = await downloadText(page, () =>
    exports.getByRole('button', { name: 'HTML report (one file)' }).click(),
  );
  expect(html.name).toMatch(/^sweep-.*\.html$/);
  expect(html.text.match(/<svg /g)).toHaveLength(2);
  expect(
    html.text.match(/\b(?:src|href|action)\s*=|url\((?!#)|@import|<link\b|<script\b/gi) ?? [],
  ).toEqual([]);

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
