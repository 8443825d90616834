/** Screenshots for issue 16 (b): not committed. SHOTS=before|after */
import { configure, CPU_KERNEL, expect, openLab, pick, runAndWait, test, WEBGPU_KERNEL } from './lab.ts';

const phase = process.env.SHOTS ?? 'before';
const dir = '/work/wt/screens/16b';

test('screens', async ({ page }) => {
  test.setTimeout(400_000);
  await openLab(page);
  await configure(page, 20);
  await pick(page, WEBGPU_KERNEL);
  await pick(page, CPU_KERNEL);
  await runAndWait(page, 2);
  await page.getByRole('tab', { name: 'Results' }).click();
  const table = page.getByRole('table', { name: 'Results history' });
  await table.getByRole('checkbox', { name: /browser · webgpu · flash-f32/ }).check();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${dir}/${phase}-results-selected.png`, fullPage: true });
  await table.getByRole('checkbox', { name: /cpu · cpu-flash-f32/ }).check();
  await page.getByRole('button', { name: 'Compare selected' }).click();
  await expect(page.getByRole('heading', { name: /^Verdict/ })).toBeVisible();
  await page.waitForTimeout(1500);
  await page.screenshot({ path: `${dir}/${phase}-compare.png`, fullPage: true });
  await page.getByRole('tab', { name: 'Sweep' }).click();
  await page.getByLabel('Vary').selectOption('seqLen');
  await page.getByLabel('Sizes').fill('32,48,64');
  await page.getByRole('button', { name: 'Run sweep' }).click();
  await page.waitForTimeout(4000);
  await page.screenshot({ path: `${dir}/${phase}-sweep-running.png`, fullPage: true });
  await expect(page.getByRole('table', { name: 'Speedup over the baseline' })).toBeVisible({ timeout: 120_000 });
  await page.waitForTimeout(1000);
  await page.screenshot({ path: `${dir}/${phase}-sweep-done.png`, fullPage: true });
  if (phase === 'after') {
    await page.getByLabel('Vary').selectOption('heads');
    await page.getByLabel('Also across').selectOption('causal');
    await page.screenshot({ path: `${dir}/${phase}-sweep-axes-form.png`, fullPage: true });
  }
  await page.getByRole('tab', { name: 'Environment' }).click();
  await page.waitForTimeout(1000);
  await page.screenshot({ path: `${dir}/${phase}-environment.png`, fullPage: true });
});
