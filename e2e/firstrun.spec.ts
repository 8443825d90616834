/**
 * A newcomer's first visit: the best targets are preselected so one click on Run gives a
 * result, and SwiftShader is labelled as software (CPU-emulated) WebGPU wherever it shows.
 */
import { expect, openLab, test } from './lab.ts';

const SOFTWARE = 'software (CPU-emulated) WebGPU';

test('first click on Run gives a result, labelled as software WebGPU everywhere', async ({
  page,
}) => {
  await openLab(page, '/', { keepTargets: true });
  // Header: WebGPU is ready, and says it is a CPU emulation.
  await expect(page.getByLabel('Status').getByText(SOFTWARE)).toBeVisible();
  // Target list: the browser group and its kernels carry the label.
  const picker = page.getByRole('group', { name: `This browser (${SOFTWARE})` });
  await expect(picker).toBeVisible();
  const checked = page.getByRole('checkbox', { checked: true });
  await expect(checked).toHaveCount(2);
  await expect(picker.getByRole('checkbox', { checked: true })).toHaveCount(1);
  await expect(picker.getByRole('checkbox', { checked: true })).toHaveAccessibleName(
    new RegExp(SOFTWARE.replace(/[()]/g, '\\$&')),
  );
  await expect(page.getByRole('checkbox', { name: /^cpu · cpu-flash-f32/ })).toBeChecked();

  await page.getByRole('button', { name: 'Run 2 targets' }).click();
  await expect(page.getByRole('status').filter({ hasText: '2 of 2 runs finished' })).toBeAttached({
    timeout: 85_000,
  });
  await expect(page.getByLabel('Run state')).toHaveText('completed');

  // Results list: the browser's result says software; the runner's CPU result does not.
  await page.getByRole('tab', { name: 'Results' }).click();
  const rows = page.getByRole('table', { name: 'Results history' }).getByRole('row');
  await expect(rows).toHaveCount(3);
  await expect(rows.filter({ hasText: 'browser · webgpu' })).toContainText(SOFTWARE);
  await expect(rows.filter({ hasText: 'cpu · cpu-flash-f32' })).not.toContainText(SOFTWARE);
});
