/**
 * Permalinks open the same state in a fresh browser profile: the Run form with every field and
 * its targets, a comparison by result ids (with a clear message where the results are missing,
 * and kept across a reload where they are not), and the Learn view's problem and step.
 */
import {
  configure,
  CPU_KERNEL,
  expect,
  openLab,
  pick,
  test,
  WEBGPU_KERNEL,
  runWebGpuAndCpu,
  compareWebGpuAndCpu,
} from './lab.ts';

test('the Run URL carries every field and the targets into a fresh profile', async ({
  page,
  browser,
}) => {
  await openLab(page);
  await configure(page, 17, '96');
  await page.getByLabel('Causal mask').check();
  await page.getByLabel('Cache').selectOption('warm');
  await page.getByLabel('Input seed').fill('77');
  await pick(page, WEBGPU_KERNEL);
  await pick(page, CPU_KERNEL);
  await expect(page).toHaveURL(
    /[?&]S=96&D=32&causal=1&dtype=f32&cache=warm&seed=77&stop=count:17&t=browser\|webgpu\|flash-f32&t=ws:/,
  );

  const fresh = await browser.newContext();
  const copy = await fresh.newPage();
  await openLab(copy, page.url());
  await expect(copy.getByLabel('Sequence length S')).toHaveValue('96');
  await expect(copy.getByLabel('Heads H')).toHaveValue('1');
  await expect(copy.getByLabel('Causal mask')).toBeChecked();
  await expect(copy.getByLabel('Cache')).toHaveValue('warm');
  await expect(copy.getByLabel('Input seed')).toHaveValue('77');
  await expect(copy.getByRole('textbox', { name: 'Samples', exact: true })).toHaveValue('17');
  await expect(copy.getByRole('checkbox', { name: WEBGPU_KERNEL })).toBeChecked();
  await expect(copy.getByRole('checkbox', { name: CPU_KERNEL })).toBeChecked();
  await expect(copy.getByRole('button', { name: 'Run 2 targets' })).toBeEnabled();
  await fresh.close();
});

test('a Compare URL names the results: a reload keeps the comparison, a fresh profile says what is missing', async ({
  page,
  browser,
}) => {
  await openLab(page);
  await runWebGpuAndCpu(page, 12);
  await compareWebGpuAndCpu(page);
  const verdict = page.getByRole('heading', { name: /^Verdict:/ });
  await expect(verdict).toBeVisible();
  await expect(page).toHaveURL(/[?&]tab=compare&.*&a=[^&]+&b=[^&]+&margin=2/);
  const ids = new URL(page.url()).searchParams;
  const a = ids.get('a') ?? '';
  const b = ids.get('b') ?? '';

  await page.reload();
  await expect(page.getByRole('tab', { name: 'Compare' })).toHaveAttribute('aria-selected', 'true');
  await expect(verdict).toBeVisible();
  await expect(page.getByRole('table', { name: 'Both sides' })).toContainText('cpu-flash-f32');

  const fresh = await browser.newContext();
  const copy = await fresh.newPage();
  await copy.goto(page.url());
  await expect(copy.getByRole('tab', { name: 'Compare' })).toHaveAttribute('aria-selected', 'true');
  await expect(copy.getByText(`Not in this browser's history: ${a}, ${b}.`)).toBeVisible();
  await expect(
    copy.getByText(/This link compares results .* not in this browser's history/),
  ).toBeVisible();
  await fresh.close();
});

test('the Learn URL carries the problem and the step into a fresh profile', async ({
  page,
  browser,
}) => {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Learn' }).click();
  await page.getByLabel('Sequence length S').fill('8');
  await page.getByRole('spinbutton', { name: 'Seed' }).fill('11');
  await page.getByLabel('Query tile size Br').fill('2');
  await page.getByRole('checkbox', { name: 'causal' }).check();
  await page.getByRole('heading', { name: /Learn: flash attention/ }).click();
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  const counter = page.getByLabel('Step counter');
  const at = (await counter.textContent()) ?? '';
  expect(at).toMatch(/^step 6 of \d+$/);
  await expect(page).toHaveURL(
    /tab=learn.*learn\.S=8.*learn\.seed=11.*learn\.causal=1.*learn\.Br=2.*learn\.step=6/,
  );
  const explained = (await page.getByLabel('What this step does').textContent()) ?? '';

  const fresh = await browser.newContext();
  const copy = await fresh.newPage();
  await copy.goto(page.url());
  await expect(copy.getByLabel('Step counter')).toHaveText(at);
  await expect(copy.getByLabel('Sequence length S')).toHaveValue('8');
  await expect(copy.getByRole('spinbutton', { name: 'Seed' })).toHaveValue('11');
  await expect(copy.getByRole('checkbox', { name: 'causal' })).toBeChecked();
  await expect(copy.getByLabel('What this step does')).toHaveText(explained);
  await fresh.close();
});
