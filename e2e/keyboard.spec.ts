/**
 * The whole flow by keyboard alone: configure, pick targets, run, move between tabs with the
 * arrow keys, select two results, compare, open and dismiss a dialog, switch the theme.
 */
import type { Locator, Page } from '@playwright/test';
import { configure, CPU_KERNEL, expect, openLab, pick, test, WEBGPU_KERNEL } from './lab.ts';

/** Presses Tab (or Shift+Tab) until `target` has focus; fails after 60 presses. */
async function tabTo(page: Page, target: Locator, back = false): Promise<void> {
  for (let i = 0; i < 60; i++) {
    if (await target.evaluate((el) => el === document.activeElement)) return;
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
  }
  throw new Error(`could not reach ${target.toString()} with ${back ? 'Shift+Tab' : 'Tab'}`);
}

async function typeInto(page: Page, field: Locator, text: string): Promise<void> {
  await tabTo(page, field);
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

test('configure, run, compare and switch theme without a mouse', async ({ page }) => {
  await openLab(page);
  await typeInto(page, page.getByLabel('Heads H'), '1');
  await typeInto(page, page.getByLabel('Sequence length S'), '64');
  await typeInto(page, page.getByLabel('Head dim D'), '32');
  await typeInto(page, page.getByRole('textbox', { name: 'Samples', exact: true }), '15');
  await tabTo(page, page.getByRole('checkbox', { name: WEBGPU_KERNEL }));
  await page.keyboard.press('Space');
  await tabTo(page, page.getByRole('checkbox', { name: CPU_KERNEL }));
  await page.keyboard.press('Space');
  await expect(page.getByRole('checkbox', { name: CPU_KERNEL })).toBeChecked();
  // Enter in a field submits the form: Run.
  await tabTo(page, page.getByLabel('Batch B'), true);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: '2 of 2 runs finished' })).toBeAttached({
    timeout: 75_000,
  });

  // Tabs: focus the selected one, then arrows move and select.
  const runTab = page.getByRole('tab', { name: 'Run', exact: true });
  await tabTo(page, runTab, true);
  await page.keyboard.press('ArrowRight');
  const results = page.getByRole('tab', { name: 'Results' });
  await expect(results).toBeFocused();
  await expect(results).toHaveAttribute('aria-selected', 'true');

  const table = page.getByRole('table', { name: 'Results history' });
  await tabTo(page, table.getByRole('checkbox', { name: /browser · webgpu/ }));
  await page.keyboard.press('Space');
  await tabTo(page, table.getByRole('checkbox', { name: /cpu · cpu-flash-f32/ }), true);
  await page.keyboard.press('Space');

  // A dialog opens with focus inside and Escape dismisses it without deleting anything.
  await tabTo(page, page.getByRole('button', { name: 'Clear history…' }), true);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Clear the whole history?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Keep' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(table.getByRole('row')).toHaveCount(3);

  await tabTo(page, page.getByRole('button', { name: 'Compare selected' }), true);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: /^Verdict:/ })).toBeVisible();
  await expect(page.getByLabel('Comparison figures')).toContainText(/95% CI of the speedup\s*\[/);

  // Theme: system → light → dark.
  const theme = page.getByRole('button', { name: /^Theme:/ });
  await tabTo(page, theme, true);
  await page.keyboard.press('Enter');
  await page.keyboard.press('Enter');
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await expect(theme).toHaveText('Theme: Dark');
});

test('Enter keeps focus on Run/Cancel, and Ctrl+Enter runs and cancels', async ({ page }) => {
  await openLab(page);
  await configure(page, 15);
  await pick(page, WEBGPU_KERNEL);
  // Enter in a field runs; focus moves to Cancel while it runs and back to Run after.
  await page.getByLabel('Batch B').press('Enter');
  await expect(page.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await expect(page.getByRole('status').filter({ hasText: '1 of 1 runs finished' })).toBeAttached({
    timeout: 75_000,
  });
  await expect(page.getByRole('button', { name: /^Run/ })).toBeFocused();

  // The shortcut, shown beside the buttons: Ctrl+Enter runs, and again cancels.
  await expect(page.getByText(/Ctrl\s*\+\s*Enter.*runs; pressed again/)).toBeVisible();
  await page.getByRole('textbox', { name: 'Samples', exact: true }).fill('100000');
  await page.keyboard.press('Control+Enter');
  await expect(page.getByLabel('Run state')).toHaveText('running');
  await expect(page.getByText(/^(warm-up|timing|checking correctness|setup) · /)).toBeVisible();
  await page.keyboard.press('Control+Enter');
  await expect(page.getByLabel('Run state')).toHaveText('cancelled', { timeout: 10_000 });
});
