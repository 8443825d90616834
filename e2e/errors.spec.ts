/**
 * Errors a person meets, shown where they are looking: no WebGPU in this browser, a runner that
 * refuses the token, one that cannot be reached, a bad runner URL, and a result whose kernel
 * failed its correctness check.
 */
import { exampleResult } from '../src/model/example.ts';
import { expect, openLab, test } from './lab.ts';

test('without WebGPU the lab says so, with the browsers and flags that work, and runners still run', async ({
  page,
}) => {
  await page.addInitScript(() => {
    // A browser without WebGPU: no navigator.gpu at all.
    Reflect.deleteProperty(Navigator.prototype, 'gpu');
  });
  await page.goto('/');
  await expect(page.getByText('WebGPU: unavailable')).toBeVisible();
  const browser = page.getByRole('group', { name: 'This browser (WebGPU)' });
  await expect(browser).toContainText('This browser has no WebGPU (navigator.gpu is missing).');
  await expect(browser).toContainText('--enable-unsafe-webgpu');
  await expect(browser).toContainText('Chrome and Edge 113 or newer');
  await expect(browser).toContainText('Safari 26');
  await expect(browser).toContainText('Firefox has it from 141 on Windows');
  await expect(browser).not.toContainText('apt-get');
  await expect(page.getByRole('checkbox', { name: /cpu · cpu-flash-f32/ })).toBeEnabled();
  await page.getByRole('tab', { name: 'Environment' }).click();
  await expect(
    page.getByRole('alert').filter({ hasText: 'WebGPU is not available here' }),
  ).toBeVisible();
});

test('a runner that refuses the token, one that is unreachable and a bad URL are each said plainly', async ({
  page,
}) => {
  await openLab(page);
  await page.getByRole('tab', { name: 'Runners' }).click();
  const local = (await page.getByText(/^ws:\/\/127\.0\.0\.1:\d+$/).textContent()) ?? '';
  expect(local).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);

  // The same runner under another spelling of its URL, with a wrong token.
  await page.getByLabel('Runner URL').fill(`${local}/`);
  await page.getByLabel('Token').fill('not-the-token');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const refused = page
    .getByRole('listitem', { name: new RegExp(`Runner ${local.slice(5).replace('.', '\\.')}`) })
    .nth(1);
  await expect(refused.getByRole('status')).toHaveText(
    'runner refused the token: hello.token: wrong token',
  );

  await page.getByLabel('Runner URL').fill('ws://127.0.0.1:1');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  const unreachable = page.getByRole('listitem', { name: 'Runner 127.0.0.1:1' });
  await expect(unreachable.getByRole('status')).toHaveText(
    /^cannot reach ws:\/\/127\.0\.0\.1:1 — retrying in \d+\.\d s \(attempt \d+\)$/,
  );

  await page.getByLabel('Runner URL').fill('http://gpu-box:9000');
  await page.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText(
    'runner URL: must start with ws:// or wss:// (got http://)',
  );

  // The Run tab's target picker says the same where the person picks targets.
  await page.getByRole('tab', { name: 'Run', exact: true }).click();
  await expect(page.getByRole('group', { name: 'Runner 127.0.0.1:1' })).toContainText(
    'cannot reach ws://127.0.0.1:1',
  );
  await expect(page.getByText('runner refused the token: hello.token: wrong token')).toBeVisible();
});

test('a kernel that failed its correctness check is marked failed, with the reason', async ({
  page,
}) => {
  await openLab(page);
  await page.getByRole('tab', { name: 'Results' }).click();
  const failed = exampleResult([], {
    id: 'failed-kernel',
    status: 'failed',
    error: {
      code: 'correctness-failed',
      message: 'rel L2 error 0.31 exceeds the tolerance 1e-4 at row (0, 0, 17)',
    },
    correctness: {
      reference: 'f64-cpu',
      rowsChecked: 64,
      rowsTotal: 256,
      maxAbsErr: 0.9,
      relL2Err: 0.31,
      tolerance: 1e-4,
      passed: false,
    },
  });
  await page.getByLabel('Import result files').setInputFiles({
    name: 'failed.json',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(failed)),
  });
  await expect(page.getByText('Imported 1 result.')).toBeVisible();
  const row = page.getByRole('table', { name: 'Results history' }).getByRole('row').nth(1);
  await expect(row).toContainText('failed');
  await expect(row).toContainText('failed check');
  await row.getByRole('checkbox').check();
  await expect(
    page.getByText(
      'correctness-failed: rel L2 error 0.31 exceeds the tolerance 1e-4 at row (0, 0, 17)',
    ),
  ).toBeVisible();
});
