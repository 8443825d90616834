/**
 * The Learn view in real Chromium: type in a small problem, step through it by keyboard and
 * check the running max m and running sum l a person reads at known steps, the causal skip, and
 * that the finished output matches the naive reference.
 */
import { expect, test, type Page } from '@playwright/test';

/** The worked example: S = 4, D = 2, scale 1, so every score is a small integer. */
const Q = '1 0\n0 1\n1 1\n2 0';
const K = '1 0\n0 2\n3 0\n0 1';
const V = '1 2\n3 4\n5 6\n7 8';

/** Formats like the view: three decimals with a true minus sign. */
const shown = (x: number): string => x.toFixed(3).replace('-', '−');

async function openLearn(page: Page): Promise<void> {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Learn' }).click();
  await expect(page.getByRole('heading', { name: /Learn: flash attention/ })).toBeVisible();
}

async function typeExample(page: Page, causal: boolean): Promise<void> {
  await page.getByRole('radio', { name: 'typed in' }).check();
  await page.getByLabel('Q values').fill(Q);
  // Q now has 4 rows of 2 while K still has the random values: the error names K and S.
  await expect(learnView(page).getByRole('alert')).toContainText('K: has 12 rows, expected S = 4');
  await page.getByLabel('K values').fill(K);
  await page.getByLabel('V values').fill(V);
  await page.getByLabel('Softmax scale').fill('1');
  await page.getByLabel('Query tile size Br').fill('2');
  await page.getByLabel('Key tile size Bc').fill('2');
  if (causal) await page.getByRole('checkbox', { name: 'causal' }).check();
  await expect(learnView(page).getByRole('alert')).toHaveCount(0);
  // Leave the form so the arrow keys drive the player, as a presenter would.
  await page.getByRole('heading', { name: /Learn: flash attention/ }).click();
}

const learnView = (page: Page) =>
  page.getByRole('article', { name: 'Learn: flash attention, step by step' });
const counter = (page: Page) => page.getByLabel('Step counter');
const runningMax = (page: Page, row: number) => page.getByLabel(`running max m, row ${row}`);
const runningSum = (page: Page, row: number) => page.getByLabel(`running sum l, row ${row}`);

test('steps through the worked example by keyboard and shows m and l at known steps', async ({
  page,
}) => {
  const e = Math.exp;
  await openLearn(page);
  await typeExample(page, false);
  // 2 query tiles × (load + 2 key tiles × 4 steps + normalise) = 20 steps.
  await expect(counter(page)).toHaveText('step 1 of 20');
  await expect(runningMax(page, 0)).toHaveText('−∞');
  await expect(runningSum(page, 0)).toHaveText('0.000');

  await page.keyboard.press('ArrowRight'); // scores of key tile 0
  await page.keyboard.press('ArrowRight'); // running max
  await expect(counter(page)).toHaveText('step 3 of 20');
  await expect(runningMax(page, 0)).toHaveText('1.000');
  await expect(runningMax(page, 1)).toHaveText('2.000');

  await page.keyboard.press('ArrowRight'); // running sum
  await expect(runningSum(page, 0)).toHaveText(shown(1 + e(-1)));
  await expect(runningSum(page, 1)).toHaveText(shown(1 + e(-2)));

  for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight'); // output, scores, max
  await expect(counter(page)).toHaveText('step 7 of 20');
  // Key 2 = [3, 0] lifts row 0's max from 1 to 3; row 1's best stays 2.
  await expect(runningMax(page, 0)).toHaveText('3.000');
  await expect(runningMax(page, 1)).toHaveText('2.000');
  await expect(page.getByLabel('What this step does')).toContainText('row 0: 1.000 → 3.000');

  await page.keyboard.press('ArrowRight'); // running sum, rescaled by exp(1 − 3)
  await expect(runningSum(page, 0)).toHaveText(shown((1 + e(-1)) * e(-2) + 1 + e(-3)));
  await expect(runningSum(page, 1)).toHaveText(shown(1 + e(-2) + e(-2) + e(-1)));

  await page.keyboard.press('ArrowLeft');
  await expect(counter(page)).toHaveText('step 7 of 20');
  await expect(runningSum(page, 0)).toHaveText(shown(1 + e(-1)));

  // Shift+→ jumps to the next tile boundary: the second query tile's load.
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Shift+ArrowRight');
  await expect(counter(page)).toHaveText('step 11 of 20');
  await expect(runningMax(page, 2)).toHaveText('−∞');

  // Rows 2 and 3 (q = [1,1] and [2,0]) see scores [1,2,3,1] and [2,0,6,0].
  await page.keyboard.press('Shift+ArrowRight'); // key tile 0
  await page.keyboard.press('Shift+ArrowRight'); // key tile 1
  await page.keyboard.press('ArrowRight'); // its running max
  await expect(runningMax(page, 2)).toHaveText('3.000');
  await expect(runningMax(page, 3)).toHaveText('6.000');

  await page.keyboard.press('End');
  await expect(counter(page)).toHaveText('step 20 of 20');
  const diff = page.getByLabel('Largest difference between tiled and naive output');
  await expect(diff).toContainText('over rows 0–3');
  const figure = /:\s*([0-9.]+e[+-]\d+)/.exec((await diff.textContent()) ?? '')?.[1];
  expect(Number(figure)).toBeLessThan(1e-12);

  await page.keyboard.press('Home');
  await expect(counter(page)).toHaveText('step 1 of 20');
});

test('plays and pauses with Space, and the causal mask skips a key tile', async ({ page }) => {
  await openLearn(page);
  await typeExample(page, true);
  // Causal: query tile 0 skips key tile 1; query tile 1 needs both: 7 + 10 steps.
  await expect(counter(page)).toHaveText('step 1 of 17');

  await page.getByLabel('Speed').selectOption('8');
  await page.getByRole('heading', { name: /Learn: flash attention/ }).click();
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await expect(counter(page)).toHaveText('step 17 of 17', { timeout: 10_000 });
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();

  await page.keyboard.press('Home');
  for (let i = 0; i < 5; i++) await page.keyboard.press('ArrowRight');
  await expect(page.getByLabel('What this step does')).toContainText(
    'key tile 1 comes entirely after every query in this tile',
  );
  // Row 0 sees only key 0 (score 1), so its sum is exactly 1 after the first tile.
  await expect(runningMax(page, 0)).toHaveText('1.000');
  await expect(runningSum(page, 0)).toHaveText('1.000');

  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Pause' })).toBeVisible();
  await page.keyboard.press('Space');
  await expect(page.getByRole('button', { name: 'Play' })).toBeVisible();
});

test('names a bad field and its range without losing the problem on screen', async ({ page }) => {
  await openLearn(page);
  await page.getByLabel('Sequence length S').fill('99');
  await expect(learnView(page).getByRole('alert')).toContainText(
    'Sequence length S: must be an integer in 1..64 (got 99)',
  );
  await expect(counter(page)).toHaveText(/^step 1 of \d+$/);
  await page.getByLabel('Sequence length S').fill('16');
  await expect(learnView(page).getByRole('alert')).toHaveCount(0);
  await expect(
    page.getByRole('heading', { name: 'Naive — the full 16×16 matrix in memory' }),
  ).toBeVisible();
});
