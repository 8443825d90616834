/**
 * The Kernel view, as a person uses it: "Edit copy" of flash-f32, a syntax error shown inline at
 * its line, a wrong kernel (no running-max rescale) caught by Check and refused by Run, the
 * restored kernel checked, run and compared with flash-f32; then a reload keeps it and its link
 * opens it in a fresh profile. Tiny shapes (S = 64): WebGPU here is SwiftShader.
 */
import { readFileSync } from 'node:fs';
import type { Page } from '@playwright/test';
import { configure, downloadText, expect, openLab, test } from './lab.ts';

const ORIGINAL = `// @attnlab like=flash-f32\n${readFileSync(
  new URL('../shaders/flash-f32/flash_f32.wgsl', import.meta.url),
  'utf8',
)}`;
const RESCALE = 'let alpha = exp2(m - m_new);';
const EDITOR = { name: 'WGSL source of kernel flash-f32-edit' } as const;

/** Replaces the editor's whole text, as a paste would. */
async function replaceText(page: Page, text: string): Promise<void> {
  const editor = page.getByRole('textbox', EDITOR);
  await editor.click();
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.insertText(text);
}

/** 1-based line of the first line containing `needle`. */
function lineOf(text: string, needle: string): number {
  return text.split('\n').findIndex((l) => l.includes(needle)) + 1;
}

test('edit a copy of flash-f32: compile errors, check, refused and accepted runs, compare, reload, link', async ({
  page,
  browser,
}) => {
  test.setTimeout(300_000);
  await openLab(page);
  await configure(page, 10);
  await page.getByRole('button', { name: 'Edit copy of flash-f32', exact: true }).click();
  await expect(page.getByRole('tab', { name: 'Kernel' })).toHaveAttribute('aria-selected', 'true');
  const editor = page.getByRole('textbox', EDITOR);
  await expect(editor).toBeVisible();
  await expect(editor).toContainText('// @attnlab like=flash-f32');
  await expect(page.getByText('Compiles without messages.')).toBeVisible();

  // A syntax error: shown in the list and inline, at its line; nothing can run.
  expect(ORIGINAL).toContain(RESCALE);
  const broken = ORIGINAL.replace(RESCALE, 'let alpha = exp2(m - m_new) +;');
  const badLine = lineOf(broken, 'exp2(m - m_new) +;');
  await replaceText(page, broken);
  const list = page.getByRole('list', { name: 'Compiler messages' });
  await expect(list).toContainText(`line ${badLine}, column`);
  await expect(page.getByRole('button', { name: 'Check', exact: true })).toBeDisabled();
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeDisabled();
  await expect(
    page.getByText(/^Run refused: The shader does not compile \(1 error\)/),
  ).toBeVisible();
  // F8 jumps to the diagnostic; the marked text sits on the broken line.
  await editor.click();
  await page.keyboard.press('F8');
  const marked = page.locator('.cm-line', { has: page.locator('.cm-lintRange-error') });
  await expect(marked).toHaveCount(1);
  await expect(marked).toHaveText(broken.split('\n')[badLine - 1] ?? '');

  // Compiles again, but without the running-max rescale the output is wrong.
  await replaceText(page, ORIGINAL.replace(RESCALE, 'let alpha = 1.0;'));
  await expect(page.getByText('Compiles without messages.')).toBeVisible();
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Check failed' })).toBeVisible();
  const figures = page.getByRole('definition');
  await expect(page.getByText('First mismatch')).toBeVisible();
  await expect(figures.filter({ hasText: /^b=0, h=0, row=\d+, col=\d+: got / })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Run', exact: true })).toBeDisabled();
  await expect(page.getByText(/^Run refused: The latest check failed/)).toBeVisible();

  // Restored: the check passes, the run completes and lands in Results.
  await replaceText(page, ORIGINAL);
  await expect(
    page.getByText(
      'Run refused: The latest check failed and the source changed since; check again.',
    ),
  ).toBeVisible();
  await expect(page.getByText('Compiles without messages.')).toBeVisible();
  await page.getByRole('button', { name: 'Check', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Check passed' })).toBeVisible();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Run completed' })).toBeVisible({
    timeout: 60_000,
  });
  await expect(
    page.getByText(/^browser · webgpu · flash-f32-edit.*: median .* over 10 samples/),
  ).toBeVisible();

  // The result records the source: Results shows its hash and the built-in it follows.
  await page.getByRole('button', { name: 'Open in Results' }).click();
  const record = page.locator('dd', { hasText: 'wgsl, follows flash-f32; SHA-256' });
  await expect(record).toBeVisible();
  await expect(record.locator('code')).toHaveText(/^[0-9a-f]{12}…$/);
  await expect(page.getByRole('button', { name: 'Open in Kernel' })).toBeVisible();
  await page.getByRole('tab', { name: 'Kernel' }).click();

  // Compare with the parent, A/B interleaved: the usual verdict.
  await page.getByRole('button', { name: 'Compare with flash-f32 (A/B)' }).click();
  await expect(page.getByRole('tab', { name: 'Compare' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('heading', { name: /^Verdict:/ })).toBeVisible({ timeout: 120_000 });
  await expect(page.getByLabel('Candidate (B)')).toHaveValue(/.+/);
  await expect(page.getByLabel('Candidate (B)').locator('option:checked')).toHaveText(
    /browser · webgpu · flash-f32-edit/,
  );
  await expect(page.getByLabel('Baseline (A)').locator('option:checked')).toHaveText(
    /^browser · webgpu · flash-f32(?!-edit)/,
  );
  // Compare's own A/B picker offers the checked kernel too.
  await expect(
    page.getByLabel('Target B (candidate)').locator('option', {
      hasText: 'flash-f32-edit (yours, Kernel tab: check passed)',
    }),
  ).toHaveCount(1);

  // A reload opens the same kernel again.
  await page.getByRole('tab', { name: 'Kernel' }).click();
  await page.reload();
  await expect(page.getByText('WebGPU: ready')).toBeVisible();
  await expect(page.getByRole('tab', { name: 'Kernel' })).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByRole('textbox', EDITOR)).toContainText('// @attnlab like=flash-f32');
  await expect(page.getByLabel('Name', { exact: true })).toHaveValue('flash-f32-edit');
  await expect(page.getByText('Compiles without messages.')).toBeVisible();

  // Its link opens it in a fresh profile (no IndexedDB): the source comes from the link.
  await page.getByRole('button', { name: 'Copy link' }).click();
  const url = await page.getByLabel(/^Link to this kernel/).inputValue();
  expect(url).toMatch(/#kernel=flash-f32-edit\.[\w-]+$/);
  const fresh = await browser.newContext();
  const copy = await fresh.newPage();
  await copy.goto(url);
  await expect(copy.getByText('WebGPU: ready')).toBeVisible();
  await expect(copy.getByRole('tab', { name: 'Kernel' })).toHaveAttribute('aria-selected', 'true');
  await expect(copy.getByText('Opened kernel "flash-f32-edit" from the link.')).toBeVisible();
  await expect(copy.getByRole('textbox', EDITOR)).toContainText('// @attnlab like=flash-f32');
  await expect(copy.getByText('Compiles without messages.')).toBeVisible();
  expect(copy.url()).not.toContain('#kernel=');
  await fresh.close();
});

/** A valid kernel padded with a long comment of seeded noise, which deflate cannot shrink much. */
function bulky(source: string): string {
  let x = 12345;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const lines: string[] = [];
  for (let l = 0; l < 150; l++) {
    let line = '// ';
    for (let i = 0; i < 80; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      line += alphabet[x % alphabet.length] ?? 'x';
    }
    lines.push(line);
  }
  return `${source}\n${lines.join('\n')}\n`;
}

test('blank template, rename, export and import .wgsl, a too-long link refused, delete', async ({
  page,
}) => {
  await openLab(page);
  await configure(page, 5);
  await page.getByRole('tab', { name: 'Kernel' }).click();
  await expect(page.getByText(/^No kernel is open/)).toBeVisible();
  await page.getByRole('button', { name: 'Blank template' }).click();
  await expect(
    page.getByRole('textbox', { name: 'WGSL source of kernel my-kernel' }),
  ).toBeVisible();
  await expect(page.getByText('Compiles without messages.')).toBeVisible();
  // Keyboard: Ctrl+F searches; Escape then Tab leaves the editor (Tab alone indents).
  const editor = page.getByRole('textbox', { name: 'WGSL source of kernel my-kernel' });
  await editor.click();
  await page.keyboard.press('ControlOrMeta+f');
  const find = page.getByRole('textbox', { name: 'Find' });
  await expect(find).toBeFocused();
  await page.keyboard.type('workgroup_size');
  await expect(page.locator('.cm-searchMatch').first()).toHaveText('workgroup_size');
  await page.keyboard.press('Escape');
  await expect(find).toBeHidden();
  await expect(editor).toBeFocused();
  await page.keyboard.press('Escape');
  await page.keyboard.press('Tab');
  await expect(page.getByRole('button', { name: 'Check', exact: true })).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { name: 'Check passed' })).toBeVisible();

  await page.getByLabel('Name', { exact: true }).fill('tmpl-1');
  await page.getByRole('button', { name: 'Rename' }).click();
  await expect(page.getByRole('textbox', { name: 'WGSL source of kernel tmpl-1' })).toBeVisible();
  await expect(page.getByLabel('Saved in this browser')).toHaveValue('tmpl-1');

  const exported = await downloadText(page, () =>
    page.getByRole('button', { name: 'Export .wgsl' }).click(),
  );
  expect(exported.name).toBe('tmpl-1.wgsl');
  expect(exported.text).toMatch(
    /^\/\/ @attnlab scheme=row-per-invocation dtype=f32 entries=main\n/,
  );

  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Import .wgsl…' }).click(),
  ]);
  await chooser.setFiles({
    name: 'big one.wgsl',
    mimeType: 'text/plain',
    buffer: Buffer.from(bulky(exported.text)),
  });
  await expect(page.getByText('Imported big one.wgsl as "big-one".')).toBeVisible();
  await expect(page.getByRole('textbox', { name: 'WGSL source of kernel big-one' })).toBeVisible();
  await expect(page.getByText('Compiles without messages.')).toBeVisible();
  await page.getByRole('button', { name: 'Copy link' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: /^No link: this kernel makes a \d+-character link/ }),
  ).toContainText('Export the .wgsl file and share that instead.');

  await page.getByRole('button', { name: 'Delete…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete kernel big-one?' });
  await dialog.getByRole('button', { name: 'Delete' }).click();
  await expect(page.getByText(/^No kernel is open/)).toBeVisible();
  await expect(page.getByLabel('Saved in this browser').locator('option')).toHaveText(['tmpl-1']);
});
