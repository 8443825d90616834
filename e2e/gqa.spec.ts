/**
 * Grouped-query decode in real Chromium: the Llama-3-8B decode preset fills the form, a tiny
 * version of it runs on the runner's CPU backend and on the WGSL split-KV decode kernel in the
 * page, and the result reads in GB/s.
 */
import { CPU_KERNEL, expect, openLab, pick, runAndWait, test } from './lab.ts';

test('a grouped-query decode preset, shrunk, runs on the CPU backend and WebGPU and shows GB/s', async ({
  page,
}) => {
  await openLab(page);
  await page
    .getByLabel('Preset')
    .selectOption({ label: 'Llama-3-8B decode, 8k cache (B1 H32 Hkv8 S1 Skv8192 D128 f16)' });
  await expect(page.getByLabel('Heads H', { exact: true })).toHaveValue('32');
  await expect(page.getByLabel('KV heads (Hkv)')).toHaveValue('8');
  await expect(page.getByLabel('Sequence length S')).toHaveValue('1');
  await expect(page.getByLabel('KV length Skv')).toHaveValue('8192');
  await expect(page.getByLabel('Element type')).toHaveValue('f16');

  // Validated as you type, like every other field.
  await page.getByLabel('KV heads (Hkv)').fill('3');
  await expect(page.getByText('must divide heads (32): one of 1, 2, 4, 8, 16, 32')).toBeVisible();

  // A tiny decode the CPU computes in f32: 4 query heads on 2 KV heads, one query, 512 keys.
  await page.getByLabel('Element type').selectOption('f32');
  await page.getByLabel('Heads H', { exact: true }).fill('4');
  await page.getByLabel('KV heads (Hkv)').fill('2');
  await page.getByLabel('KV length Skv').fill('512');
  await page.getByLabel('Head dim D').fill('32');
  await page.getByLabel('Stop when').selectOption('count');
  await page.getByRole('textbox', { name: 'Samples', exact: true }).fill('10');

  // The WGSL split-KV decode kernel runs the same problem in the page, beside the CPU backend.
  await pick(page, /^flash-decode-f32\b/);
  await pick(page, CPU_KERNEL);
  await runAndWait(page, 2);

  const live = page.getByRole('region', { name: /cpu · cpu-flash-f32/ });
  await expect(live.getByLabel('Run state')).toHaveText('completed');
  await expect(live.getByLabel('Figures')).toContainText(
    /bandwidth \(minimal bytes\)\s*\d+(\.\d+)?(e[+-]?\d+)? GB\/s/,
  );

  // The WGSL run of the batch: checked against the f64 reference, then timed.
  await page
    .getByRole('button', { name: /browser · webgpu · flash-decode-f32 — completed/ })
    .click();
  const wgsl = page.getByRole('region', { name: /browser · webgpu · flash-decode-f32/ });
  await expect(wgsl.getByLabel('Run state')).toHaveText('completed');
  await expect(wgsl).toContainText(
    /correct vs f64-cpu: rel L2 error [\d.e+-]+\s+\(tolerance [\d.e+-]+\), 4\/4 rows checked/,
  );

  await page.getByRole('tab', { name: 'Results' }).click();
  const table = page.getByRole('table', { name: 'Results history' });
  // One row per backend (CPU and WebGPU), both checked against the f64 reference.
  const rows = table.getByRole('row', { name: /B=1 H=4 Hkv=2 S=1 Skv=512 D=32 f32 causal/ });
  await expect(rows).toHaveCount(2);
  for (const row of await rows.all()) {
    await expect(row.getByRole('cell', { name: 'passed' })).toBeVisible();
  }
  // The permalink carries the KV fields.
  await page.getByRole('tab', { name: 'Run', exact: true }).click();
  await expect(page).toHaveURL(/[?&]Hkv=2&Skv=512(&|$)/);
});
