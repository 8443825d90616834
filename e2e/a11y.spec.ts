/**
 * Accessibility: axe over every view in both themes, after a real run and comparison so the
 * views hold content; any serious or critical violation fails the test with what and where.
 */
import AxeBuilder from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { expect, openLab, test, runWebGpuAndCpu, compareWebGpuAndCpu } from './lab.ts';

const VIEWS = [
  'Run',
  'Results',
  'Compare',
  'Kernel',
  'Sweep',
  'Environment',
  'Runners',
  'Learn',
] as const;

async function setTheme(page: Page, theme: 'light' | 'dark'): Promise<void> {
  const html = page.locator('html');
  for (let i = 0; i < 3 && (await html.getAttribute('data-theme')) !== theme; i++) {
    await page.getByRole('button', { name: /^Theme:/ }).click();
  }
  await expect(html).toHaveAttribute('data-theme', theme);
}

/** Serious and critical violations as readable lines: rule, impact, the first few targets. */
async function violations(page: Page): Promise<string[]> {
  const result = await new AxeBuilder({ page }).analyze();
  // The lesser ones are logged, so a run shows them without failing on them.
  for (const v of result.violations.filter(
    (x) => x.impact !== 'serious' && x.impact !== 'critical',
  ))
    console.log(
      `axe ${v.impact ?? '?'} ${v.id}: ${v.nodes
        .map((n) => n.target.join(' '))
        .slice(0, 3)
        .join(' | ')}`,
    );
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes
          .slice(0, 4)
          .map((n) => n.target.join(' '))
          .join(' | ')}`,
    );
}

test('every view in both themes has no serious or critical axe violation', async ({ page }) => {
  test.setTimeout(420_000);
  await openLab(page);
  await runWebGpuAndCpu(page, 10);
  await compareWebGpuAndCpu(page);
  await expect(page.getByRole('heading', { name: /^Verdict:/ })).toBeVisible();
  // The Kernel view with a kernel open, its messages and a passing check on screen.
  await page.getByRole('tab', { name: 'Kernel' }).click();
  await page.getByRole('button', { name: 'Edit copy of flash-f32', exact: true }).click();
  await expect(page.getByText('Compiles without messages.')).toBeVisible();
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Check passed' })).toBeVisible();

  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    for (const view of VIEWS) {
      await page.getByRole('tab', { name: view, exact: true }).click();
      await expect(page.getByRole('tab', { name: view, exact: true })).toHaveAttribute(
        'aria-selected',
        'true',
      );
      if (view === 'Learn') await expect(page.getByLabel('Step counter')).toBeVisible();
      if (view === 'Kernel')
        await expect(page.getByRole('textbox', { name: /^WGSL source of kernel/ })).toBeVisible();
      if (view === 'Compare')
        await expect(page.getByRole('heading', { name: /^Verdict:/ })).toBeVisible();
      const t0 = Date.now();
      for (const line of await violations(page)) found.push(`${theme} ${view}: ${line}`);
      console.log(`axe ${theme} ${view}: ${Date.now() - t0} ms`);
    }
  }
  expect(found).toEqual([]);
});
