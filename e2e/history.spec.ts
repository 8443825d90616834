/**
 * Keeping and sharing: reload keeps the history; a result exported as JSON imports back after
 * the history was cleared; a bad import is refused with its reason and touches nothing.
 */
import { readFile, writeFile } from 'node:fs/promises';
import {
  configure,
  downloadText,
  expect,
  openLab,
  pick,
  runAndWait,
  test,
  WEBGPU_KERNEL,
} from './lab.ts';

test('reload keeps the history, export → clear → import brings it back, CSV and Markdown too', async ({
  page,
}, info) => {
  await openLab(page);
  await configure(page, 12);
  await pick(page, WEBGPU_KERNEL);
  await runAndWait(page, 1);

  await page.reload();
  await expect(page.getByText('WebGPU: ready')).toBeVisible();
  await page.getByRole('tab', { name: 'Results' }).click();
  const table = page.getByRole('table', { name: 'Results history' });
  await expect(table.getByRole('row')).toHaveCount(2);
  const row = table.getByRole('row').nth(1);
  const median = (await row.getByRole('cell').nth(5).textContent()) ?? '';
  expect(median).toMatch(/\d/);

  await row.getByRole('checkbox').check();
  const exports = page.getByRole('group', { name: /^Export browser · webgpu · flash-f32/ });
  const json = await downloadText(page, () =>
    exports.getByRole('button', { name: 'JSON result file' }).click(),
  );
  const parsed = JSON.parse(json.text) as { schema: string; samples: { ms: number[] }; id: string };
  expect(parsed.schema).toMatch(/^attnlab\/result@1\.\d+$/);
  expect(parsed.samples.ms).toHaveLength(12);
  const csv = await downloadText(page, () =>
    exports.getByRole('button', { name: 'CSV of samples' }).click(),
  );
  expect(csv.text.split('\n')[0]).toBe('index,ms,throttled');
  expect(csv.text.trim().split('\n')).toHaveLength(13);
  expect(Number(csv.text.split('\n')[1]?.split(',')[1])).toBe(parsed.samples.ms[0]);
  const md = await downloadText(page, () =>
    exports.getByRole('button', { name: 'Markdown report' }).click(),
  );
  expect(md.text).toContain(
    '# browser · webgpu · flash-f32 · software (CPU-emulated) WebGPU — B=1 H=1 S=64 D=32 f32',
  );

  await page.getByRole('button', { name: 'Clear history…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Clear the whole history?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Delete everything' }).click();
  await expect(page.getByText('No results yet.')).toBeVisible();

  const file = info.outputPath(json.name);
  await writeFile(file, json.text);
  await page.getByLabel('Import result files').setInputFiles(file);
  await expect(page.getByText('Imported 1 result.')).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(2);
  await expect(table.getByRole('row').nth(1).getByRole('cell').nth(5)).toHaveText(median);
  expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(parsed);
});

test('a bad import is refused with the file and field named, and the history is untouched', async ({
  page,
}) => {
  await openLab(page);
  await configure(page, 10);
  await pick(page, WEBGPU_KERNEL);
  await runAndWait(page, 1);
  await page.getByRole('tab', { name: 'Results' }).click();
  const rows = page.getByRole('table', { name: 'Results history' }).getByRole('row');
  await expect(rows).toHaveCount(2);

  await page.getByLabel('Import result files').setInputFiles([
    {
      name: 'broken.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"schema": "attnlab/result@1", "id": '),
    },
    {
      name: 'future.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ schema: 'attnlab/result@2', id: 'x' })),
    },
  ]);
  const alert = page.getByRole('alert').filter({ hasText: 'Nothing was imported' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('broken.json: not valid JSON');
  await expect(alert).toContainText('future.json: schema: major version 2 is not supported');
  await expect(rows).toHaveCount(2);

  // The same through drag and drop: a file that is JSON but not a result.
  const dropped = await page.evaluateHandle(() => {
    const data = new DataTransfer();
    data.items.add(new File(['{"hello": "world"}'], 'notes.json', { type: 'application/json' }));
    return data;
  });
  await page
    .getByRole('region', { name: 'Drop zone for result files' })
    .dispatchEvent('drop', { dataTransfer: dropped });
  await expect(page.getByRole('alert').filter({ hasText: 'Nothing was imported' })).toContainText(
    'notes.json: schema: must be "attnlab/result@1" — this is not an attnlab result file (got missing)',
  );
  await expect(rows).toHaveCount(2);
});
